package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.UnaryOp;
import io.tessera.backend.gpu.cuda.Nvrtc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CUDA C program of the backend compiles to PTX, for the oldest supported architecture (sm_75) and Hopper
 * (sm_90), without a GPU: with NVRTC itself where {@code libnvrtc} is on the machine
 * ({@code -Dtessera.gpu.libraryPath=DIR} or {@code LD_LIBRARY_PATH}) — through the JavaCPP bindings the backend uses
 * when the driver library is there too, else through a small C harness — else with {@code nvcc -ptx} (sm_75 only)
 * where a CUDA toolkit is installed, else skipped with the reason printed.
 */
class KernelSourcesCompileTest {
    private static final String[] ARCHS = {"compute_75", "compute_90"};

    @Test
    void opCodesAreTheEnumOrdinals() {
        // the kernels switch on these numbers (KernelSources.elementwise/reduce)
        assertThat(UnaryOp.NOT.ordinal()).isEqualTo(20);
        assertThat(UnaryOp.SOFTPLUS.ordinal()).isEqualTo(19);
        assertThat(UnaryOp.RELU.ordinal()).isEqualTo(16);
        assertThat(BinaryOp.EQ.ordinal()).isEqualTo(7);
        assertThat(BinaryOp.OR.ordinal()).isEqualTo(14);
        assertThat(ScalarOp.EQ.ordinal()).isEqualTo(9);
        assertThat(ScalarOp.GE.ordinal()).isEqualTo(14);
        assertThat(ReduceOp.PROD.ordinal()).isEqualTo(4);
    }

    @Test
    void everyProgramCompilesToPtx(@TempDir Path dir) throws Exception {
        List<KernelSources.Program> programs = KernelSources.all();
        assertThat(programs).hasSizeGreaterThan(20);
        Optional<Path> lib = NativeLibraries.find("libnvrtc.so." + NativeLibraries.cudaMajor());
        String nvrtcProblem;
        Optional<Path> gcc = executable("gcc", "cc");
        if (lib.isPresent() && NativeLibraries.find("libcuda.so.1").isPresent()) {
            // the backend's own path: NVRTC through the JavaCPP bindings (they need the driver library to load)
            String version = Nvrtc.load();
            int n = 0;
            for (KernelSources.Program p : programs) {
                for (String arch : ARCHS) {
                    String ptx = Nvrtc.compile(p, arch);
                    for (String k : p.kernels()) {
                        assertThat(ptx).as(p.name() + " for " + arch).contains(".entry " + k + "(");
                    }
                    n++;
                }
            }
            System.out.println("[kernels] NVRTC " + version + " (JavaCPP bindings, " + lib.get() + ") compiled " + n
                    + " program/architecture pairs to PTX");
            return;
        } else if (lib.isPresent() && gcc.isPresent()) {
            // no driver: JavaCPP's NVRTC bindings inherit cudart's, whose JNI library links libcuda.so.1; call NVRTC
            // through a small C harness instead (dlopen, the backend's compile options)
            Path harness = dir.resolve("nvrtc_compile");
            Path c = dir.resolve("nvrtc_compile.c");
            try (var in = KernelSourcesCompileTest.class.getResourceAsStream("nvrtc_compile.c")) {
                Files.write(c, in.readAllBytes());
            }
            String log = run(List.of(gcc.get().toString(), "-O1", "-o", harness.toString(), c.toString(), "-ldl"));
            assertThat(Files.isExecutable(harness)).as("gcc built the NVRTC harness:\n" + log).isTrue();
            int n = 0;
            for (KernelSources.Program p : programs) {
                Path cu = dir.resolve(p.name() + ".cu");
                Files.writeString(cu, p.source());
                for (String arch : ARCHS) {
                    Path out = dir.resolve(p.name() + "-" + arch + ".ptx");
                    String msg = run(List.of(harness.toString(), lib.get().toString(), arch, cu.toString(),
                            out.toString()), lib.get().getParent().toString());
                    assertThat(Files.exists(out)).as(p.name() + " for " + arch + ":\n" + msg).isTrue();
                    String ptx = Files.readString(out);
                    for (String k : p.kernels()) {
                        assertThat(ptx).as(p.name() + " for " + arch).contains(".entry " + k + "(");
                    }
                    n++;
                }
            }
            System.out.println("[kernels] NVRTC (" + lib.get() + ", through a C harness: no driver here for the"
                    + " JavaCPP bindings) compiled " + n + " program/architecture pairs to PTX");
            return;
        } else {
            nvrtcProblem = lib.isPresent() ? "libnvrtc at " + lib.get() + " but no driver and no gcc to call it"
                    : "no libnvrtc.so." + NativeLibraries.cudaMajor() + " on this machine (searched "
                    + NativeLibraries.searchPath() + "; -D" + NativeLibraries.LIBRARY_PATH + "=DIR adds a folder)";
        }
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), () -> {
            String why = "skipped: " + nvrtcProblem + ", and no nvcc (PATH, /usr/local/cuda*/bin)";
            System.out.println("[kernels] " + why);
            return why;
        });
        System.out.println("[kernels] " + nvrtcProblem + "; compiling with " + nvcc.get() + " -ptx instead, for "
                + ARCHS[0] + " only (nvcc is slow: about a second a program)");
        int n = 0;
        for (KernelSources.Program p : programs) {
            Path cu = dir.resolve(p.name() + ".cu");
            Files.writeString(cu, p.source());
            for (String arch : new String[] {ARCHS[0]}) {
                Path out = dir.resolve(p.name() + "-" + arch + ".ptx");
                String nvccLog = run(List.of(nvcc.get().toString(), "-ptx", "-arch=" + arch, "-std=c++14",
                        "--fmad=false", "-o", out.toString(), cu.toString()));
                assertThat(Files.exists(out)).as(p.name() + " for " + arch + ":\n" + nvccLog).isTrue();
                String ptx = Files.readString(out);
                for (String k : p.kernels()) {
                    assertThat(ptx).as(p.name() + " for " + arch).contains(".entry " + k + "(");
                }
                n++;
            }
        }
        System.out.println("[kernels] nvcc -ptx compiled " + n + " program/architecture pairs");
    }

    static Optional<Path> executable(String... names) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String name : names) {
                for (String d : path.split(":")) {
                    Path p = Path.of(d, name);
                    if (Files.isExecutable(p)) {
                        return Optional.of(p);
                    }
                }
            }
        }
        return Optional.empty();
    }

    static Optional<Path> nvcc() {
        List<Path> candidates = new ArrayList<>();
        executable("nvcc").ifPresent(candidates::add);
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        try (var s = Files.newDirectoryStream(Path.of("/usr/local"), "cuda-*")) {
            s.forEach(d -> candidates.add(d.resolve("bin/nvcc")));
        } catch (IOException | RuntimeException e) {
            // none
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, null);
    }

    /** Runs {@code cmd}; {@code libDir} goes first on LD_LIBRARY_PATH (NVRTC loads its builtins library from it). */
    private static String run(List<String> cmd, String libDir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (libDir != null) {
            String old = System.getenv("LD_LIBRARY_PATH");
            pb.environment().put("LD_LIBRARY_PATH", old == null ? libDir : libDir + ":" + old);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
