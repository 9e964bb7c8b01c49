package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.pipeline.Step;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.ValidationReport;
import io.tessera.plugin.dcd.CompositesStep;
import io.tessera.plugin.dcd.DistillStep;
import io.tessera.plugin.dcd.EvaluateStep;
import io.tessera.plugin.dcd.TrainTeacherStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcd-retrieval.yaml}: it validates without the data folder, and shrunk to the bundled Fashion-MNIST sample (a
 * few dozen composites, one short epoch each) it runs end to end: the teacher, three student variants over three
 * seeds, R@K both ways with latency in one comparison, and the query gallery of every evaluation.
 */
class DcdPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DISTILL = List.of("distill_a", "distill_b", "distill_c");

    @TempDir
    Path runs;

    static TesseraHost host() {
        TesseraHost host = TestHosts.started();
        for (Step<?> s : List.<Step<?>>of(new CompositesStep(), new TrainTeacherStep(), new DistillStep(),
                new EvaluateStep())) {
            if (Pipelines.of(host).step(s.name()).isEmpty()) {
                host.services().register(Step.class, s);
            }
        }
        return host;
    }

    private static Path pipeline() {
        return TestHosts.examples().resolve("dcd-retrieval.yaml");
    }

    @Test
    void dcdRetrievalValidatesAndRejectsBadSettings() {
        try (TesseraHost host = host()) {
            ValidationReport report = Pipelines.of(host).validate(pipeline(),
                    List.of("steps.data.with.dir=/nonexistent/fashion-mnist"));
            assertThat(report.problems()).as(report.describe()).isEmpty();
            ValidationReport bad = Pipelines.of(host).validate(pipeline(), List.of("steps.distill_b.with.k=20",
                    "steps.distill_c.with.variant=per-sampel"));
            assertThat(bad.describe()).contains("k <= pool").contains("did you mean 'per-sample'?");
        }
    }

    @Test
    void dcdRetrievalShrunkToTheBundledSampleComparesTeacherAndThreeVariants() throws Exception {
        List<String> sets = new ArrayList<>(List.of("steps.data.with.dir=''", "steps.composites.with.train_size=64",
                "steps.composites.with.test_size=24", "steps.teacher.with.epochs=1", "steps.teacher.with.stem_epochs=1", "steps.teacher.with.dim=16",
                "steps.teacher.with.heads=2"));
        for (String d : DISTILL) {
            sets.add("steps." + d + ".with.epochs=1");
            sets.add("steps." + d + ".with.hidden=32");
            sets.add("steps." + d + ".with.dim=16");
        }
        for (String e : List.of("eval_teacher", "eval_a", "eval_b", "eval_c")) {
            sets.add("steps." + e + ".with.candidates=100");
            sets.add("steps." + e + ".with.repeats=1");
        }
        RunResult result;
        try (TesseraHost host = host()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(runs).parallelism(1);
            sets.forEach(options::set);
            result = Pipelines.of(host).run(pipeline(), options.build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();

        JsonNode comparison = JSON.readTree(dir.resolve("steps/compare/comparison.json").toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        comparison.get("rows").forEach(r -> rows.put(r.get("name").asText(), r.get("values")));
        assertThat(rows).containsOnlyKeys("teacher", "(a) hard labels", "(b) DCD official", "(c) DCD per-sample");
        for (Map.Entry<String, JsonNode> e : rows.entrySet()) {
            JsonNode v = e.getValue();
            for (String k : List.of("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")) {
                assertThat(v.get(k).asDouble()).as(e.getKey() + " " + k).isBetween(0.0, 1.0);
            }
            assertThat(v.get("i2t_r10").asDouble()).isGreaterThanOrEqualTo(v.get("i2t_r1").asDouble());
            assertThat(v.get("rank_ms").asDouble()).isPositive();
            if (!e.getKey().equals("teacher")) {
                assertThat(v.get("speedup_vs_teacher").asDouble()).isPositive();
            }
        }
        String metrics = JSON.readTree(dir.resolve("metrics.json").toFile()).toString();
        assertThat(metrics).contains("t2i_r1/seed3");
        for (String e : List.of("eval_teacher", "eval_a", "eval_b", "eval_c")) {
            Path png = dir.resolve("steps/" + e + "/queries.png");
            assertThat(png).exists();
            assertThat(Files.readAllBytes(png)[1]).isEqualTo((byte) 'P');
            JsonNode q = JSON.readTree(dir.resolve("steps/" + e + "/queries.json").toFile());
            assertThat(q.get("text_to_image")).isNotEmpty();
            assertThat(q.get("text_to_image").get(0).get("top")).hasSize(5);
            assertThat(q.get("image_to_text").get(0).get("top").get(0).get("caption").asText()).isNotBlank();
        }
        assertThat(Files.readString(dir.resolve("report.html"))).contains("queries.png");
    }
}
