/**
 * The Tessera host runtime, for applications that load plugins. It discovers plugins with
 * {@link java.util.ServiceLoader} in the boot layer and in plugin directories, reads and resolves their manifest
 * descriptors into a problem report, gives each plugin jar its own {@link java.lang.ModuleLayer}, runs the plugin
 * lifecycle with timeouts, instantiates extensions with Guice (an injector per plugin that sees the host's bindings;
 * Guice stays inside: no Guice type is in the exported API), publishes them in a typed, dynamic service registry,
 * hot-deploys watched plugin folders, unloads removed plugins for real, and selects the tensor backend. Only the
 * embedding API ({@code io.tessera.host}) is exported. Pipelines ({@code io.tessera.pipelines}), reports and the
 * command line ({@code io.tessera.cli}) are separate modules above this one; an embedder with Guice modules of its own
 * adds the adapter {@code io.tessera.host.guice}.
 */
module io.tessera.host {
    requires transitive io.tessera.api;
    requires static org.apiguardian.api;
    requires com.google.guice;
    requires jakarta.inject;
    // Guice defines its generated classes as hidden nestmates through sun.misc.Unsafe; without this module in the
    // boot layer it falls back to a bridge class loader whose classes cannot access plugin packages
    requires jdk.unsupported;

    exports io.tessera.host;
    // the builder's Guice entry point, for the optional adapter module only
    exports io.tessera.host.internal to io.tessera.host.guice;

    uses io.tessera.api.plugin.Plugin;
    uses io.tessera.api.pipeline.Step;
    uses io.tessera.api.tensor.TensorBackendProvider;
}
