/**
 * Tessera pipelines: a YAML pipeline format read with line and column locations, validation that reports every
 * problem at once, the DAG engine that runs steps in parallel where the graph allows, run folders (metrics, events,
 * logs, weights, checkpoints) that a killed run resumes from, and the core steps ({@code core/train},
 * {@code core/evaluate}, {@code core/compare}, {@code core/export}). It reaches the host runtime through one narrow
 * interface, the host's {@link io.tessera.api.plugin.ServiceRegistry} (steps and backend providers), plus the
 * runtime's backend selection; the runtime knows nothing of it. Entry point: {@link io.tessera.pipelines.Pipelines}.
 */
module io.tessera.pipelines {
    requires transitive io.tessera.host;
    requires static org.apiguardian.api;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    // the run report's PNG charts (XChart, an automatic module, drawing with java.desktop's Java2D, headless)
    requires org.knowm.xchart;
    requires java.desktop;

    exports io.tessera.pipelines;
    // event lines and run-folder internals for the command line's progress output
    exports io.tessera.pipelines.internal to io.tessera.cli;

    uses io.tessera.api.pipeline.Step;
    uses io.tessera.api.tensor.TensorBackendProvider;
}
