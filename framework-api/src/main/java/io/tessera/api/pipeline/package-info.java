/**
 * Pipeline extension points. A {@link io.tessera.api.pipeline.Step} is a named operation with a typed record config
 * and declared input and output {@link io.tessera.api.pipeline.Port ports}; pipelines (YAML files) wire steps of
 * different plugins into a DAG. The pipeline engine lives in the host; this package is what plugins implement. The
 * training loop is not here: steps that train use the {@code io.tessera.training} module, which connects to a step
 * through the {@link io.tessera.api.pipeline.StepContext}'s checkpoints, metrics, progress and services.
 */
package io.tessera.api.pipeline;
