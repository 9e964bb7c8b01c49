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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dwff-scenes.yaml}: it validates without the data folder, and shrunk to the bundled Fashion-MNIST sample (a
 * few dozen scenes, one short epoch) it runs end to end: ViT pre-training, four decoder variants over three seeds,
 * their segmentation metrics in one comparison, and the gallery of test scenes with fusion weights per image.
 */
class DwffPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TRAIN = List.of("train_dwff", "train_swff", "train_nwff_last",
            "train_nwff_all");

    @TempDir
    Path runs;

    private static Path scenes() {
        return TestHosts.examples().resolve("dwff-scenes.yaml");
    }

    @Test
    void dwffScenesValidatesAndRejectsBadCanvases() {
        try (TesseraHost host = TestHosts.started()) {
            ValidationReport report = Pipelines.of(host).validate(scenes(),
                    List.of("steps.data.with.dir=/nonexistent/fashion-mnist"));
            assertThat(report.problems()).as(report.describe()).isEmpty();
            ValidationReport bad = Pipelines.of(host).validate(scenes(), List.of("steps.scenes.with.height=60",
                    "steps.train_dwff.with.fusion=dwf"));
            assertThat(bad.describe()).contains("multiples of 16").contains("did you mean 'dwff'?");
        }
    }

    @Test
    void dwffScenesShrunkToTheBundledSampleComparesFourVariantsOverThreeSeeds() throws Exception {
        List<String> sets = new ArrayList<>(List.of("steps.data.with.dir=''", "steps.scenes.with.train_scenes=48",
                "steps.scenes.with.test_scenes=16", "steps.vit.with.epochs=1", "steps.vit.with.limit=256",
                "steps.vit.with.dim=32", "steps.gallery.with.examples=3"));
        for (String t : TRAIN) {
            sets.add("steps." + t + ".with.epochs=1");
            sets.add("steps." + t + ".with.batch_size=8");
        }
        RunResult result;
        try (TesseraHost host = TestHosts.started()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(runs).parallelism(1);
            sets.forEach(options::set);
            result = Pipelines.of(host).run(scenes(), options.build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();

        JsonNode comparison = JSON.readTree(dir.resolve("steps/compare/comparison.json").toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        comparison.get("rows").forEach(r -> rows.put(r.get("name").asText(), r.get("values")));
        assertThat(rows).containsOnlyKeys("DWFF", "SWFF", "NWFF-last", "NWFF-all");
        for (JsonNode v : rows.values()) {
            assertThat(v.get("miou").asDouble()).isBetween(0.0, 1.0);
            assertThat(v.get("mean_f1").asDouble()).isBetween(0.0, 1.0);
            assertThat(v.get("miou_std").asDouble()).isGreaterThanOrEqualTo(0.0);
            assertThat(v.get("pixel_accuracy").asDouble()).isBetween(0.0, 1.0);
        }

        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        String text = metrics.toString();
        assertThat(text).contains("iou/T-shirt/top").contains("miou/seed3");
        // the gallery: a PNG and the per-image fusion weights; DWFF's are a softmax (they sum to 1 per scene)
        Path png = dir.resolve("steps/gallery/test-scenes.png");
        assertThat(png).exists();
        byte[] head = Files.readAllBytes(png);
        assertThat(head[1]).isEqualTo((byte) 'P');
        JsonNode weights = JSON.readTree(dir.resolve("steps/gallery/fusion-weights.json").toFile());
        assertThat(weights.get("scenes")).hasSize(3);
        for (JsonNode scene : weights.get("scenes")) {
            double sum = 0;
            for (JsonNode w : scene.get("DWFF")) {
                sum += w.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(scene.get("NWFF-last")).hasSize(1);
        }
        assertThat(Files.readString(dir.resolve("report.html"))).contains("test-scenes.png");
    }
}
