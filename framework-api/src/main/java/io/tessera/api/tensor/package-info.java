/**
 * Tensors, autograd and the user-facing backend type.
 *
 * <p>{@link io.tessera.api.tensor.Tensor} is an immutable-by-default, off-heap n-dimensional array owned by a
 * {@link io.tessera.api.tensor.TensorBackend}; it records the ops that produced it so that
 * {@link io.tessera.api.tensor.Tensor#backward()} can compute gradients on every backend. Memory is released with
 * {@link io.tessera.api.tensor.Tensor#close()} or by a {@link io.tessera.api.tensor.TensorScope} from
 * {@link io.tessera.api.tensor.Tensors#scope()}. Neural-network ops live in {@link io.tessera.api.tensor.Functional},
 * transforms in {@link io.tessera.api.tensor.Fft}, decompositions in {@link io.tessera.api.tensor.Linalg}, seeded
 * random numbers in {@link io.tessera.api.tensor.Generator}.
 *
 * <p>Backend authors implement {@link io.tessera.api.tensor.TensorBackendProvider} (found by {@code ServiceLoader})
 * and the kernel SPI {@link io.tessera.api.tensor.spi.TensorKernels} (a primitive core plus overridable defaults),
 * wrapped for users by {@link io.tessera.api.tensor.TensorBackend#of}; the backend conformance suite in the test kit
 * proves them.
 */
package io.tessera.api.tensor;
