/**
 * Datasets and batching: {@link io.tessera.api.data.Dataset}, image classification sets held in memory
 * ({@link io.tessera.api.data.ImageDataset}, {@link io.tessera.api.data.ArrayImageDataset}) and a
 * {@link io.tessera.api.data.DataLoader} that cuts them into (optionally shuffled, seeded) batches. File formats live
 * in plugins (IDX / MNIST in {@code io.tessera.plugin.datasets}).
 */
package io.tessera.api.data;
