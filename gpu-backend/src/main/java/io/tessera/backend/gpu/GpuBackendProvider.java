package io.tessera.backend.gpu;

import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The {@code gpu} tensor backend provider: NVIDIA GPUs through JavaCPP's CUDA bindings (cuBLAS, cuDNN, kernels
 * compiled at run time by NVRTC). Construction is free. {@link #availability()} first looks for the system libraries
 * by file name ({@link NativeLibraries}) and answers "unavailable" with what is missing without loading any native
 * code; only when they are all there does it load the bindings and ask the driver for a device of a supported compute
 * capability. Every failure on the way (a missing library, a JavaCPP loading error, no device, an old GPU, an old
 * driver) becomes {@code available: false} with the reason, never an exception.
 *
 * <p>{@code -Dtessera.gpu.device=N} picks the device (default 0). Unverified on GPU hardware so far: docs/gpu.md.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class GpuBackendProvider implements TensorBackendProvider {
    /** The provider name. */
    public static final String NAME = "gpu";

    /** System property: the CUDA device ordinal to use. */
    public static final String DEVICE = "tessera.gpu.device";

    private volatile Availability availability;
    private volatile Set<String> capabilities = Set.of();
    private volatile Object probe;

    /** Used by {@link java.util.ServiceLoader}. */
    public GpuBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** 100: outranks the CPU backend when a GPU is available. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<String> capabilities() {
        availability();
        return capabilities;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                if (availability == null) {
                    availability = probe();
                }
                a = availability;
            }
        }
        return a;
    }

    private Availability probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Availability.unavailable("the GPU backend's CUDA bindings are built for Linux x86_64 only; this is "
                    + os + " " + arch);
        }
        List<NativeLibraries.Found> libs;
        try {
            libs = NativeLibraries.scan();
        } catch (RuntimeException e) {
            return Availability.unavailable("the GPU backend cannot tell which CUDA libraries it needs: " + e.getMessage());
        }
        if (libs.get(0).path().isEmpty()) {
            return Availability.unavailable("no NVIDIA driver: " + libs.get(0).fileName() + " not found (searched "
                    + NativeLibraries.searchPath() + " and the linker cache); install the NVIDIA driver, or run on a"
                    + " machine with an NVIDIA GPU");
        }
        List<String> missing = new ArrayList<>();
        for (NativeLibraries.Found f : libs) {
            if (f.path().isEmpty()) {
                missing.add(f.role() + " (" + f.fileName() + ")");
            }
        }
        if (!missing.isEmpty()) {
            return Availability.unavailable("missing CUDA libraries: " + String.join(", ", missing) + "; install CUDA "
                    + NativeLibraries.cudaMajor() + ".x and cuDNN " + NativeLibraries.cudnnMajor() + ".x (or point -D"
                    + NativeLibraries.LIBRARY_PATH + "=DIR at them); docs/gpu.md lists what is needed");
        }
        try {
            io.tessera.backend.gpu.cuda.CudaProbe.Result r = io.tessera.backend.gpu.cuda.CudaProbe.probe(
                    Integer.getInteger(DEVICE, 0));
            probe = r;
            Set<String> caps = new LinkedHashSet<>(List.of("float32", "float64", "int64", "bool", "autograd",
                    "cublas", "nvrtc"));
            if (r.available()) {
                caps.add("cudnn");
                caps.add("sm_" + r.major() + r.minor());
            }
            capabilities = Collections.unmodifiableSet(caps);
            return r.available() ? Availability.available(r.description()) : Availability.unavailable(r.description());
        } catch (Throwable t) {
            // UnsatisfiedLinkError, NoClassDefFoundError (JavaCPP missing), ExceptionInInitializerError, ...
            return Availability.unavailable("the CUDA bindings (JavaCPP org.bytedeco:cuda " + safeVersion()
                    + ") failed to load: " + t + "; docs/gpu.md says which jars and system libraries are needed");
        }
    }

    private static String safeVersion() {
        try {
            return NativeLibraries.bindingsVersion();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    @Override
    public TensorBackend create() {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the gpu backend is not available: " + a.reason());
        }
        return TensorBackend.of(io.tessera.backend.gpu.cuda.GpuKernels.open(Integer.getInteger(DEVICE, 0)));
    }
}
