package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.problem.Problem;
import io.tessera.host.TesseraHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fan-out steps ({@code matrix:}) on the local executor: items, gathering, seeds, retries, resume, validation. */
class FanOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TesseraHost host;

    @BeforeEach
    void startHost() {
        host = TestSteps.host();
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("sweep.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static final String SWEEP = """
            name: sweep
            seed: 5
            steps:
              base: { uses: test/source, with: { value: 2 } }
              trial:
                uses: test/trial
                matrix:
                  seed: [11, 12]
                  x: [1, 2, 3]
                max_parallel: 3
                inputs: { base: base.value }
              compare:
                uses: core/compare
                with: { keys: [score], sort_by: score }
                inputs: { metrics: trial.metrics }
            outputs: { scores: trial.metrics }
            """;

    @Test
    void everyItemRunsInItsOwnFolderAndTheResultsAreGatheredInMatrixOrder() throws Exception {
        Path file = write(SWEEP);
        try (RunResult r = Pipelines.of(host).run(file, RunOptions.builder().outputRoot(dir.resolve("runs"))
                .keepOutputs(true).build())) {
            assertThat(r.status()).as(r.failure().orElse("")).isEqualTo(RunStatus.SUCCEEDED);
            @SuppressWarnings("unchecked")
            List<Metrics> scores = (List<Metrics>) r.outputs().get("scores");
            // the first matrix key varies slowest: (11,1) (11,2) (11,3) (12,1) (12,2) (12,3)
            assertThat(scores).extracting(Metrics::name).containsExactly("trial-0", "trial-1", "trial-2", "trial-3",
                    "trial-4", "trial-5");
            List<Double> x = new ArrayList<>();
            for (Metrics m : scores) {
                x.add(Math.floor(m.get("score")) / 2);   // score = x * base + seed digits / 1000, base = 2
            }
            assertThat(x).containsExactly(1.0, 2.0, 3.0, 1.0, 2.0, 3.0);
            // items of one seed share the seed; the two seeds differ
            assertThat(r.metric("trial-0", "seed")).isEqualTo(r.metric("trial-2", "seed"));
            assertThat(r.metric("trial-0", "seed")).isNotEqualTo(r.metric("trial-3", "seed"));
            assertThat(r.metric("trial", "items_succeeded")).contains(6.0);
            assertThat(r.metric("trial", "score_mean")).isPresent();
            for (int i = 0; i < 6; i++) {
                Path item = r.runDirectory().resolve("steps/trial/items/" + i);
                assertThat(Files.readString(item.resolve("runs.txt"))).isEqualTo("1");
                JsonNode json = JSON.readTree(item.resolve("item.json").toFile());
                assertThat(json.path("status").asText()).isEqualTo("succeeded");
                assertThat(json.path("id").asText()).isEqualTo("trial-" + i);
            }
            JsonNode metrics = JSON.readTree(r.runDirectory().resolve("metrics.json").toFile());
            List<String> steps = new ArrayList<>();
            metrics.path("steps").fieldNames().forEachRemaining(steps::add);
            assertThat(steps).containsExactly("base", "trial", "trial-0", "trial-1", "trial-2", "trial-3", "trial-4",
                    "trial-5", "compare");
            assertThat(metrics.path("steps").path("trial-4").path("epochs").get(0).path("score").asDouble())
                    .isEqualTo(scores.get(4).get("score"));
            assertThat(Files.readString(r.runDirectory().resolve("pipeline.yaml"))).contains("matrix:");
        }
    }

    @Test
    void anItemWithSeedSTrainsAsTheStepWouldInAPipelineWithThatSeed() throws Exception {
        Path sweep = write(SWEEP);
        RunResult swept = Pipelines.of(host).run(sweep, RunOptions.builder().outputRoot(dir.resolve("runs")).build());
        Path single = dir.resolve("single.yaml");
        Files.writeString(single, """
                name: single
                seed: 12
                steps:
                  base: { uses: test/source, with: { value: 2 } }
                  trial: { uses: test/trial, with: { x: 2 }, inputs: { base: base.value } }
                """);
        RunResult one = Pipelines.of(host).run(single, RunOptions.builder().outputRoot(dir.resolve("runs")).build());
        assertThat(swept.metric("trial-4", "score")).isEqualTo(one.metric("trial", "score")).isPresent();
    }

    @Test
    void aFailedItemIsRetriedThenReportedWithoutLosingTheOthersAndResumeRunsOnlyIt() throws Exception {
        Path file = write("""
                name: flaky
                steps:
                  trial:
                    uses: test/trial
                    with: { fail_x: 2, fail_times: 2 }
                    matrix: { x: [1, 2, 3] }
                    retries: 1
                """);
        RunResult first = Pipelines.of(host).run(file, RunOptions.builder().outputRoot(dir.resolve("runs")).build());
        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(first.failure().orElseThrow()).contains("1 of 3 items failed: trial-1 (x=2) after 2 attempts")
                .contains("planned failure 2").contains("--resume runs only the failed ones");
        Path run = first.runDirectory();
        assertThat(first.metric("trial-0", "score")).isPresent();
        assertThat(first.metric("trial-2", "score")).isPresent();
        assertThat(Files.readString(run.resolve("steps/trial/items/1/runs.txt"))).isEqualTo("2");
        assertThat(JSON.readTree(run.resolve("steps/trial/items/1/item.json").toFile()).path("status").asText())
                .isEqualTo("failed");

        RunResult resumed = Pipelines.of(host).run(file, RunOptions.builder().resume(run).build());
        assertThat(resumed.status()).as(resumed.failure().orElse("")).isEqualTo(RunStatus.SUCCEEDED);
        // the finished items were skipped; the failed one ran a third time and succeeded
        assertThat(Files.readString(run.resolve("steps/trial/items/0/runs.txt"))).isEqualTo("1");
        assertThat(Files.readString(run.resolve("steps/trial/items/2/runs.txt"))).isEqualTo("1");
        assertThat(Files.readString(run.resolve("steps/trial/items/1/runs.txt"))).isEqualTo("3");
        assertThat(resumed.metric("trial-0", "score")).isEqualTo(first.metric("trial-0", "score"));
        assertThat(resumed.metric("trial", "items_succeeded")).contains(3.0);
        assertThat(Files.exists(run.resolve("INCOMPLETE"))).isFalse();
    }

    @Test
    void theFanOutKeysAreValidatedAtTheirLines() throws Exception {
        Path file = write("""
                name: bad
                steps:
                  base: { uses: test/source }
                  trial:
                    uses: test/trial
                    matrix:
                      xx: [1, 2]
                      fail_x: 3
                      x: [1, "two"]
                    retries: -1
                    executor: sparky
                  plain:
                    uses: test/source
                    retries: 2
                  add:
                    uses: test/add
                    inputs: { a: trial.value, b: base.value }
                """);
        ValidationReport report = Pipelines.of(host).validate(file, List.of());
        List<String> lines = report.problems().stream().map(Problem::describe).toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(":7:").contains("matrix key 'xx' is not a config key"
                + " of test/trial").contains("did you mean 'x'"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(":8:").contains("matrix key 'fail_x' needs a non-empty"
                + " list of values"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(":10:").contains("'retries' must be an integer in"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(":11:").contains("unknown executor 'sparky'")
                .contains("installed: local"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(":14:").contains("'retries' applies to a fan-out"
                + " step only"));
        // once the keys are right, each item's config is built: a bad value is reported at its own position
        Path second = write("""
                name: bad
                steps:
                  base: { uses: test/source }
                  trial:
                    uses: test/trial
                    matrix:
                      x: [1, "two", 500]
                  add:
                    uses: test/add
                    inputs: { a: trial.value, b: base.value }
                  pick:
                    uses: core/compare
                    inputs: { metrics: trial.metrics }
                  one:
                    uses: core/evaluate
                    inputs: { training: trial.metrics }
                """);
        List<String> lines2 = Pipelines.of(host).validate(second, List.of()).problems().stream()
                .map(Problem::describe).toList();
        assertThat(lines2).anySatisfy(l -> assertThat(l).contains(":7:14").contains("two"));
        assertThat(lines2).anySatisfy(l -> assertThat(l).contains(":7:21").contains("500"));
        assertThat(lines2).anySatisfy(l -> assertThat(l).contains(":10:").contains("only its Metrics outputs reach"
                + " other steps").contains("'value' (Double)"));
        assertThat(lines2).anySatisfy(l -> assertThat(l).contains(":16:").contains("so trial.metrics is a list of 3"
                + " Metrics"));
        assertThat(lines2).noneSatisfy(l -> assertThat(l).contains(":13:"));
    }
}
