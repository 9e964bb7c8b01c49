package io.tessera.pipelines.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.pipelines.RunStatus;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes {@code report.html} and its PNG charts (XChart, drawn headless) into the run folder: status and summary,
 * the metrics table, training curves per training step, comparisons across steps, confusion matrices, per-class
 * accuracy, timings, the figures steps left in their work folders, and the resolved pipeline.
 */
final class ReportWriter {
    private static final int WIDTH = 540;
    private static final int HEIGHT = 360;
    private static final List<String> SHARED_METRICS = List.of("accuracy", "macro_f1", "val_accuracy");

    private final RunFolder folder;
    private final ValidatedPipeline pipeline;
    private final RunRecord record;
    private final RunStatus status;
    private final String failure;
    private final String backend;
    private final Instant started;
    private final double seconds;
    private final StringBuilder html = new StringBuilder();
    private int charts;

    ReportWriter(RunFolder folder, ValidatedPipeline pipeline, RunRecord record, RunStatus status, String failure,
            String backend, Instant started, double seconds) {
        this.folder = folder;
        this.pipeline = pipeline;
        this.record = record;
        this.status = status;
        this.failure = failure;
        this.backend = backend;
        this.started = started;
        this.seconds = seconds;
    }

    void write() throws IOException {
        // Charts are drawn off screen; a server without a display must not try to open one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(folder.reportAssets());
        head();
        summary();
        metricsTable();
        trainingCurves();
        comparisons();
        confusionMatrices();
        timings();
        figures();
        config();
        html.append("</main>\n</body>\n</html>\n");
        AtomicFiles.writeString(folder.report(), html.toString());
    }

    private void head() {
        html.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%s — Tessera run report</title>
                <style>
                body { font-family: system-ui, -apple-system, "DejaVu Sans", sans-serif; margin: 0; color: #1d2330;
                       background: #f6f7f9; }
                main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
                h1 { font-size: 26px; margin-bottom: 4px; }
                h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #d8dce3; padding-bottom: 4px; }
                table { border-collapse: collapse; background: white; margin: 8px 0; }
                th, td { border: 1px solid #d8dce3; padding: 5px 10px; text-align: left; font-size: 14px; }
                th { background: #eef0f4; }
                td.num { text-align: right; font-variant-numeric: tabular-nums; }
                .status { display: inline-block; padding: 3px 10px; border-radius: 4px; color: white;
                          font-weight: 600; }
                .succeeded { background: #2e7d32; } .failed { background: #c62828; }
                .cancelled { background: #ef6c00; }
                figure { display: inline-block; margin: 8px 16px 8px 0; background: white; padding: 6px;
                         border: 1px solid #d8dce3; }
                figure img { display: block; max-width: 100%%; }
                figcaption { font-size: 13px; color: #555; padding-top: 4px; }
                pre { background: white; border: 1px solid #d8dce3; padding: 12px; overflow-x: auto;
                      font-size: 13px; }
                .muted { color: #666; }
                </style>
                </head>
                <body>
                <main>
                """.formatted(esc(pipeline.name())));
    }

    private void summary() {
        String st = status.name().toLowerCase(Locale.ROOT);
        html.append("<h1>").append(esc(pipeline.name())).append(" <span class=\"status ").append(st).append("\">")
                .append(st).append("</span></h1>\n");
        html.append("<p class=\"muted\">Tessera pipeline run <code>").append(esc(folder.dir().getFileName()
                .toString())).append("</code></p>\n");
        if (!failure.isEmpty()) {
            html.append("<p><strong>").append(esc(failure)).append("</strong></p>\n");
        }
        html.append("<table>\n");
        row("source", pipeline.source());
        row("backend", backend);
        row("seed", Long.toString(pipeline.seed()));
        row("started", started.toString());
        row("wall time", String.format(Locale.ROOT, "%.1f s", seconds));
        row("steps", String.join(", ", pipeline.steps().stream().map(ValidatedPipeline.StepNode::id).toList()));
        html.append("</table>\n");
    }

    private void row(String key, String value) {
        html.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private void metricsTable() {
        Map<String, Map<String, Double>> metrics = record.metrics();
        html.append("<h2>Metrics</h2>\n");
        if (metrics.isEmpty()) {
            html.append("<p class=\"muted\">No step recorded metrics.</p>\n");
            return;
        }
        html.append("<table>\n<tr><th>step</th><th>uses</th><th>metric</th><th>value</th></tr>\n");
        Map<String, String> uses = record.uses();
        metrics.forEach((step, m) -> m.forEach((k, v) -> {
            if (!k.contains("/")) {
                html.append("<tr><td>").append(esc(step)).append("</td><td>").append(esc(uses.getOrDefault(step,
                        ""))).append("</td><td>").append(esc(k)).append("</td><td class=\"num\">").append(fmt(v))
                        .append("</td></tr>\n");
            }
        }));
        html.append("</table>\n");
        // Per-class values (keys like class_accuracy/Coat) in one table per step.
        metrics.forEach((step, m) -> {
            Map<String, Map<String, Double>> perClass = new TreeMap<>();
            m.forEach((k, v) -> {
                int slash = k.indexOf('/');
                if (slash > 0) {
                    perClass.computeIfAbsent(k.substring(slash + 1), c -> new LinkedHashMap<>())
                            .put(k.substring(0, slash), v);
                }
            });
            if (perClass.isEmpty()) {
                return;
            }
            Set<String> cols = new LinkedHashSet<>();
            perClass.values().forEach(r -> cols.addAll(r.keySet()));
            html.append("<h3>").append(esc(step)).append(": per class</h3>\n<table>\n<tr><th>class</th>");
            cols.forEach(c -> html.append("<th>").append(esc(c)).append("</th>"));
            html.append("</tr>\n");
            perClass.forEach((cls, r) -> {
                html.append("<tr><td>").append(esc(cls)).append("</td>");
                cols.forEach(c -> html.append("<td class=\"num\">").append(r.containsKey(c) ? fmt(r.get(c)) : "")
                        .append("</td>"));
                html.append("</tr>\n");
            });
            html.append("</table>\n");
        });
    }

    private void trainingCurves() throws IOException {
        Map<String, Map<String, TreeMap<Long, Double>>> series = record.series();
        Map<String, TreeMap<Integer, Map<String, Double>>> epochs = record.epochs();
        Set<String> steps = new LinkedHashSet<>();
        for (ValidatedPipeline.StepNode n : pipeline.steps()) {
            if (series.containsKey(n.id()) || epochs.containsKey(n.id())) {
                steps.add(n.id());
            }
        }
        if (steps.isEmpty()) {
            return;
        }
        html.append("<h2>Training curves</h2>\n");
        for (String step : steps) {
            Map<String, TreeMap<Long, Double>> s = series.getOrDefault(step, Map.of());
            if (!s.isEmpty()) {
                XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(step + ": per optimizer step")
                        .xAxisTitle("optimizer step").yAxisTitle(s.size() == 1 ? s.keySet().iterator().next()
                                : "value").build();
                style(chart.getStyler());
                s.forEach((name, pts) -> {
                    XYSeries xy = chart.addSeries(name, pts.keySet().stream().mapToDouble(Long::doubleValue)
                            .toArray(), pts.values().stream().mapToDouble(Double::doubleValue).toArray());
                    xy.setMarker(SeriesMarkers.NONE);
                });
                figure(chart, step + "-steps", step + ": " + String.join(", ", s.keySet()) + " per optimizer step");
            }
            TreeMap<Integer, Map<String, Double>> e = epochs.get(step);
            if (e != null && !e.isEmpty()) {
                Set<String> names = new LinkedHashSet<>();
                e.values().forEach(m -> names.addAll(m.keySet()));
                for (String group : List.of("loss", "accuracy", "lr")) {
                    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(step + ": " + group
                            + " per epoch").xAxisTitle("epoch").yAxisTitle(group).build();
                    style(chart.getStyler());
                    int added = 0;
                    for (String name : names) {
                        if (!name.endsWith(group)) {
                            continue;
                        }
                        List<Double> xs = new ArrayList<>();
                        List<Double> ys = new ArrayList<>();
                        e.forEach((ep, m) -> {
                            Double v = m.get(name);
                            if (v != null && Double.isFinite(v)) {
                                xs.add(ep.doubleValue());
                                ys.add(v);
                            }
                        });
                        if (!xs.isEmpty()) {
                            chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
                            added++;
                        }
                    }
                    boolean flatRate = group.equals("lr") && e.values().stream().map(m -> m.get("lr")).distinct()
                            .count() <= 1;
                    if (added > 0 && !flatRate) {
                        figure(chart, step + "-epoch-" + group, step + ": " + group + " per epoch");
                    }
                }
            }
        }
    }

    private void comparisons() throws IOException {
        List<String> withComparison = new ArrayList<>();
        for (ValidatedPipeline.StepNode s : pipeline.steps()) {
            Path file = folder.stepDir(s.id()).resolve("comparison.json");
            if (Files.isRegularFile(file)) {
                withComparison.add(s.id());
            }
        }
        Map<String, Map<String, Double>> metrics = record.metrics();
        // Steps sharing a metric (two evaluations' accuracy) get a bar chart even without core/compare.
        Map<String, Map<String, Double>> byMetric = new LinkedHashMap<>();
        metrics.forEach((step, m) -> m.forEach((k, v) -> {
            if (!k.contains("/") && Double.isFinite(v)) {
                byMetric.computeIfAbsent(k, x -> new LinkedHashMap<>()).put(step, v);
            }
        }));
        // Without a core/compare step, the evaluation metrics several steps share get one grouped chart.
        byMetric.keySet().retainAll(withComparison.isEmpty() ? SHARED_METRICS : List.of());
        byMetric.values().removeIf(m -> m.size() < 2);
        if (withComparison.isEmpty() && byMetric.isEmpty()) {
            return;
        }
        html.append("<h2>Comparisons</h2>\n");
        for (String id : withComparison) {
            JsonNode doc = PipelineTrees.JSON.readTree(folder.stepDir(id).resolve("comparison.json").toFile());
            List<String> keys = new ArrayList<>();
            doc.get("keys").forEach(k -> keys.add(k.asText()));
            List<String> names = new ArrayList<>();
            doc.get("rows").forEach(r -> names.add(r.get("name").asText()));
            html.append("<h3>").append(esc(id)).append("</h3>\n<table>\n<tr><th>model</th>");
            keys.forEach(k -> html.append("<th>").append(esc(k)).append("</th>"));
            html.append("</tr>\n");
            doc.get("rows").forEach(r -> {
                html.append("<tr><td>").append(esc(r.get("name").asText())).append("</td>");
                keys.forEach(k -> {
                    JsonNode v = r.get("values").get(k);
                    html.append("<td class=\"num\">").append(v == null || !v.isNumber() ? "" : fmt(v.asDouble()))
                            .append("</td>");
                });
                html.append("</tr>\n");
            });
            html.append("</table>\n");
            // Metrics in [0, 1] (accuracy, F1) share one grouped chart; any other (a loss, a parameter count, a
            // step time) gets a chart of its own, so that its scale does not flatten the others.
            List<String> unitKeys = new ArrayList<>();
            List<String> ownKeys = new ArrayList<>();
            for (String k : keys) {
                boolean unit = true;
                for (JsonNode r : doc.get("rows")) {
                    JsonNode v = r.get("values").get(k);
                    if (v != null && v.isNumber() && (v.asDouble() < 0 || v.asDouble() > 1)) {
                        unit = false;
                    }
                }
                (unit ? unitKeys : ownKeys).add(k);
            }
            if (!unitKeys.isEmpty()) {
                comparisonChart(doc, unitKeys, id + ": models compared", id + "-compare", id + ": "
                        + String.join(" vs ", names));
            }
            for (String k : ownKeys) {
                comparisonChart(doc, List.of(k), id + ": " + k, id + "-" + k, id + ": " + k + " of "
                        + String.join(", ", names));
            }
        }
        if (!byMetric.isEmpty()) {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("final metrics by step")
                    .xAxisTitle("step").yAxisTitle("value").build();
            style(chart.getStyler());
            byMetric.forEach((metric, values) -> chart.addSeries(metric, new ArrayList<>(values.keySet()),
                    new ArrayList<>(values.values())));
            figure(chart, "metrics-by-step", String.join(", ", byMetric.keySet()) + " of the steps that recorded"
                    + " them");
        }
    }

    /** A grouped bar chart of {@code keys} (x axis), one series per row of a {@code comparison.json}. */
    private void comparisonChart(JsonNode doc, List<String> keys, String title, String name, String caption)
            throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("metric").yAxisTitle("value").build();
        style(chart.getStyler());
        for (JsonNode r : doc.get("rows")) {
            List<String> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (String k : keys) {
                JsonNode v = r.get("values").get(k);
                if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                    xs.add(k);
                    ys.add(v.asDouble());
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(r.get("name").asText(), xs, ys);
            }
        }
        if (!chart.getSeriesMap().isEmpty()) {
            figure(chart, name, caption);
        }
    }

    private void confusionMatrices() throws IOException {
        boolean header = false;
        for (ValidatedPipeline.StepNode s : pipeline.steps()) {
            Path file = folder.stepDir(s.id()).resolve("confusion.json");
            if (!Files.isRegularFile(file)) {
                continue;
            }
            if (!header) {
                html.append("<h2>Confusion matrices and per-class accuracy</h2>\n");
                header = true;
            }
            JsonNode doc = PipelineTrees.JSON.readTree(file.toFile());
            List<String> classes = new ArrayList<>();
            doc.get("classes").forEach(c -> classes.add(c.asText()));
            int n = classes.size();
            List<Number[]> cells = new ArrayList<>();
            long max = 1;
            for (int t = 0; t < n; t++) {
                for (int p = 0; p < n; p++) {
                    long c = doc.get("counts").get(t).get(p).asLong();
                    max = Math.max(max, c);
                    // x = predicted class, y = true class (rows read top-down like the usual matrix).
                    cells.add(new Number[] {p, n - 1 - t, c});
                }
            }
            List<String> ys = new ArrayList<>(classes);
            java.util.Collections.reverse(ys);
            HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(WIDTH - 40).title(s.id()
                    + ": confusion matrix").xAxisTitle("predicted").yAxisTitle("true").build();
            chart.getStyler().setShowValue(true);
            chart.getStyler().setMin(0);
            chart.getStyler().setMax(max);
            chart.getStyler().setRangeColors(new Color[] {new Color(0xf4f6fb), new Color(0x90a8d8),
                    new Color(0x1f4e9c)});
            chart.getStyler().setXAxisLabelRotation(45);
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setLegendVisible(false);
            chart.addSeries("counts", classes, ys, cells);
            figure(chart, s.id() + "-confusion", s.id() + ": rows are true classes, columns predictions");
            Map<String, Double> m = record.metricsOf(s.id());
            List<String> xs = new ArrayList<>();
            List<Double> accs = new ArrayList<>();
            for (String c : classes) {
                Double v = m.get("class_accuracy/" + c);
                if (v != null && Double.isFinite(v)) {
                    xs.add(c);
                    accs.add(v);
                }
            }
            if (!xs.isEmpty()) {
                CategoryChart bars = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(s.id()
                        + ": accuracy per class").xAxisTitle("class").yAxisTitle("accuracy").build();
                style(bars.getStyler());
                bars.getStyler().setLegendVisible(false);
                bars.getStyler().setXAxisLabelRotation(45);
                bars.getStyler().setYAxisMin(0.0);
                bars.getStyler().setYAxisMax(1.0);
                bars.addSeries("accuracy", xs, accs);
                figure(bars, s.id() + "-per-class", s.id() + ": accuracy per class");
            }
        }
    }

    private void timings() throws IOException {
        Map<String, Double> secs = record.seconds();
        Map<String, String> statuses = record.statuses();
        Map<String, Map<String, Double>> measured = record.timings();
        html.append("<h2>Timings</h2>\n<table>\n<tr><th>step</th><th>uses</th><th>status</th><th>seconds</th>"
                + "<th>measurements</th></tr>\n");
        Map<String, String> uses = record.uses();
        statuses.forEach((id, st) -> {
            StringBuilder m = new StringBuilder();
            measured.getOrDefault(id, Map.of()).forEach((k, v) -> m.append(m.length() == 0 ? "" : ", ").append(k)
                    .append(' ').append(fmt(v)));
            html.append("<tr><td>").append(esc(id)).append("</td><td>").append(esc(uses.getOrDefault(id, "")))
                    .append("</td><td>").append(esc(st)).append("</td><td class=\"num\">")
                    .append(secs.containsKey(id) ? String.format(Locale.ROOT, "%.2f", secs.get(id)) : "")
                    .append("</td><td>").append(esc(m.toString())).append("</td></tr>\n");
        });
        html.append("</table>\n");
        if (secs.size() >= 2) {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("seconds per step")
                    .xAxisTitle("step").yAxisTitle("seconds").build();
            style(chart.getStyler());
            chart.getStyler().setLegendVisible(false);
            chart.addSeries("seconds", new ArrayList<>(secs.keySet()), new ArrayList<>(secs.values()));
            figure(chart, "timings", "wall time of each step");
        }
    }

    /** PNG or SVG files steps put in their work folders. */
    private void figures() throws IOException {
        List<String> found = new ArrayList<>();
        for (ValidatedPipeline.StepNode s : pipeline.steps()) {
            Path dir = folder.stepDir(s.id());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|svg)")).sorted().forEach(p ->
                        found.add(folder.dir().relativize(p).toString().replace('\\', '/')));
            }
        }
        if (found.isEmpty()) {
            return;
        }
        html.append("<h2>Figures from the steps</h2>\n");
        for (String f : found) {
            html.append("<figure><img src=\"").append(esc(f)).append("\" alt=\"").append(esc(f))
                    .append("\"><figcaption>").append(esc(f)).append("</figcaption></figure>\n");
        }
    }

    private void config() throws IOException {
        html.append("<h2>Resolved pipeline</h2>\n<pre>");
        String text = Files.isRegularFile(folder.pipelineYaml()) ? Files.readString(folder.pipelineYaml()) : "";
        html.append(esc(text)).append("</pre>\n");
    }

    private void figure(Chart<?, ?> chart, String name, String caption) throws IOException {
        String file = (++charts < 10 ? "0" : "") + charts + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
        AtomicFiles.write(folder.reportAssets().resolve(file), BitmapEncoder.getBitmapBytes(chart,
                BitmapEncoder.BitmapFormat.PNG));
        html.append("<figure><img src=\"report/").append(esc(file)).append("\" alt=\"").append(esc(caption))
                .append("\" width=\"").append(chart.getWidth()).append("\"><figcaption>").append(esc(caption))
                .append("</figcaption></figure>\n");
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setAntiAlias(true);
    }

    private static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
