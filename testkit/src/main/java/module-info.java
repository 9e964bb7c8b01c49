/**
 * The Tessera test kit, for plugin and backend authors: golden-vector loading ({@code .npy} + {@code manifest.json}),
 * builders that compile and package real plugin jars, an isolated test host, and the backend conformance suite that
 * every {@code TensorBackend} runs against the PyTorch golden vectors.
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
}
