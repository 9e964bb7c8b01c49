package io.tessera.pipelines.internal;

import io.tessera.api.problem.Problem;
import io.tessera.pipelines.ConfigKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Validation of a step's fan-out keys ({@code matrix}, {@code retries}, {@code executor}, {@code max_parallel},
 * {@code spark}) and of its own {@code seed}; builds every item's config so that a bad matrix value is reported at
 * its own line and column.
 */
final class FanOutChecks {
    /** More items than this in one step is almost surely a mistake (a matrix of several long lists). */
    static final int MAX_ITEMS = 10_000;
    static final String LOCAL = "local";

    private FanOutChecks() {
    }

    /** The step's {@code seed:}, or null when absent or wrong (a problem is added). */
    static Long seed(MappingNode node, String path, List<Problem> problems) {
        Optional<Node> s = YamlTree.get(node, "seed");
        if (s.isEmpty()) {
            return null;
        }
        if (YamlTree.scalar(s.get()) instanceof Long l) {
            return l;
        }
        problems.add(Problems.at(YamlTree.loc(s.get()), path + ".seed", "a step's 'seed' must be an integer (the step's"
                + " seed instead of the one derived from the pipeline seed and the step id), found "
                + YamlTree.describe(s.get())));
        return null;
    }

    /**
     * The fan-out of a step, or null when it has no {@code matrix:} (then the other fan-out keys are errors) or
     * something is wrong (problems added).
     */
    static FanOut check(String id, MappingNode node, String path, StepCatalog.Entry entry, Record baseConfig,
            long stepSeed, Set<String> executors, List<Problem> problems) {
        Optional<YamlTree.Entry> matrix = YamlTree.entry(node, "matrix");
        if (matrix.isEmpty()) {
            for (String key : List.of("retries", "executor", "max_parallel", "spark")) {
                YamlTree.entry(node, key).ifPresent(e -> problems.add(Problems.at(e.keyLoc(), path + "." + key,
                        "'" + key + "' applies to a fan-out step only; add matrix: { <key>: [values...] } to step '"
                        + id + "' or remove '" + key + "'")));
            }
            return null;
        }
        int before = problems.size();
        int retries = intKey(node, "retries", 1, 0, 100, path, problems);
        int maxParallel = intKey(node, "max_parallel", 0, 0, 4096, path, problems);
        String executor = LOCAL;
        Optional<YamlTree.Entry> ex = YamlTree.entry(node, "executor");
        if (ex.isPresent()) {
            if (YamlTree.scalar(ex.get().value()) instanceof String s && executors.contains(s.strip())) {
                executor = s.strip();
            } else {
                String found = YamlTree.scalar(ex.get().value()) instanceof String s ? "'" + s + "'"
                        : YamlTree.describe(ex.get().value());
                problems.add(Problems.at(YamlTree.loc(ex.get().value()), path + ".executor", "unknown executor " + found
                        + Suggestions.hint(found.replace("'", ""), executors) + "; installed: "
                        + String.join(", ", executors) + (executors.contains("spark") ? ""
                        : " (executor: spark needs the module io.tessera.executor.spark on the path, docs/scale-out.md)")));
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        Optional<YamlTree.Entry> spark = YamlTree.entry(node, "spark");
        if (spark.isPresent()) {
            if (!executor.equals("spark") && ex.isPresent() && problems.size() == before) {
                problems.add(Problems.at(spark.get().keyLoc(), path + ".spark", "'spark' settings apply with"
                        + " executor: spark only; this step runs on executor: " + executor));
            } else if (!(spark.get().value() instanceof MappingNode sm)) {
                problems.add(Problems.at(YamlTree.loc(spark.get().value()), path + ".spark", "'spark' must be a map such"
                        + " as { master: \"local[2]\" }, found " + YamlTree.describe(spark.get().value())));
            } else if (executor.equals("spark")) {
                Object plain = PipelineTrees.fromYaml(PipelineTrees.toYaml(plain(sm)));
                if (plain instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> settings.put(String.valueOf(k), v));
                }
            }
        }
        if (!(matrix.get().value() instanceof MappingNode m) || YamlTree.entries(m).isEmpty()) {
            problems.add(Problems.at(YamlTree.loc(matrix.get().value()), path + ".matrix", "'matrix' must map config"
                    + " keys (or seed) to lists of values, e.g. matrix: { seed: [1, 2, 3] }, found "
                    + YamlTree.describe(matrix.get().value())));
            return null;
        }
        List<ConfigKey> keys = entry.schema().keys();
        List<String> leafKeys = keys.stream().filter(k -> !k.type().equals("map")).map(ConfigKey::key).toList();
        boolean seedIsConfig = leafKeys.contains("seed");
        List<String> names = new ArrayList<>();
        List<List<Node>> values = new ArrayList<>();
        long count = 1;
        for (YamlTree.Entry e : YamlTree.entries(m)) {
            String keyPath = path + ".matrix." + e.key();
            boolean isSeed = e.key().equals("seed") && !seedIsConfig;
            if (!isSeed && !leafKeys.contains(e.key())) {
                List<String> choices = new ArrayList<>(leafKeys);
                choices.add("seed");
                problems.add(Problems.at(e.keyLoc(), keyPath, "matrix key '" + e.key() + "' is not a config key of "
                        + entry.step().name() + Suggestions.hint(e.key(), choices) + "; use seed or a key of 'with'"
                        + " in dotted form, such as training.optimizer.lr ('tessera describe " + entry.step().name()
                        + "' lists them)"));
                continue;
            }
            if (!(e.value() instanceof SequenceNode list) || list.getValue().isEmpty()) {
                problems.add(Problems.at(YamlTree.loc(e.value()), keyPath, "matrix key '" + e.key() + "' needs a"
                        + " non-empty list of values, e.g. " + e.key() + ": [1, 2, 3], found "
                        + YamlTree.describe(e.value())));
                continue;
            }
            if (isSeed) {
                for (Node v : list.getValue()) {
                    if (!(YamlTree.scalar(v) instanceof Long)) {
                        problems.add(Problems.at(YamlTree.loc(v), keyPath, "a seed in the matrix must be an integer,"
                                + " found " + YamlTree.describe(v)));
                    }
                }
            }
            names.add(e.key());
            values.add(list.getValue());
            count *= list.getValue().size();
        }
        if (count > MAX_ITEMS) {
            problems.add(Problems.at(matrix.get().keyLoc(), path + ".matrix", "the matrix of step '" + id + "' makes "
                    + count + " items, more than " + MAX_ITEMS + "; split the sweep into several steps or runs"));
        }
        if (problems.size() > before || baseConfig == null) {
            return null;
        }
        Node with = YamlTree.get(node, "with").orElse(null);
        Loc withLoc = YamlTree.entry(node, "with").map(YamlTree.Entry::keyLoc).orElse(matrix.get().keyLoc());
        List<FanOut.Item> items = new ArrayList<>();
        List<Problem> itemProblems = new ArrayList<>();
        int[] pos = new int[names.size()];
        for (int index = 0; index < count; index++) {
            MappingNode copy = with == null || YamlTree.isNull(with) ? YamlTree.emptyMap(withLoc)
                    : (MappingNode) copy(with);
            Map<String, Object> itemValues = new LinkedHashMap<>();
            long seed = stepSeed;
            for (int k = 0; k < names.size(); k++) {
                Node v = values.get(k).get(pos[k]);
                Object plain = plain(v);
                itemValues.put(names.get(k), plain);
                if (names.get(k).equals("seed") && !seedIsConfig) {
                    // an item with seed s trains as the step would in a pipeline with seed: s
                    seed = PipelineEngine.stepSeed((Long) YamlTree.scalar(v), id);
                } else {
                    set(copy, names.get(k), v, withLoc);
                }
            }
            Optional<Record> config = entry.schema().build(copy, withLoc, path + ".with", itemProblems);
            if (config.isPresent()) {
                items.add(new FanOut.Item(index, id + "-" + index, itemValues, config.get(), seed));
            }
            for (int k = names.size() - 1; k >= 0; k--) {
                if (++pos[k] < values.get(k).size()) {
                    break;
                }
                pos[k] = 0;
            }
        }
        // a bad value appears in many combinations: report it once
        // (with problems the pipeline is invalid anyway; the fan-out is returned so its consumers are checked too)
        itemProblems.stream().distinct().forEach(problems::add);
        Map<String, List<Object>> written = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            written.put(names.get(k), values.get(k).stream().map(FanOutChecks::plain).toList());
        }
        return new FanOut(items, retries, executor, settings, maxParallel, written);
    }

    private static int intKey(MappingNode node, String key, int fallback, int min, int max, String path,
            List<Problem> problems) {
        Optional<Node> n = YamlTree.get(node, key);
        if (n.isEmpty()) {
            return fallback;
        }
        if (YamlTree.scalar(n.get()) instanceof Long l && l >= min && l <= max) {
            return l.intValue();
        }
        problems.add(Problems.at(YamlTree.loc(n.get()), path + "." + key, "'" + key + "' must be an integer in ["
                + min + ", " + max + "], found " + YamlTree.describe(n.get())
                + (key.equals("retries") ? " (how often a failed item is tried again; default 1)"
                : " (items run at once by executor: local; 0 sizes it to the cores and the heap)")));
        return fallback;
    }

    /** Sets dotted {@code key} in {@code map} to {@code value}, creating maps on the way (copies, never the file's). */
    private static void set(MappingNode map, String key, Node value, Loc loc) {
        String[] parts = key.split("\\.");
        MappingNode current = map;
        for (int i = 0; i < parts.length - 1; i++) {
            Node child = YamlTree.get(current, parts[i]).orElse(null);
            if (child instanceof MappingNode m) {
                current = m;
            } else {
                MappingNode created = YamlTree.emptyMap(loc);
                YamlTree.put(current, parts[i], loc, created);
                current = created;
            }
        }
        YamlTree.put(current, parts[parts.length - 1], YamlTree.loc(value), value);
    }

    /** A deep copy of the maps of a tree (scalars and lists are shared: nothing changes them). */
    private static Node copy(Node node) {
        if (node instanceof MappingNode m) {
            List<NodeTuple> tuples = new ArrayList<>();
            for (NodeTuple t : m.getValue()) {
                tuples.add(new NodeTuple(t.getKeyNode(), copy(t.getValueNode())));
            }
            return new MappingNode(m.getTag(), true, tuples, m.getFlowStyle(), m.getStartMark(), m.getEndMark());
        }
        return node;
    }

    /** The plain Java value of a tree (maps, lists, scalars). */
    static Object plain(Node node) {
        if (node instanceof MappingNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            YamlTree.entries(m).forEach(e -> out.put(e.key(), plain(e.value())));
            return out;
        }
        if (node instanceof SequenceNode s) {
            List<Object> out = new ArrayList<>();
            s.getValue().forEach(v -> out.add(plain(v)));
            return out;
        }
        return YamlTree.scalar(node);
    }
}
