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
 * (sm_90), without a GPU: with NVRTC itself (through the JavaCPP bindings the backend uses) where {@code libnvrtc} is
 * on the machine ({@code -Dtessera.gpu.libraryPath=DIR} or {@code LD_LIBRARY_PATH}), else with {@code nvcc -ptx}
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
        if (lib.isPresent()) {
            try {
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
                System.out.println("[kernels] NVRTC " + version + " (" + lib.get() + ") compiled " + n
                        + " program/architecture pairs to PTX");
                return;
            } catch (LinkageError e) {
                nvrtcProblem = "NVRTC found at " + lib.get() + " but its bindings did not load (" + e + ")";
            }
        } else {
            nvrtcProblem = "no libnvrtc.so." + NativeLibraries.cudaMajor() + " on this machine (searched "
                    + NativeLibraries.searchPath() + ")";
        }
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), () -> {
            String why = "skipped: " + nvrtcProblem + ", and no nvcc (PATH, /usr/local/cuda*/bin)";
            System.out.println("[kernels] " + why);
            return why;
        });
        System.out.println("[kernels] " + nvrtcProblem + "; compiling with " + nvcc.get() + " -ptx instead");
        int n = 0;
        for (KernelSources.Program p : programs) {
            Path cu = dir.resolve(p.name() + ".cu");
            Files.writeString(cu, p.source());
            for (String arch : ARCHS) {
                Path out = dir.resolve(p.name() + "-" + arch + ".ptx");
                String log = run(List.of(nvcc.get().toString(), "-ptx", "-arch=" + arch, "-std=c++14",
                        "--fmad=false", "-o", out.toString(), cu.toString()));
                assertThat(Files.exists(out)).as(p.name() + " for " + arch + ":\n" + log + "\n" + p.source()).isTrue();
                String ptx = Files.readString(out);
                for (String k : p.kernels()) {
                    assertThat(ptx).as(p.name() + " for " + arch).contains(".entry " + k + "(");
                }
                n++;
            }
        }
        System.out.println("[kernels] nvcc -ptx compiled " + n + " program/architecture pairs");
    }

    static Optional<Path> nvcc() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                candidates.add(Path.of(d, "nvcc"));
            }
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        try (var s = Files.newDirectoryStream(Path.of("/usr/local"), "cuda-*")) {
            s.forEach(d -> candidates.add(d.resolve("bin/nvcc")));
        } catch (IOException | RuntimeException e) {
            // none
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
