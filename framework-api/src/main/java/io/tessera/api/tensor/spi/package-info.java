/**
 * The kernel SPI for tensor backend authors (experimental: it may change between minor versions).
 *
 * <p>A backend implements {@link io.tessera.api.tensor.spi.TensorKernels}: a <em>primitive core</em> of 17 kernels
 * (upload/download, assign, cast, elementwise unary/binary with broadcasting, reductions, reshape/permute/broadcast,
 * concat/slice, gather/scatter-add, batched matmul) is abstract; every other kernel (softmax, convolution, pooling,
 * interpolation, normalisation and their backward kernels, FFTs, linear algebra, the fused kernels such as
 * {@code reluBackward}) has a default composed from the core, which a backend overrides for speed. Its provider wraps
 * it with {@link io.tessera.api.tensor.TensorBackend#of}. Kernels work on opaque
 * {@link io.tessera.api.tensor.spi.TensorStorage} handles the backend created and receive validated arguments;
 * users never see this package (the {@code Tensor} API validates, then calls it).
 */
package io.tessera.api.tensor.spi;
