package io.tessera.host;

import io.tessera.api.plugin.PluginState;
import io.tessera.api.problem.Problem;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A snapshot of one plugin as the host sees it.
 *
 * @param id       the plugin id; for a jar whose manifest cannot be read, the jar's file name
 * @param version  the plugin version, or {@code ?} when unknown
 * @param state    the lifecycle state
 * @param source   {@code boot} for plugins of the boot layer or class path, otherwise the jar or folder path
 * @param problems this plugin's problems, most severe first
 * @param sha256   the SHA-256 of the plugin's jar (64 hex digits), for provenance (run folders record it); empty for a
 *                 plugin of the boot layer or one whose jar could not be read
 */
@API(status = API.Status.STABLE, since = "1.0")
public record PluginView(String id, String version, PluginState state, String source, List<Problem> problems,
                         String sha256) {

    public PluginView {
        sha256 = sha256 == null ? "" : sha256;
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(source, "source");
        problems = List.copyOf(problems);
    }

    /** A view without a jar hash (a boot plugin). */
    public PluginView(String id, String version, PluginState state, String source, List<Problem> problems) {
        this(id, version, state, source, problems, "");
    }

    /** Whether the plugin is {@link PluginState#ACTIVE}. */
    public boolean isActive() {
        return state == PluginState.ACTIVE;
    }
}
