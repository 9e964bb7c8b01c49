/**
 * IDX files ({@link io.tessera.plugin.datasets.Idx}), the MNIST-style folder layout
 * ({@link io.tessera.plugin.datasets.MnistFolder}), bundled samples ({@link io.tessera.plugin.datasets.BundledSamples})
 * and the {@code datasets/idx} pipeline step.
 */
package io.tessera.plugin.datasets;
