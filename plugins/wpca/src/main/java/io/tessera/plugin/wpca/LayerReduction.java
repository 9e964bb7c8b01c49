package io.tessera.plugin.wpca;

import org.apiguardian.api.API;

/**
 * How the per-layer PC counts become one score (spec §2 step 4): the official code sums them and divides by the
 * layer count ({@code fitness /= args.num_layers}), the paper writes the sum. For a fixed depth they rank identically.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum LayerReduction {
    /** {@code Σ_l PCA_l / m}, the official code (default). */
    MEAN,
    /** {@code Σ_l PCA_l}, the paper's formula. */
    SUM;

    /** The reduction of {@code counts} (at least one layer). */
    public double reduce(int[] counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("W-PCA: a network needs at least one layer to score");
        }
        double s = 0;
        for (int c : counts) {
            s += c;
        }
        return this == MEAN ? s / counts.length : s;
    }
}
