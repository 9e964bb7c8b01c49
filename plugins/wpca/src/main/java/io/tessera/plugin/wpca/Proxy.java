package io.tessera.plugin.wpca;

import java.util.Locale;
import org.apiguardian.api.API;

/**
 * The training-free proxies the official search can use ({@code proxy_type} in {@code spos.py}, spec §2 step 5):
 * W-PCA ({@code #params × S_PCA}, type 2), vanilla PCA ({@code S_PCA} alone, type 0) and {@code #params} alone
 * (type 1). Higher is better for each.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum Proxy {
    /** {@code #params × S_PCA} ({@code proxy_type == 2}). */
    WPCA,
    /** {@code S_PCA} alone ({@code proxy_type == 0}). */
    PCA,
    /** {@code #params} alone ({@code proxy_type == 1}). */
    PARAMS;

    /** The value of this proxy for a layer-aggregated PCA score and a parameter count. */
    public double combine(double pcaScore, long params) {
        return switch (this) {
            case WPCA -> params * pcaScore;
            case PCA -> pcaScore;
            case PARAMS -> params;
        };
    }

    /** The lower-case name used in configs and reports ({@code wpca}, {@code pca}, {@code params}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The proxy named {@code key} (case-insensitive). */
    public static Proxy of(String key) {
        for (Proxy p : values()) {
            if (p.key().equalsIgnoreCase(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown proxy '" + key + "'; use wpca, pca or params");
    }
}
