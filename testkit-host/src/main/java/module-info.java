/**
 * The test kit's real-host helper: {@link io.tessera.testkit.host.PluginTestHost} packages the classes of the plugin
 * module being built (with the manifest {@code tessera:manifest} generated) into a plugin jar, starts a real Tessera
 * host with it in a plugin folder of its own, and runs pipelines on it. No mock of the host or of module layers.
 */
module io.tessera.testkit.host {
    requires transitive io.tessera.testkit;
    requires transitive io.tessera.pipelines;
    requires static org.apiguardian.api;

    exports io.tessera.testkit.host;
}
