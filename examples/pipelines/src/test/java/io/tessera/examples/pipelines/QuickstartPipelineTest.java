package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart pipeline end to end on the CPU backend, shrunk with overrides (300 training images, one epoch) so
 * it stays fast: every step runs, and the run folder holds what docs/pipelines.md promises.
 */
class QuickstartPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path runs;

    @Test
    void quickstartProducesACompleteRunFolderWithReport() throws Exception {
        List<PipelineEvent> events = new CopyOnWriteArrayList<>();
        RunResult result;
        try (TesseraHost host = TestHosts.started()) {
            result = Pipelines.of(host).run(TestHosts.examples().resolve("quickstart.yaml"), RunOptions.builder()
                    .outputRoot(runs).set("steps.data.with.limit=300").set("steps.train_cnn.with.training.epochs=1")
                    .set("steps.train_mlp.with.training.epochs=1").set("steps.train_fdconv.with.training.epochs=1")
                    .listener(events::add).build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();
        assertThat(dir.getParent()).isEqualTo(runs);
        assertThat(dir.getFileName().toString()).matches("\\d{8}T\\d{6}Z-quickstart");
        assertThat(dir.resolve("INCOMPLETE")).doesNotExist();
        for (String f : List.of("pipeline.yaml", "run.json", "events.jsonl", "metrics.json", "curves.json",
                "report.html", "logs/run.log", "logs/train_cnn.log", "weights/cnn.safetensors",
                "steps/train_cnn/model.safetensors", "steps/eval_cnn/confusion.json")) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        // metrics.json agrees with the result and the evaluation is a real one: limit 300 keeps 300 of the 500 test
        // images (the limit applies to each split), so the accuracy is a whole number of 300ths.
        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        double accuracy = metrics.at("/steps/eval_cnn/metrics/accuracy").asDouble();
        assertThat(result.metric("eval_cnn", "accuracy")).contains(accuracy);
        assertThat(accuracy * 300).isCloseTo(Math.rint(accuracy * 300), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(metrics.at("/steps/train_cnn/epochs")).hasSize(1);
        assertThat(result.metric("compare", "best_accuracy")).isPresent();
        assertThat(metrics.at("/steps/eval_fdconv/metrics/accuracy").isNumber()).isTrue();
        // The resolved pipeline keeps every config key, with the override applied.
        assertThat(Files.readString(dir.resolve("pipeline.yaml"))).contains("limit: 300").contains("val_size: 200")
                .contains("batch_size: 50")
                .contains("checkpoint_every: 10");
        // events.jsonl: one JSON object a line, from run-start to run-end.
        List<String> lines = Files.readAllLines(dir.resolve("events.jsonl"));
        assertThat(JSON.readTree(lines.get(0)).get("type").asText()).isEqualTo("run-start");
        assertThat(JSON.readTree(lines.get(lines.size() - 1)).get("status").asText()).isEqualTo("succeeded");
        assertThat(lines).anyMatch(l -> l.contains("\"type\":\"epoch\"") && l.contains("train_cnn"));
        assertThat(events).anyMatch(e -> e instanceof PipelineEvent.StepProgress p && p.step().equals("train_cnn"));
        // The exported weights carry PyTorch's names.
        SafetensorsFile weights = Safetensors.read(dir.resolve("weights/cnn.safetensors"));
        assertThat(weights.tensors().keySet()).containsExactly("conv1.weight", "conv1.bias", "conv2.weight",
                "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        assertThat(weights.tensor("fc1.weight").shape()).containsExactly(128, 3136);
        // report.html shows real PNG charts, each one present and decodable.
        String html = Files.readString(dir.resolve("report.html"));
        Matcher m = Pattern.compile("<img src=\"(report/[^\"]+\\.png)\"").matcher(html);
        int charts = 0;
        while (m.find()) {
            BufferedImage img = ImageIO.read(dir.resolve(m.group(1)).toFile());
            assertThat(img).as(m.group(1)).isNotNull();
            assertThat(img.getWidth()).isGreaterThan(300);
            charts++;
        }
        assertThat(charts).isGreaterThanOrEqualTo(5);
        assertThat(html).contains("Training curves", "Comparisons", "Confusion matrices", "Timings",
                "Resolved pipeline");
        try (Stream<Path> tmp = Files.walk(dir)) {
            assertThat(tmp.filter(p -> p.getFileName().toString().startsWith(".tmp-"))).as("temporary files")
                    .isEmpty();
        }
    }
}
