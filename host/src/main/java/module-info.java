/**
 * The Tessera host runtime. It discovers plugins with {@link java.util.ServiceLoader} in the boot layer and in plugin
 * directories, reads and resolves their manifest descriptors into a problem report, gives each plugin jar its own
 * {@link java.lang.ModuleLayer}, runs the plugin lifecycle with timeouts, instantiates extensions with Guice (an injector
 * per plugin that sees the host's bindings), publishes them in a typed, dynamic service registry, hot-deploys watched plugin folders and
 * unloads removed plugins for real. Only the embedding API ({@code io.tessera.host}) is exported; Guice stays inside.
 */
module io.tessera.host {
    requires transitive io.tessera.api;
    // core/train runs the training module's Trainer; the engine offers its EpochLog to steps
    requires io.tessera.training;
    requires static org.apiguardian.api;
    requires transitive com.google.guice;
    requires jakarta.inject;
    // Guice defines its generated classes as hidden nestmates through sun.misc.Unsafe; without this module in the
    // boot layer it falls back to a bridge class loader whose classes cannot access plugin packages
    requires jdk.unsupported;

    exports io.tessera.host;

    // The tessera command line (io.tessera.host.cli): picocli fills the command classes reflectively.
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    opens io.tessera.host.cli to info.picocli;

    // Pipelines (io.tessera.host.pipeline, engine in io.tessera.host.internal.pipeline): YAML with locations,
    // PNG charts for the run reports (XChart, an automatic module, drawing with java.desktop's Java2D, headless).
    exports io.tessera.host.pipeline;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.knowm.xchart;
    requires java.desktop;

    uses io.tessera.api.plugin.Plugin;
    uses io.tessera.api.pipeline.Step;
    uses io.tessera.api.tensor.TensorBackendProvider;
}
