package io.tessera.pipelines.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run recorded, for {@code metrics.json}, {@code curves.json}, {@code run.json} and the report. Steps of a
 * run record from several threads; every method is synchronized. Epochs and curve points are keyed by position, so a
 * resumed step that replays its history leaves the record as an uninterrupted run would.
 */
final class RunRecord {
    private final Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, Map<String, Double>>> epochs = new LinkedHashMap<>();
    private final Map<String, Map<String, TreeMap<Long, Double>>> series = new LinkedHashMap<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> timings = new LinkedHashMap<>();
    private final Map<String, String> status = new LinkedHashMap<>();
    private final Map<String, String> uses = new LinkedHashMap<>();

    RunRecord(List<ValidatedPipeline.StepNode> steps) {
        for (ValidatedPipeline.StepNode s : steps) {
            status.put(s.id(), "pending");
            uses.put(s.id(), s.uses());
            if (s.fanOut() != null) {
                // each item of a fan-out step follows it, in matrix order
                for (FanOut.Item item : s.fanOut().items()) {
                    status.put(item.id(), "pending");
                    uses.put(item.id(), s.uses());
                }
            }
        }
    }

    synchronized void metric(String step, String name, double value) {
        metrics.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(name, value);
    }

    /** A machine-dependent measurement ({@code ms_per_step}): kept out of {@code metrics.json}. */
    synchronized void timing(String step, String name, double value) {
        timings.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(name, value);
    }

    synchronized void epoch(String step, int epoch, Map<String, Double> values) {
        epochs.computeIfAbsent(step, k -> new TreeMap<>()).put(epoch, new LinkedHashMap<>(values));
    }

    synchronized void series(String step, String name, long x, double y) {
        series.computeIfAbsent(step, k -> new LinkedHashMap<>()).computeIfAbsent(name, k -> new TreeMap<>())
                .put(x, y);
    }

    synchronized void status(String step, String value, double secs) {
        status.put(step, value);
        if (secs >= 0) {
            seconds.merge(step, secs, Double::sum);
        }
    }

    synchronized Map<String, Double> metricsOf(String step) {
        return new LinkedHashMap<>(metrics.getOrDefault(step, Map.of()));
    }

    /** Step id to final metrics, in pipeline order (not the order in which parallel steps finished). */
    synchronized Map<String, Map<String, Double>> metrics() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String step : uses.keySet()) {
            Map<String, Double> m = metrics.get(step);
            if (m != null) {
                out.put(step, new LinkedHashMap<>(m));
            }
        }
        return out;
    }

    synchronized Map<String, TreeMap<Integer, Map<String, Double>>> epochs() {
        Map<String, TreeMap<Integer, Map<String, Double>>> out = new LinkedHashMap<>();
        epochs.forEach((k, v) -> out.put(k, new TreeMap<>(v)));
        return out;
    }

    synchronized Map<String, Map<String, TreeMap<Long, Double>>> series() {
        Map<String, Map<String, TreeMap<Long, Double>>> out = new LinkedHashMap<>();
        series.forEach((k, v) -> {
            Map<String, TreeMap<Long, Double>> m = new LinkedHashMap<>();
            v.forEach((n, pts) -> m.put(n, new TreeMap<>(pts)));
            out.put(k, m);
        });
        return out;
    }

    synchronized Map<String, Double> seconds() {
        return new LinkedHashMap<>(seconds);
    }

    /** Step id to its measurements ({@code ms_per_step}, {@code images_per_s}). */
    synchronized Map<String, Map<String, Double>> timings() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        timings.forEach((k, v) -> out.put(k, new LinkedHashMap<>(v)));
        return out;
    }

    synchronized Map<String, String> statuses() {
        return new LinkedHashMap<>(status);
    }

    synchronized Map<String, String> uses() {
        return new LinkedHashMap<>(uses);
    }

    /** The content of {@code metrics.json}: deterministic for a given pipeline, seed and backend. */
    synchronized Map<String, Object> metricsDocument(String pipeline, long seed, String backend) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pipeline", pipeline);
        doc.put("seed", seed);
        doc.put("backend", backend);
        Map<String, Object> steps = new LinkedHashMap<>();
        for (String step : uses.keySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("uses", uses.get(step));
            s.put("metrics", metrics.getOrDefault(step, Map.of()));
            TreeMap<Integer, Map<String, Double>> e = epochs.get(step);
            if (e != null) {
                List<Map<String, Object>> list = new java.util.ArrayList<>();
                e.forEach((epoch, values) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("epoch", epoch);
                    row.putAll(values);
                    list.add(row);
                });
                s.put("epochs", list);
            }
            steps.put(step, s);
        }
        doc.put("steps", steps);
        return doc;
    }

    /** The content of {@code curves.json}: step to series to [[x, y], ...]. */
    synchronized Map<String, Object> curvesDocument() {
        Map<String, Object> doc = new LinkedHashMap<>();
        series.forEach((step, m) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            m.forEach((name, pts) -> s.put(name, pts.entrySet().stream()
                    .map(e -> List.of((Object) e.getKey(), e.getValue())).toList()));
            doc.put(step, s);
        });
        return doc;
    }
}
