package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wpca-search.yaml} shrunk to a small search on the bundled sample: it samples, scores, trains (two shards),
 * correlates, searches and trains what the search found, end to end through the pipeline engine.
 */
class WpcaPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path runs;

    private static Path file() {
        return TestHosts.examples().resolve("wpca-search.yaml");
    }

    @Test
    void validatesAndRejectsBadKeys() {
        try (TesseraHost host = TestHosts.started()) {
            ValidationReport report = Pipelines.of(host).validate(file());
            assertThat(report.problems()).as(report.describe()).isEmpty();
            ValidationReport bad = Pipelines.of(host).validate(file(), List.of("steps.search.with.proxy=wpcaa",
                    "steps.train_a.with.shard=5"));
            assertThat(bad.describe()).contains("steps.search.with.proxy").contains("steps.train_a");
        }
    }

    @Test
    void smallSearchOnTheBundledSampleRunsEndToEnd() throws Exception {
        List<String> sets = List.of("steps.data.with.limit=300", "steps.sample.with.count=6",
                "steps.score.with.batch_size=16",
                "steps.train_a.with.seeds=1", "steps.train_b.with.seeds=2", "steps.train_a.with.epochs=1",
                "steps.train_b.with.epochs=1", "steps.train_a.with.train_limit=128",
                "steps.train_b.with.train_limit=128", "steps.train_a.with.test_limit=100",
                "steps.train_b.with.test_limit=100",
                "steps.search.with.max_epochs=2", "steps.search.with.population_num=4",
                "steps.search.with.mutation_num=3", "steps.search.with.crossover_num=3",
                "steps.search.with.batch_size=16", "steps.search.with.random_repeats=2",
                "steps.train_found.with.seeds=1", "steps.train_found.with.epochs=1",
                "steps.train_found.with.train_limit=128", "steps.train_found.with.test_limit=100");
        RunResult result;
        try (TesseraHost host = TestHosts.started()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(runs).parallelism(1);
            sets.forEach(options::set);
            result = Pipelines.of(host).run(file(), options.build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();
        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        for (String p : List.of("wpca", "pca", "params", "synflow", "grad_norm")) {
            double tau = metrics.at("/steps/correlate/metrics/tau_b~1" + p).asDouble(Double.NaN);
            assertThat(metrics.at("/steps/correlate/metrics").has("tau_b/" + p)).as(p).isTrue();
            assertThat(Math.abs(tau)).as("tau_b/" + p).isLessThanOrEqualTo(1.0);
            assertThat(dir.resolve("steps/correlate/scatter-" + p + ".png")).exists();
        }
        assertThat(metrics.at("/steps/correlate/metrics/candidates").asInt()).isEqualTo(6);
        // shard a trains candidates 0, 2, 4 with one seed; shard b 1, 3, 5 with two
        assertThat(Files.readAllLines(dir.resolve("steps/train_a/accuracy.csv"))).hasSize(4);
        assertThat(Files.readAllLines(dir.resolve("steps/train_b/accuracy.csv")).get(0)).endsWith("seed0,seed1");
        JsonNode search = metrics.at("/steps/search/metrics");
        assertThat(search.get("budget_evaluations").asInt()).isGreaterThanOrEqualTo(4);
        assertThat(search.get("ga_best_proxy").asDouble()).isPositive();
        assertThat(metrics.at("/steps/train_found/metrics").has("acc/ga-best")).isTrue();
        assertThat(metrics.at("/steps/train_found/metrics").has("acc/random-best")).isTrue();
        assertThat(dir.resolve("steps/search/search-curves.png")).exists();
        assertThat(Files.readString(dir.resolve("steps/score/scores.csv")).lines()).hasSize(7);
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("scatter-wpca.png").contains("search-curves.png");
    }
}
