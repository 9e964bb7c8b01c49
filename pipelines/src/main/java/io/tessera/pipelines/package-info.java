/**
 * Pipelines for embedding applications: build a {@link io.tessera.pipelines.Pipeline} in Java or read one from
 * YAML, validate it ({@link io.tessera.pipelines.ValidationReport}, every problem with file, line and column), run
 * it ({@link io.tessera.pipelines.Pipelines#run}) into a run folder with metrics, logs, weights, checkpoints and an
 * HTML report, follow its progress ({@link io.tessera.pipelines.PipelineListener}), and resume a killed run.
 * Obtain the entry point from {@link io.tessera.pipelines.Pipelines#of} over a started host.
 */
package io.tessera.pipelines;
