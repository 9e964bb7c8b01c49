package io.tessera.backend.gpu.cuda;

import io.tessera.backend.gpu.KernelSources;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Compiles the backend's CUDA C programs to PTX with NVRTC (no GPU and no CUDA compiler needed, only
 * {@code libnvrtc}). The GPU backend loads the PTX with the driver; the CPU-only tests only compile.
 */
public final class Nvrtc {
    private Nvrtc() {
    }

    /**
     * Loads the NVRTC bindings (and the system {@code libnvrtc}, found on {@code NativeLibraries.searchPath()});
     * throws a linkage error when it cannot. Needs neither a driver nor a GPU. Returns NVRTC's version.
     */
    public static String load() {
        CudaProbe.setPreloadPath();
        Loader.load(nvrtc.class);
        int[] a = new int[1];
        int[] b = new int[1];
        nvrtc.nvrtcVersion(a, b);
        return a[0] + "." + b[0];
    }

    /**
     * Compiles {@code program} for {@code arch} ({@code compute_90}, say) and returns the PTX.
     *
     * @throws IllegalStateException with NVRTC's log when compilation fails
     */
    public static String compile(KernelSources.Program program, String arch) {
        _nvrtcProgram prog = new _nvrtcProgram();
        check(nvrtc.nvrtcCreateProgram(prog, new BytePointer(program.source()), new BytePointer(program.name() + ".cu"),
                0, (PointerPointer<?>) null, (PointerPointer<?>) null), program, "nvrtcCreateProgram", null);
        try {
            String[] opts = {"--gpu-architecture=" + arch, "--std=c++14", "-default-device", "--fmad=false"};
            PointerPointer<BytePointer> o = new PointerPointer<>(opts);
            int st = nvrtc.nvrtcCompileProgram(prog, opts.length, o);
            if (st != nvrtc.NVRTC_SUCCESS) {
                check(st, program, "nvrtcCompileProgram", log(prog));
            }
            SizeTPointer size = new SizeTPointer(1);
            check(nvrtc.nvrtcGetPTXSize(prog, size), program, "nvrtcGetPTXSize", null);
            BytePointer ptx = new BytePointer(size.get());
            check(nvrtc.nvrtcGetPTX(prog, ptx), program, "nvrtcGetPTX", null);
            return ptx.getString();
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        SizeTPointer size = new SizeTPointer(1);
        if (nvrtc.nvrtcGetProgramLogSize(prog, size) != nvrtc.NVRTC_SUCCESS) {
            return "(no log)";
        }
        BytePointer log = new BytePointer(size.get());
        nvrtc.nvrtcGetProgramLog(prog, log);
        return log.getString();
    }

    private static void check(int status, KernelSources.Program p, String what, String log) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            throw new IllegalStateException("NVRTC " + what + " failed for " + p.name() + ".cu: "
                    + nvrtc.nvrtcGetErrorString(status).getString() + (log == null ? "" : "\n" + log));
        }
    }
}
