/**
 * The Tessera test kit, for plugin and backend authors: a recording step harness ({@code StepHarness}: run a step
 * with a config and inputs, get its outputs, metrics and events), the default backend in one line
 * ({@code TestBackends}), builders that compile and package real plugin jars ({@code PluginJarBuilder}),
 * golden-vector loading ({@code .npy} + {@code manifest.json}) and the backend conformance suite that every
 * {@code TensorBackend} runs against the PyTorch golden vectors. Loading the plugin being built into a real host is
 * in {@code io.tessera.testkit.host} (artifact {@code tessera-testkit-host}), since the host's own tests use this
 * module.
 */
module io.tessera.testkit {
    requires transitive io.tessera.api;
    requires static org.apiguardian.api;
    requires com.fasterxml.jackson.databind;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive org.assertj.core;
    requires java.compiler;

    exports io.tessera.testkit;
    exports io.tessera.testkit.golden;
    exports io.tessera.testkit.conformance;
    exports io.tessera.testkit.reference;

    uses io.tessera.api.tensor.TensorBackendProvider;
}
