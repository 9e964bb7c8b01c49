package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipeline;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import io.tessera.pipelines.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code fdconv/train-classifier} step and {@code fdconv-fashion.yaml}: the pipeline validates without the data
 * folder, runs end to end when shrunk to the bundled sample and a few batches, and its comparison holds test accuracy,
 * parameter count and step time for the plain, FDConv and CondConv networks; the step resumes like core/train.
 */
class FdconvPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TRAIN_STEPS = List.of("train_plain", "train_fdconv", "train_condconv");

    @TempDir
    Path runs;

    private static Path fashion() {
        return TestHosts.examples().resolve("fdconv-fashion.yaml");
    }

    @Test
    void fdconvFashionValidatesWithoutTheDataFolder() {
        try (TesseraHost host = TestHosts.started()) {
            // validation checks steps, keys, values and wiring; the data folder is read only when the step runs
            ValidationReport report = Pipelines.of(host).validate(fashion(),
                    List.of("steps.data.with.dir=/nonexistent/fashion-mnist"));
            assertThat(report.problems()).as(report.describe()).isEmpty();
            assertThat(Pipelines.of(host).validate(fashion()).problems()).isEmpty();
            // and it is strict about the new step's keys
            ValidationReport bad = Pipelines.of(host).validate(fashion(), List.of(
                    "steps.train_fdconv.with.replace=[conv3]", "steps.train_condconv.with.routing=softmx"));
            assertThat(bad.describe()).contains("steps.train_fdconv.with.replace")
                    .contains("[conv1, conv2]").contains("did you mean 'softmax'?");
        }
    }

    @Test
    void fdconvFashionShrunkToTheBundledSampleComparesAccuracyParametersAndStepTime() throws Exception {
        List<String> sets = new ArrayList<>(List.of("steps.data.with.dir=''", "steps.data.with.limit=256"));
        TRAIN_STEPS.forEach(s -> sets.add("steps." + s + ".with.training.max_batches=2"));
        RunResult result;
        try (TesseraHost host = TestHosts.started()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(runs).parallelism(1);
            sets.forEach(options::set);
            result = Pipelines.of(host).run(fashion(), options.build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();

        JsonNode comparison = JSON.readTree(dir.resolve("steps/compare/comparison.json").toFile());
        assertThat(comparison.get("rows")).hasSize(3);
        Map<String, JsonNode> rows = new java.util.HashMap<>();
        comparison.get("rows").forEach(r -> rows.put(r.get("name").asText(), r.get("values")));
        assertThat(rows).containsOnlyKeys("eval_plain", "eval_fdconv", "eval_condconv");
        for (JsonNode v : rows.values()) {
            assertThat(v.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(v.get("ms_per_step").asDouble()).isPositive();
            assertThat(v.get("images_per_s").asDouble()).isPositive();
        }
        long plain = rows.get("eval_plain").get("parameters").asLong();
        assertThat(plain).isEqualTo(421_642);
        // CondConv holds 4 full conv2 kernels and a 4-way router; FDConv one kernel's worth of Fourier weights plus
        // its small modulation heads
        assertThat(rows.get("eval_condconv").get("parameters").asLong()).isEqualTo(plain + 3L * 18_496 + 32 * 4 + 4);
        long fdconv = rows.get("eval_fdconv").get("parameters").asLong();
        assertThat(fdconv).isGreaterThan(plain).isLessThan(rows.get("eval_condconv").get("parameters").asLong());

        // Step times go to run.json and the report, not to metrics.json, which stays reproducible.
        JsonNode run = JSON.readTree(dir.resolve("run.json").toFile());
        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        for (String s : TRAIN_STEPS) {
            assertThat(run.at("/steps/" + s + "/timings/ms_per_step").asDouble()).as(s).isPositive();
            assertThat(metrics.at("/steps/" + s + "/metrics/parameters").isNumber()).as(s).isTrue();
            assertThat(metrics.at("/steps/" + s + "/metrics").has("ms_per_step")).as(s).isFalse();
            assertThat(metrics.at("/steps/" + s + "/epochs")).hasSize(1);
        }
        assertThat(Files.readString(dir.resolve("logs/train_fdconv.log")))
                .contains("conv2=fdconv(kernel_num=4, fbm=true, ksm_local=true)");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("ms_per_step").contains("eval_fdconv").contains("eval_condconv");
    }

    @Test
    void aLastBatchOfOneImageIsRefusedBeforeFdconvTrainingStarts() {
        Pipeline p = Pipeline.builder("fdconv-one").backend("cpu")
                .step("data", "datasets/idx", s -> s.with("sample", "fashion-mnist").with("limit", 101))
                .step("train", "fdconv/train-classifier", s -> s.with("training", Map.of("batch_size", 20))
                        .input("train", "data.train"))
                .build();
        try (TesseraHost host = TestHosts.started()) {
            RunResult r = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).build());
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.failure().orElseThrow()).contains("step 'train' (fdconv/train-classifier) failed")
                    .contains("hold 1 of the 101 training images").contains("e.g. 21");
        }
    }

    /** The FDConv CNN stopped after a mid-epoch checkpoint and resumed ends with the uninterrupted run's metrics. */
    @Test
    void trainClassifierResumesToTheMetricsOfAnUninterruptedRun() throws Exception {
        Pipeline p = Pipeline.builder("fdconv-resume").backend("cpu").seed(3)
                .step("data", "datasets/idx", s -> s.with("sample", "fashion-mnist").with("limit", 120))
                .step("train", "fdconv/train-classifier", s -> s.with("layer", "fdconv")
                        .with("training", Map.of("epochs", 2, "batch_size", 20, "max_batches", 3, "checkpoint_every", 2,
                                "schedule", Map.of("type", "step", "step_size", 1, "gamma", 0.5)))
                        .input("train", "data.train").input("val", "data.test"))
                .build();
        try (TesseraHost host = TestHosts.started()) {
            RunResult whole = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).build());
            assertThat(whole.succeeded()).as(whole.failure().orElse("")).isTrue();

            AtomicBoolean stop = new AtomicBoolean();
            RunResult stopped = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).cancelWhen(stop::get)
                    .listener(e -> {
                        // optimizer step 4 is the first batch of the second epoch
                        if (e instanceof PipelineEvent.CheckpointSaved c && c.position() == 4) {
                            stop.set(true);
                        }
                    }).build());
            assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);

            RunResult resumed = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs)
                    .resume(stopped.runDirectory()).build());
            assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
            assertThat(Files.readString(resumed.runDirectory().resolve("metrics.json")))
                    .isEqualTo(Files.readString(whole.runDirectory().resolve("metrics.json")));
            assertThat(Files.readString(resumed.runDirectory().resolve("logs/train.log")))
                    .contains("resuming from checkpoint").contains("(optimizer step 4)");
        }
    }
}
