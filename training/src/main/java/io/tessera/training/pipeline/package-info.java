/**
 * Training inside pipeline steps: {@link io.tessera.training.pipeline.StepTraining} turns what a
 * {@link io.tessera.api.pipeline.StepContext} offers (checkpoints, metrics, progress, cancellation, the log) into a
 * {@link io.tessera.training.Trainer}'s listeners, and runs a whole image-classifier training step (ports, training,
 * weights, metrics) for {@code core/train}, {@code fdconv/train-classifier} and the method plugins. The pipeline
 * engine offers the per-epoch record of a run as the step service {@link io.tessera.training.pipeline.EpochLog}, so
 * the API's {@code StepContext} needs no training hook.
 */
package io.tessera.training.pipeline;
