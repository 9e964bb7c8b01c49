package io.tessera.api.plugin;

import org.apiguardian.api.API;

/**
 * Where a plugin is in its lifecycle: {@code INSTALLED → RESOLVED → STARTING → ACTIVE → STOPPING → RESOLVED →
 * UNINSTALLED}, plus {@code FAILED} for a plugin whose jar is unusable or whose start or stop hook threw or timed out.
 */
@API(status = API.Status.STABLE, since = "1.0")
public enum PluginState {
    /** Found and its descriptor read, but not (yet) resolved: a dependency is missing or another problem blocks it. */
    INSTALLED,
    /** Dependencies satisfied and its module layer created; classes may load, nothing runs. */
    RESOLVED,
    /** Its extensions are being instantiated and its start hook runs. */
    STARTING,
    /** Started; its extensions are in the service registry. */
    ACTIVE,
    /** Its extensions are being withdrawn and its stop hook runs. */
    STOPPING,
    /** Removed from the host; its layer is released. Terminal. */
    UNINSTALLED,
    /** Unusable: a corrupt jar, or a start or stop hook that threw or timed out. Its problems say why. */
    FAILED
}
