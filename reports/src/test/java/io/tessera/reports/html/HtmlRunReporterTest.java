package io.tessera.reports.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.pipelines.RunStatus;
import io.tessera.pipelines.report.RunReporter;
import io.tessera.pipelines.report.RunSummary;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlRunReporterTest {

    @TempDir
    Path run;

    @Test
    void isOfferedAsAServiceOnTheModulePathAndTheClassPath() throws Exception {
        assertThat(HtmlRunReporter.class.getModule().getDescriptor().provides()).anySatisfy(p -> {
            assertThat(p.service()).isEqualTo(RunReporter.class.getName());
            assertThat(p.providers()).containsExactly(HtmlRunReporter.class.getName());
        });
        try (var in = HtmlRunReporter.class.getModule().getResourceAsStream("META-INF/services/"
                + RunReporter.class.getName())) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip())
                    .isEqualTo(HtmlRunReporter.class.getName());
        }
    }

    @Test
    void writesEverySectionWithDecodableChartsAndEscapedText() throws Exception {
        Path evalDir = Files.createDirectories(run.resolve("steps/eval"));
        Files.writeString(evalDir.resolve("confusion.json"), """
                {"classes": ["T-shirt", "Coat"], "counts": [[8, 2], [1, 9]]}
                """);
        Path compareDir = Files.createDirectories(run.resolve("steps/compare"));
        Files.writeString(compareDir.resolve("comparison.json"), """
                {"keys": ["accuracy", "parameters"],
                 "rows": [{"name": "cnn", "values": {"accuracy": 0.85, "parameters": 1200}},
                          {"name": "mlp <b>", "values": {"accuracy": 0.8, "parameters": 900}}]}
                """);
        Files.writeString(run.resolve("pipeline.yaml"), "name: demo\nsteps:\n  train: {uses: core/train}\n");
        Files.writeString(run.resolve("run.json"), """
                {"status": "failed",
                 "provenance": {"tessera": "1.0.0", "api": "1.0", "java": "17.0.15", "commandLine": ["run", "p.yaml"],
                                "plugins": [{"id": "io.acme.x", "version": "2.1.0", "source": "/p/x.jar",
                                             "sha256": "00ff"}]},
                 "inputs": {"files": [{"path": "/data/train.idx", "bytes": 47040016, "sha256": "abcd"}]}}
                """);

        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        metrics.put("eval", new LinkedHashMap<>(Map.of("accuracy", 0.85, "class_accuracy/Coat", 0.9,
                "class_accuracy/T-shirt", 0.8)));
        NavigableMap<Long, Double> loss = new TreeMap<>(Map.of(1L, 2.3, 2L, 1.9, 3L, 1.2));
        Map<String, Map<String, NavigableMap<Long, Double>>> series = Map.of("train", Map.of("loss", loss));
        NavigableMap<Integer, Map<String, Double>> epochs = new TreeMap<>(Map.of(
                1, Map.of("loss", 1.5, "accuracy", 0.6), 2, Map.of("loss", 1.1, "accuracy", 0.7)));
        Map<String, Double> seconds = new LinkedHashMap<>(Map.of("train", 3.5));
        seconds.put("eval", 0.4);
        Map<String, String> statuses = new LinkedHashMap<>();
        List.of("train", "eval", "compare").forEach(s -> statuses.put(s, "succeeded"));
        Map<String, Path> dirs = new LinkedHashMap<>();
        List.of("train", "eval", "compare").forEach(s -> dirs.put(s, run.resolve("steps").resolve(s)));

        RunSummary summary = new RunSummary(run, run.resolve("report.html"), run.resolve("report"),
                run.resolve("pipeline.yaml"), "demo <&>", "p.yaml", 7, "cpu", RunStatus.FAILED,
                "step 'x' failed: a < b", Instant.parse("2026-01-02T03:04:05Z"), 4.5,
                List.of("train", "eval", "compare"), Map.of("train", "core/train", "eval", "core/evaluate",
                "compare", "core/compare"), dirs, metrics, series, Map.of("train", epochs), seconds, statuses,
                Map.of("train", Map.of("ms_per_step", 12.5)));
        new HtmlRunReporter().write(summary);

        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>demo &lt;&amp;&gt; — Tessera run report")
                .contains("<span class=\"status failed\">failed</span>")
                .contains("<p><strong>step &#39;x&#39; failed: a &lt; b</strong></p>")
                .contains("<tr><th>wall time</th><td>4.5 s</td></tr>")
                .contains("<h2>Metrics</h2>", "<h2>Training curves</h2>", "<h2>Comparisons</h2>",
                        "<h2>Confusion matrices and per-class accuracy</h2>", "<h2>Timings</h2>",
                        "<h2>Resolved pipeline</h2>")
                .contains("<td class=\"num\">0.8500</td>").contains("mlp &lt;b&gt;").doesNotContain("mlp <b>")
                .contains("<h3>eval: per class</h3>").contains("ms_per_step 12.5000")
                .contains("<pre>name: demo\nsteps:\n  train: {uses: core/train}\n</pre>")
                // provenance from run.json: versions, command line, plugins with jar hashes, input files with hashes
                .contains("<h2>Provenance</h2>", "tessera run p.yaml", "io.acme.x", "00ff", "/data/train.idx",
                        "47040016", "abcd");
        Matcher m = Pattern.compile("<img src=\"(report/[^\"]+\\.png)\"").matcher(html);
        List<String> images = new ArrayList<>();
        while (m.find()) {
            images.add(m.group(1));
        }
        // loss per step, loss and accuracy per epoch, compare (unit metrics), parameters, confusion, per class, timings
        assertThat(images).hasSize(8);
        for (String image : images) {
            BufferedImage png = ImageIO.read(run.resolve(image).toFile());
            assertThat(png).as(image).isNotNull();
            assertThat(png.getWidth()).isGreaterThan(100);
        }
    }
}
