/**
 * A Tessera tensor backend for NVIDIA GPUs ({@code gpu}): JavaCPP's CUDA bindings ({@code org.bytedeco.cuda}) for
 * cuBLAS, cuDNN and the driver, and the primitive kernels as CUDA C compiled at run time by NVRTC and cached per
 * device architecture. The provider reports itself unavailable, with the reason, on machines without a driver, a
 * device, a supported GPU or the CUDA libraries; it never fails to load. Not yet verified on GPU hardware
 * (docs/gpu.md says what was verified where).
 */
module io.tessera.backend.gpu {
    requires transitive io.tessera.api;
    requires static org.apiguardian.api;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.cuda;

    exports io.tessera.backend.gpu;

    provides io.tessera.api.tensor.TensorBackendProvider with io.tessera.backend.gpu.GpuBackendProvider;
}
