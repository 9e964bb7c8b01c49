/**
 * Pipelines for embedding applications: build a {@link io.tessera.host.pipeline.Pipeline} in Java or read one from
 * YAML, validate it ({@link io.tessera.host.pipeline.ValidationReport}, every problem with file, line and column), run
 * it ({@link io.tessera.host.pipeline.Pipelines#run}) into a run folder with metrics, logs, weights, checkpoints and an
 * HTML report, follow its progress ({@link io.tessera.host.pipeline.PipelineListener}), and resume a killed run.
 * Obtain the entry point from {@code TesseraHost.pipelines()}.
 */
package io.tessera.host.pipeline;
