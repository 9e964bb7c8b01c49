package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Tensor;
import io.tessera.host.BackendSelectionException;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selection between the real CPU and GPU providers in one JVM, through the pipeline engine: {@code backend: auto}
 * falls back to the CPU when the GPU is unavailable and writes why into the run's events; {@code backend: gpu} on such
 * a machine fails before any step runs, with the reason and the backends available instead. (On a machine with a
 * usable GPU, auto picks the GPU: asserted too.)
 */
class PipelineBackendSelectionTest {
    @TempDir
    Path dir;

    private TesseraHost host;

    /** {@code test/tensor-sum}: sums a small tensor on the run's backend and reports the backend's name. */
    public static final class TensorSum implements Step<TensorSum.Config> {
        /** No settings. */
        public record Config(int n) {
        }

        @Override
        public String name() {
            return "test/tensor-sum";
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public Config defaultConfig() {
            return new Config(4);
        }

        @Override
        public List<Port> outputs() {
            return List.of(Port.of("sum", Double.class, "the sum"));
        }

        @Override
        public PortValues run(StepContext ctx, Config c, PortValues in) {
            try (Tensor t = ctx.backend().arange(c.n())) {
                double s = t.sum().item();
                ctx.metric("sum", s);
                return PortValues.of("sum", s);
            }
        }
    }

    @BeforeEach
    void startHost() {
        host = Tessera.builder().build();
        host.start();
        host.services().register(Step.class, new TensorSum());
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    private RunResult run(String backend) throws Exception {
        Path file = dir.resolve("p-" + backend + ".yaml");
        Files.writeString(file, """
                name: select-%s
                backend: %s
                steps:
                  s: { uses: test/tensor-sum, with: { n: 4 } }
                """.formatted(backend, backend));
        return Pipelines.of(host).run(file, RunOptions.builder().outputRoot(dir.resolve("runs")).build());
    }

    @Test
    void autoFallsBackToTheCpuAndRecordsWhy() throws Exception {
        GpuBackendProvider gpu = new GpuBackendProvider();
        RunResult r = run("auto");
        assertThat(r.succeeded()).as(r.failure().orElse("")).isTrue();
        assertThat(r.metric("s", "sum")).contains(6.0);
        Path events = Files.list(dir.resolve("runs")).findFirst().orElseThrow().resolve("events.jsonl");
        String start = Files.readAllLines(events).get(0);
        System.out.println("[selection] " + start);
        if (gpu.isAvailable()) {
            assertThat(start).contains("\"backend\":\"gpu\"");
        } else {
            assertThat(start).contains("\"backend\":\"cpu\"").contains("\"backend_reason\"")
                    .contains("passed over: gpu (priority 100) is unavailable");
        }
    }

    @Test
    void aNamedGpuThatCannotRunFailsWithTheReasonAndTheAlternatives() throws Exception {
        GpuBackendProvider gpu = new GpuBackendProvider();
        org.junit.jupiter.api.Assumptions.assumeFalse(gpu.isAvailable(), "a GPU is usable here");
        // the named backend is checked before the run folder exists: nothing runs, nothing is written
        BackendSelectionException e = org.junit.jupiter.api.Assertions.assertThrows(BackendSelectionException.class,
                () -> run("gpu"));
        String failure = e.getMessage().strip();
        System.out.println("[selection] backend: gpu -> " + failure);
        assertThat(failure).startsWith("backend 'gpu' (from the pipeline's backend:) is not available here")
                .contains(gpu.availability().reason()).contains("available instead: cpu");
        assertThat(dir.resolve("runs")).satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
    }
}
