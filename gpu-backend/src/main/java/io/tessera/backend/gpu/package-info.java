/**
 * The GPU backend's provider ({@link io.tessera.backend.gpu.GpuBackendProvider}), its system-library check
 * ({@link io.tessera.backend.gpu.NativeLibraries}), the CUDA C sources of its kernels
 * ({@link io.tessera.backend.gpu.KernelSources}) and its caching device allocator
 * ({@link io.tessera.backend.gpu.DeviceAllocator}); nothing here loads native code.
 */
package io.tessera.backend.gpu;
