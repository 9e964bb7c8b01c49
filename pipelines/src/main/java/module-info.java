/**
 * Tessera pipelines: a YAML pipeline format read with line and column locations, validation that reports every
 * problem at once, the DAG engine that runs steps in parallel where the graph allows, run folders (metrics, events,
 * logs, weights, checkpoints) that a killed run resumes from, and the core steps ({@code core/train},
 * {@code core/evaluate}, {@code core/compare}, {@code core/export}). It reaches the host runtime through one narrow
 * interface, the host's {@link io.tessera.api.plugin.ServiceRegistry} (steps and backend providers), plus the
 * runtime's backend selection; the runtime knows nothing of it. Entry point: {@link io.tessera.pipelines.Pipelines}.
 * Run reports are written by {@link io.tessera.pipelines.report.RunReporter} services (module {@code io.tessera.reports}),
 * so no template or chart library is needed to validate or run a pipeline.
 */
module io.tessera.pipelines {
    requires transitive io.tessera.host;
    // core/train runs the training module's Trainer; the engine offers the training module's EpochLog to steps
    requires io.tessera.training;
    requires static org.apiguardian.api;
    requires com.fasterxml.jackson.databind;
    requires org.snakeyaml.engine.v2;

    exports io.tessera.pipelines;
    exports io.tessera.pipelines.report;
    // fan-out executors (executor: spark, ...) and the worker side of an item
    exports io.tessera.pipelines.executor;
    // event lines for the command line's progress output; atomic file writes for the HTML report
    exports io.tessera.pipelines.internal to io.tessera.cli, io.tessera.reports;

    uses io.tessera.api.pipeline.Step;
    uses io.tessera.api.tensor.TensorBackendProvider;
    uses io.tessera.pipelines.report.RunReporter;
    uses io.tessera.pipelines.executor.ItemExecutor;
}
