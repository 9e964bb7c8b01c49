package io.tessera.reports.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import io.tessera.pipelines.internal.AtomicFiles;
import io.tessera.pipelines.report.RunSummary;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
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
 * accuracy, timings, the figures steps left in their work folders, and the resolved pipeline. This class gathers the
 * data into a model of sections and blocks (tables, figures, notes) and draws the charts; the page itself is the
 * Mustache template {@code report.html.mustache} beside it, which escapes every value.
 */
final class ReportWriter {
    private static final int WIDTH = 540;
    private static final int HEIGHT = 360;
    private static final List<String> SHARED_METRICS = List.of("accuracy", "macro_f1", "val_accuracy");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Template TEMPLATE = template();

    private final RunSummary run;
    // Mustache's model: plain maps and lists (read without reflection into this module)
    private final List<Object> sections = new ArrayList<>();
    private List<Object> blocks;
    private int charts;

    ReportWriter(RunSummary run) {
        this.run = run;
    }

    private static Template template() {
        try (InputStream in = ReportWriter.class.getResourceAsStream("report.html.mustache")) {
            if (in == null) {
                throw new IllegalStateException("report.html.mustache is missing from the io.tessera.reports jar");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                // empty strings (no failure) and missing keys (a figure without a width) are false in sections
                return Mustache.compiler().emptyStringIsFalse(true).compile(reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report.html.mustache", e);
        }
    }

    void write() throws IOException {
        // Charts are drawn off screen; a server without a display must not try to open one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(run.assetsDirectory());
        metricsTable();
        trainingCurves();
        comparisons();
        confusionMatrices();
        timings();
        figures();
        config();
        provenance();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("title", run.pipeline());
        page.put("status", run.status().name().toLowerCase(Locale.ROOT));
        page.put("run", run.runDirectory().getFileName().toString());
        page.put("failure", run.failure());
        page.put("summary", List.of(
                pair("source", run.source()),
                pair("backend", run.backend()),
                pair("seed", Long.toString(run.seed())),
                pair("started", run.started().toString()),
                pair("wall time", String.format(Locale.ROOT, "%.1f s", run.seconds())),
                pair("steps", String.join(", ", run.steps()))));
        page.put("sections", sections);
        AtomicFiles.writeString(run.reportFile(), TEMPLATE.execute(page));
    }

    // ---- the model: sections of blocks ----

    private void section(String heading) {
        blocks = new ArrayList<>();
        sections.add(Map.of("heading", heading, "blocks", blocks));
    }

    private void subheading(String text) {
        blocks.add(Map.of("subheading", text));
    }

    private void note(String text) {
        blocks.add(Map.of("note", text));
    }

    private void table(List<String> header, List<List<Object>> rows) {
        List<Object> out = new ArrayList<>();
        for (List<Object> row : rows) {
            List<Object> cells = new ArrayList<>();
            for (Object cell : row) {
                cells.add(cell instanceof Double d ? Map.of("text", fmt(d), "num", true)
                        : Map.of("text", String.valueOf(cell), "num", false));
            }
            out.add(Map.of("cells", cells));
        }
        blocks.add(Map.of("table", Map.of("header", header, "rows", out)));
    }

    private static Map<String, String> pair(String key, String value) {
        return Map.of("key", key, "value", value);
    }

    private void figure(Chart<?, ?> chart, String name, String caption) throws IOException {
        String file = (++charts < 10 ? "0" : "") + charts + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
        AtomicFiles.write(run.assetsDirectory().resolve(file), BitmapEncoder.getBitmapBytes(chart,
                BitmapEncoder.BitmapFormat.PNG));
        String src = run.runDirectory().relativize(run.assetsDirectory().resolve(file)).toString().replace('\\', '/');
        blocks.add(Map.of("figure", Map.of("src", src, "caption", caption, "width", chart.getWidth())));
    }

    // ---- the sections ----

    private void metricsTable() {
        Map<String, Map<String, Double>> metrics = run.metrics();
        section("Metrics");
        if (metrics.isEmpty()) {
            note("No step recorded metrics.");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        metrics.forEach((step, m) -> m.forEach((k, v) -> {
            if (!k.contains("/")) {
                rows.add(List.of(step, run.uses().getOrDefault(step, ""), k, v));
            }
        }));
        table(List.of("step", "uses", "metric", "value"), rows);
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
            subheading(step + ": per class");
            List<String> header = new ArrayList<>(List.of("class"));
            header.addAll(cols);
            List<List<Object>> classRows = new ArrayList<>();
            perClass.forEach((cls, r) -> {
                List<Object> row = new ArrayList<>(List.of(cls));
                cols.forEach(c -> row.add(r.containsKey(c) ? (Object) r.get(c) : ""));
                classRows.add(row);
            });
            table(header, classRows);
        });
    }

    private void trainingCurves() throws IOException {
        Map<String, Map<String, NavigableMap<Long, Double>>> series = run.series();
        Map<String, NavigableMap<Integer, Map<String, Double>>> epochs = run.epochs();
        Set<String> steps = new LinkedHashSet<>();
        for (String id : run.steps()) {
            if (series.containsKey(id) || epochs.containsKey(id)) {
                steps.add(id);
            }
        }
        if (steps.isEmpty()) {
            return;
        }
        section("Training curves");
        for (String step : steps) {
            Map<String, NavigableMap<Long, Double>> s = series.getOrDefault(step, Map.of());
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
            NavigableMap<Integer, Map<String, Double>> e = epochs.get(step);
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
        for (String id : run.steps()) {
            if (Files.isRegularFile(stepDir(id).resolve("comparison.json"))) {
                withComparison.add(id);
            }
        }
        // Steps sharing a metric (two evaluations' accuracy) get a bar chart even without core/compare.
        Map<String, Map<String, Double>> byMetric = new LinkedHashMap<>();
        run.metrics().forEach((step, m) -> m.forEach((k, v) -> {
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
        section("Comparisons");
        for (String id : withComparison) {
            JsonNode doc = JSON.readTree(stepDir(id).resolve("comparison.json").toFile());
            List<String> keys = new ArrayList<>();
            doc.get("keys").forEach(k -> keys.add(k.asText()));
            List<String> names = new ArrayList<>();
            doc.get("rows").forEach(r -> names.add(r.get("name").asText()));
            subheading(id);
            List<String> header = new ArrayList<>(List.of("model"));
            header.addAll(keys);
            List<List<Object>> rows = new ArrayList<>();
            doc.get("rows").forEach(r -> {
                List<Object> row = new ArrayList<>(List.of(r.get("name").asText()));
                keys.forEach(k -> {
                    JsonNode v = r.get("values").get(k);
                    row.add(v == null || !v.isNumber() ? "" : (Object) v.asDouble());
                });
                rows.add(row);
            });
            table(header, rows);
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
        for (String id : run.steps()) {
            Path file = stepDir(id).resolve("confusion.json");
            if (!Files.isRegularFile(file)) {
                continue;
            }
            if (!header) {
                section("Confusion matrices and per-class accuracy");
                header = true;
            }
            JsonNode doc = JSON.readTree(file.toFile());
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
            Collections.reverse(ys);
            HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(WIDTH - 40).title(id
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
            figure(chart, id + "-confusion", id + ": rows are true classes, columns predictions");
            Map<String, Double> m = run.metricsOf(id);
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
                CategoryChart bars = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(id
                        + ": accuracy per class").xAxisTitle("class").yAxisTitle("accuracy").build();
                style(bars.getStyler());
                bars.getStyler().setLegendVisible(false);
                bars.getStyler().setXAxisLabelRotation(45);
                bars.getStyler().setYAxisMin(0.0);
                bars.getStyler().setYAxisMax(1.0);
                bars.addSeries("accuracy", xs, accs);
                figure(bars, id + "-per-class", id + ": accuracy per class");
            }
        }
    }

    private void timings() throws IOException {
        Map<String, Double> secs = run.stepSeconds();
        section("Timings");
        List<List<Object>> rows = new ArrayList<>();
        run.stepStatuses().forEach((id, st) -> {
            StringBuilder m = new StringBuilder();
            run.timings().getOrDefault(id, Map.of()).forEach((k, v) -> m.append(m.length() == 0 ? "" : ", ")
                    .append(k).append(' ').append(fmt(v)));
            rows.add(List.of(id, run.uses().getOrDefault(id, ""), st, secs.containsKey(id)
                    ? String.format(Locale.ROOT, "%.2f", secs.get(id)) : "", m.toString()));
        });
        table(List.of("step", "uses", "status", "seconds", "measurements"), rows);
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
        for (String id : run.steps()) {
            Path dir = stepDir(id);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|svg)")).sorted().forEach(p ->
                        found.add(run.runDirectory().relativize(p).toString().replace('\\', '/')));
            }
        }
        if (found.isEmpty()) {
            return;
        }
        section("Figures from the steps");
        for (String f : found) {
            blocks.add(Map.of("figure", Map.of("src", f, "caption", f)));
        }
    }

    private void config() throws IOException {
        section("Resolved pipeline");
        Path yaml = run.resolvedPipeline();
        blocks.add(Map.of("pre", Map.of("text", Files.isRegularFile(yaml) ? Files.readString(yaml) : "")));
    }

    /** Where the run comes from, as {@code run.json} records it: versions, command line, plugins, input files. */
    private void provenance() throws IOException {
        Path runJson = run.runDirectory().resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            return;
        }
        JsonNode doc = JSON.readTree(runJson.toFile());
        JsonNode prov = doc.path("provenance");
        JsonNode inputs = doc.path("inputs").path("files");
        if (prov.isMissingNode() && inputs.isMissingNode()) {
            return;
        }
        section("Provenance");
        if (!prov.isMissingNode()) {
            List<List<Object>> rows = new ArrayList<>();
            for (String key : List.of("tessera", "api", "java")) {
                if (prov.has(key)) {
                    rows.add(List.of(key, prov.get(key).asText()));
                }
            }
            if (prov.has("commandLine")) {
                List<String> args = new ArrayList<>();
                prov.get("commandLine").forEach(a -> args.add(a.asText()));
                rows.add(List.of("command line", "tessera " + String.join(" ", args)));
            }
            table(List.of("", "value"), rows);
            List<List<Object>> plugins = new ArrayList<>();
            prov.path("plugins").forEach(pl -> plugins.add(List.of(pl.path("id").asText(),
                    pl.path("version").asText(), pl.path("source").asText(), pl.path("sha256").asText())));
            if (!plugins.isEmpty()) {
                subheading("Plugins");
                table(List.of("id", "version", "source", "jar SHA-256"), plugins);
            }
        }
        List<List<Object>> files = new ArrayList<>();
        inputs.forEach(f -> files.add(List.of(f.path("path").asText(), f.path("bytes").asText(),
                f.path("sha256").asText())));
        if (!files.isEmpty()) {
            subheading("Input files");
            table(List.of("file", "bytes", "SHA-256"), files);
        }
        if (doc.path("inputs").has("not_hashed")) {
            note("not hashed: " + doc.path("inputs").path("not_hashed").asText());
        }
    }

    private Path stepDir(String id) {
        Path dir = run.stepDirectories().get(id);
        return dir != null ? dir : run.runDirectory().resolve("steps").resolve(id);
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
}
