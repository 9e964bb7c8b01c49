package io.tessera.pipelines.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.problem.Problem;
import io.tessera.pipelines.Pipeline;
import io.tessera.pipelines.PipelineStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Conversions around the pipeline tree: a Java-built {@link Pipeline} into the same tree a YAML file gives (so one
 * validator serves both), {@code --set} overrides, and the resolved pipeline (every config key with its value) that a
 * run folder keeps.
 */
final class PipelineTrees {
    private static final DumpSettings DUMP = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true).build();
    static final ObjectMapper JSON = new ObjectMapper();

    private PipelineTrees() {
    }

    /** The tree of a Java-built pipeline; locations name the pipeline. */
    static Node tree(Pipeline p) {
        Loc loc = Loc.of("pipeline '" + p.name() + "'");
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", p.name());
        top.put("backend", p.backend());
        top.put("seed", p.seed());
        Map<String, Object> steps = new LinkedHashMap<>();
        for (Map.Entry<String, PipelineStep> e : p.steps().entrySet()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("uses", e.getValue().uses());
            if (!e.getValue().with().isEmpty()) {
                step.put("with", e.getValue().with());
            }
            if (!e.getValue().inputs().isEmpty()) {
                Map<String, Object> inputs = new LinkedHashMap<>();
                e.getValue().inputs().forEach((k, v) -> inputs.put(k, v.size() == 1 ? v.get(0) : v));
                step.put("inputs", inputs);
            }
            steps.put(e.getKey(), step);
        }
        top.put("steps", steps);
        if (!p.outputs().isEmpty()) {
            top.put("outputs", p.outputs());
        }
        return node(top, loc);
    }

    /** A Java value (maps, lists, scalars) as a tree at {@code loc}. */
    static Node node(Object value, Loc loc) {
        return YamlTree.node(value, loc);
    }

    /**
     * Applies {@code path=value} (value in YAML syntax: {@code 5}, {@code adam}, {@code [a, b]}) to {@code root}.
     */
    static void applyOverride(Node root, String override, List<Problem> problems) {
        Loc loc = Loc.of("--set " + (override.length() <= 200 ? override
                : override.substring(0, 100) + "... (" + override.length() + " characters)"));
        int eq = override.indexOf('=');
        if (eq <= 0) {
            problems.add(Problems.at(loc, "", "an override is path=value, e.g."
                    + " steps.train.with.training.epochs=5"));
            return;
        }
        String path = override.substring(0, eq).strip();
        String text = override.substring(eq + 1);
        List<Problem> parse = new ArrayList<>();
        Node parsed = text.isBlank() ? YamlTree.node("", loc) : YamlTree.read(text, loc.file(), parse);
        if (parsed == null) {
            problems.add(Problems.at(loc, path, text.length() > YamlTree.MAX_TEXT
                    ? parse.get(0).message()
                    : "the value '" + text + "' is not valid YAML"));
            return;
        }
        Node value = YamlTree.relocate(parsed, loc);
        if (!(root instanceof MappingNode map)) {
            return;
        }
        String[] parts = path.split("\\.");
        MappingNode current = map;
        for (int i = 0; i < parts.length - 1; i++) {
            Node child = YamlTree.get(current, parts[i]).orElse(null);
            if (child == null || YamlTree.isNull(child)) {
                MappingNode created = YamlTree.emptyMap(loc);
                YamlTree.put(current, parts[i], loc, created);
                current = created;
            } else if (child instanceof MappingNode m) {
                current = m;
            } else {
                problems.add(Problems.at(loc, path, "cannot set '" + path + "': '"
                        + String.join(".", java.util.Arrays.copyOf(parts, i + 1)) + "' is " + YamlTree.describe(child)
                        + ", not a map"));
                return;
            }
        }
        YamlTree.put(current, parts[parts.length - 1], loc, value);
    }

    /** The resolved pipeline as a map: every step with its full config and inputs. */
    static Map<String, Object> resolved(ValidatedPipeline p) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", p.name());
        top.put("backend", p.backend());
        top.put("seed", p.seed());
        Map<String, Object> steps = new LinkedHashMap<>();
        for (ValidatedPipeline.StepNode s : p.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("uses", s.uses());
            step.put("with", s.schema().values(s.config()));
            if (s.seed() != null) {
                step.put("seed", s.seed());
            }
            if (s.fanOut() != null) {
                step.put("matrix", s.fanOut().matrix());
                step.put("retries", s.fanOut().retries());
                step.put("executor", s.fanOut().executor());
                if (s.fanOut().maxParallel() > 0) {
                    step.put("max_parallel", s.fanOut().maxParallel());
                }
                if (!s.fanOut().settings().isEmpty()) {
                    step.put(s.fanOut().executor(), s.fanOut().settings());
                }
            }
            if (!s.inputs().isEmpty()) {
                Map<String, Object> in = new LinkedHashMap<>();
                s.inputs().forEach((k, refs) -> in.put(k, s.step().inputs().stream()
                        .anyMatch(port -> port.name().equals(k) && port.type() == List.class)
                        ? refs.stream().map(Object::toString).toList() : refs.get(0).toString()));
                step.put("inputs", in);
            }
            steps.put(s.id(), step);
        }
        top.put("steps", steps);
        if (!p.outputs().isEmpty()) {
            Map<String, Object> out = new LinkedHashMap<>();
            p.outputs().forEach((k, v) -> out.put(k, v.toString()));
            top.put("outputs", out);
        }
        return top;
    }

    /** Block-style YAML of maps, lists and scalars (the resolved pipeline a run folder keeps). */
    static String toYaml(Object value) {
        return new Dump(DUMP).dumpToString(value);
    }

    /** The maps, lists and scalars of a YAML document (YAML 1.2 core schema); null for an empty one. */
    static Object fromYaml(String text) {
        return new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
