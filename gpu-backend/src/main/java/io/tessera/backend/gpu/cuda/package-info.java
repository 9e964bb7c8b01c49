/**
 * The parts of the GPU backend bound to JavaCPP's CUDA bindings: the probe, NVRTC compilation, the kernels
 * ({@link io.tessera.backend.gpu.cuda.GpuKernels}) and cuDNN convolution. Not exported; loaded only after the provider
 * found the system libraries.
 */
package io.tessera.backend.gpu.cuda;
