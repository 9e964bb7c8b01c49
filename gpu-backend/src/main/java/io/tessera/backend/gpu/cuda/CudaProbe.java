package io.tessera.backend.gpu.cuda;

import io.tessera.backend.gpu.NativeLibraries;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the JavaCPP CUDA bindings and asks the driver what is there. Called by the provider only after the system
 * libraries were found by name; everything it learns becomes a {@link Result}, never an exception (the provider
 * still catches linkage errors).
 */
public final class CudaProbe {
    private CudaProbe() {
    }

    /**
     * What the probe found.
     *
     * @param available   whether the backend can run
     * @param description the reason in words (device, versions; or what is wrong and how to fix it)
     * @param major       compute capability major (0 when unknown)
     * @param minor       compute capability minor
     */
    public record Result(boolean available, String description, int major, int minor) {
    }

    /** The lowest compute capability the CUDA release of the bindings supports (13: 7.5, Turing; 12: 5.0). */
    static int[] minimumCapability() {
        return NativeLibraries.cudaMajor() >= 13 ? new int[] {7, 5} : new int[] {5, 0};
    }

    /** Loads cudart's bindings (the system {@code libcudart}); throws a linkage error when they cannot load. */
    public static void loadRuntime() {
        setPreloadPath();
        Loader.load(cudart.class);
    }

    /** Lets JavaCPP find the system CUDA libraries in the folders {@link NativeLibraries} searches. */
    static void setPreloadPath() {
        String dirs = String.join(java.io.File.pathSeparator,
                NativeLibraries.searchPath().stream().map(Object::toString).toList());
        if (System.getProperty("org.bytedeco.javacpp.platform.preloadpath") == null) {
            System.setProperty("org.bytedeco.javacpp.platform.preloadpath", dirs);
        }
    }

    /** The driver's CUDA version as {@code 13.0}, or the error. */
    public static String driverVersion() {
        int[] v = new int[1];
        int st = cudart.cudaDriverGetVersion(v);
        return st != 0 ? "unknown (error " + st + ")" : v[0] / 1000 + "." + (v[0] % 1000) / 10;
    }

    /** Probes device {@code ordinal}. */
    public static Result probe(int ordinal) {
        loadRuntime();
        String driver = driverVersion();
        int[] rv = new int[1];
        cudart.cudaRuntimeGetVersion(rv);
        String runtime = rv[0] / 1000 + "." + (rv[0] % 1000) / 10;
        int[] count = new int[1];
        int st = cudart.cudaGetDeviceCount(count);
        if (st == cudart.cudaErrorInsufficientDriver) {
            return new Result(false, "the NVIDIA driver (CUDA " + driver + ") is older than the CUDA runtime "
                    + runtime + ": update the driver", 0, 0);
        }
        if (st == cudart.cudaErrorNoDevice || (st == 0 && count[0] == 0)) {
            return new Result(false, "no CUDA device: the driver (CUDA " + driver + ") sees no GPU (check"
                    + " nvidia-smi and CUDA_VISIBLE_DEVICES)", 0, 0);
        }
        if (st != 0) {
            return new Result(false, "cudaGetDeviceCount failed with CUDA error " + st + " ("
                    + cudart.cudaGetErrorString(st).getString() + "); driver CUDA " + driver, 0, 0);
        }
        if (ordinal >= count[0]) {
            return new Result(false, "-Dtessera.gpu.device=" + ordinal + " but only " + count[0]
                    + " CUDA device(s) are present", 0, 0);
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        Cuda.check(cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, ordinal),
                "cudaDeviceGetAttribute");
        Cuda.check(cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, ordinal),
                "cudaDeviceGetAttribute");
        String name;
        long mem;
        try (cudaDeviceProp prop = new cudaDeviceProp()) {
            Cuda.check(cudart.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties");
            name = prop.name().getString();
            mem = prop.totalGlobalMem();
        }
        int[] min = minimumCapability();
        String dev = "cuda:" + ordinal + " " + name + " (sm_" + major[0] + minor[0] + ", " + (mem >> 20) + " MiB)";
        if (major[0] < min[0] || (major[0] == min[0] && minor[0] < min[1])) {
            return new Result(false, dev + ": compute capability " + major[0] + "." + minor[0]
                    + " is below the " + min[0] + "." + min[1] + " that CUDA " + NativeLibraries.cudaMajor()
                    + " supports; build with -Pcuda12 for older GPUs", major[0], minor[0]);
        }
        int[] nv = new int[2];
        try {
            Loader.load(nvrtc.class);
            int[] a = new int[1];
            int[] b = new int[1];
            nvrtc.nvrtcVersion(a, b);
            nv[0] = a[0];
            nv[1] = b[0];
        } catch (UnsatisfiedLinkError e) {
            return new Result(false, dev + ": NVRTC (libnvrtc.so." + NativeLibraries.cudaMajor()
                    + ") failed to load: " + e.getMessage(), major[0], minor[0]);
        }
        try {
            Loader.load(org.bytedeco.cuda.global.cublas.class);
        } catch (UnsatisfiedLinkError e) {
            return new Result(false, dev + ": cuBLAS failed to load: " + e.getMessage(), major[0], minor[0]);
        }
        long dnn;
        try {
            Loader.load(cudnn.class);
            dnn = cudnn.cudnnGetVersion();
        } catch (UnsatisfiedLinkError e) {
            return new Result(false, dev + ": missing cuDNN (libcudnn.so." + NativeLibraries.cudnnMajor()
                    + " failed to load: " + e.getMessage() + "); install cuDNN " + NativeLibraries.cudnnMajor()
                    + ".x for CUDA " + NativeLibraries.cudaMajor(), major[0], minor[0]);
        }
        return new Result(true, dev + ", driver CUDA " + driver + ", runtime " + runtime + ", NVRTC " + nv[0] + "."
                + nv[1] + ", cuDNN " + dnn / 10000 + "." + (dnn % 10000) / 100 + "." + dnn % 100
                + "; unverified on GPU hardware so far (docs/gpu.md)", major[0], minor[0]);
    }
}
