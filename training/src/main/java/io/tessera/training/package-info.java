/**
 * The training loop: {@link io.tessera.training.Trainer} (epochs of {@link io.tessera.api.data.DataLoader} batches,
 * loss, backward, optimizer step, validation, schedule), its typed {@link io.tessera.training.TrainingOptions}, the
 * {@link io.tessera.training.Loss} it minimises (the conformance-checked losses of
 * {@link io.tessera.api.tensor.Functional}) and the {@link io.tessera.training.TrainingListener listeners} that
 * checkpoint, record metrics, report progress and stop early.
 */
package io.tessera.training;
