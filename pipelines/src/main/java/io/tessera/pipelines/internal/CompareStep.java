package io.tessera.pipelines.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code core/compare}: a table of several models' metrics (one row per {@code Metrics} input, e.g. the outputs of
 * several {@code core/evaluate} steps), sorted by one metric; the report draws it as a grouped bar chart.
 */
final class CompareStep implements Step<CompareStep.Config> {

    /**
     * Configuration of {@code core/compare}.
     *
     * @param keys   the metrics to compare; empty takes every metric all rows share (per-class ones left out)
     * @param sortBy the metric to rank by, highest first
     */
    public record Config(@Description("metrics to compare; empty takes those every row has, except per-class ones")
                         List<String> keys,
                         @Description("the metric to rank by, highest first") String sortBy) {
        public Config {
            keys = List.copyOf(keys);
            if (sortBy == null || sortBy.isBlank()) {
                throw new IllegalArgumentException("sortBy must name a metric, e.g. accuracy");
            }
        }
    }

    @Override
    public String name() {
        return "core/compare";
    }

    @Override
    public String description() {
        return "tabulates several models' metrics side by side and ranks them";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(List.of(), "accuracy");
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("metrics", List.class, "the Metrics of each model, e.g. [eval_a.metrics,"
                + " eval_b.metrics]"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("best", Metrics.class, "the row ranked first"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        List<?> values = in.get("metrics", List.class);
        List<Metrics> rows = new ArrayList<>();
        for (Object v : values) {
            if (!(v instanceof Metrics m)) {
                throw new IllegalArgumentException("input 'metrics' must list Metrics values (e.g. eval.metrics),"
                        + " but one is a " + v.getClass().getName());
            }
            rows.add(m);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("input 'metrics' is empty; list two or more <step>.metrics");
        }
        Set<String> keys = new LinkedHashSet<>(c.keys());
        if (keys.isEmpty()) {
            keys.addAll(rows.get(0).values().keySet());
            keys.removeIf(k -> k.contains("/") || rows.stream().anyMatch(r -> !r.values().containsKey(k)));
        }
        rows.sort(Comparator.comparingDouble((Metrics m) -> {
            double v = m.get(c.sortBy());
            return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
        }).reversed());
        ObjectNode doc = PipelineTrees.JSON.createObjectNode();
        doc.put("sort_by", c.sortBy());
        keys.forEach(doc.putArray("keys")::add);
        ArrayNode out = doc.putArray("rows");
        StringBuilder table = new StringBuilder("comparison by " + c.sortBy() + ":");
        for (Metrics m : rows) {
            ObjectNode r = out.addObject();
            r.put("name", m.name());
            ObjectNode vals = r.putObject("values");
            table.append("\n  ").append(m.name());
            for (String k : keys) {
                double v = m.get(k);
                if (Double.isFinite(v)) {
                    vals.put(k, v);
                }
                table.append("  ").append(k).append('=').append(v);
            }
        }
        AtomicFiles.writeString(ctx.workDirectory().resolve("comparison.json"),
                PipelineTrees.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        ctx.logger().log(System.Logger.Level.INFO, table.toString());
        Metrics best = rows.get(0);
        double bestValue = best.get(c.sortBy());
        if (!Double.isNaN(bestValue)) {
            ctx.metric("best_" + c.sortBy(), bestValue);
        }
        return PortValues.of("best", best);
    }
}
