package io.tessera.host.internal.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.tessera.host.pipeline.Pipeline;
import io.tessera.host.pipeline.PipelineStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Conversions around the pipeline tree: a Java-built {@link Pipeline} into the same tree a YAML file gives (so one
 * validator serves both), {@code --set} overrides, and the resolved pipeline (every config key with its value) that a
 * run folder keeps.
 */
final class PipelineTrees {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    static final ObjectMapper JSON = new ObjectMapper();

    private PipelineTrees() {
    }

    /** The tree of a Java-built pipeline; locations name the pipeline. */
    static YamlNode tree(Pipeline p) {
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
    static YamlNode node(Object value, Loc loc) {
        if (value instanceof Map<?, ?> m) {
            List<YamlNode.Entry> entries = new ArrayList<>();
            m.forEach((k, v) -> entries.add(new YamlNode.Entry(String.valueOf(k), loc, node(v, loc))));
            return new YamlNode.YMap(entries, loc);
        }
        if (value instanceof List<?> l) {
            return new YamlNode.YList(l.stream().map(v -> node(v, loc)).toList(), loc);
        }
        Object scalar = value;
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            scalar = ((Number) value).longValue();
        } else if (value instanceof Float f) {
            scalar = f.doubleValue();
        } else if (value instanceof Path path) {
            scalar = path.toString();
        } else if (value instanceof Enum<?> en) {
            scalar = en.name().toLowerCase(Locale.ROOT).replace('_', '-');
        } else if (value != null && !(value instanceof String || value instanceof Long || value instanceof Double
                || value instanceof Boolean)) {
            scalar = value.toString();
        }
        return new YamlNode.YScalar(scalar, loc);
    }

    /**
     * Applies {@code path=value} (value in YAML syntax: {@code 5}, {@code adam}, {@code [a, b]}) to {@code root}.
     */
    static void applyOverride(YamlNode root, String override, List<Problems.Problem> problems) {
        Loc loc = Loc.of("--set " + override);
        int eq = override.indexOf('=');
        if (eq <= 0) {
            problems.add(new Problems.Problem(loc, "", "an override is path=value, e.g."
                    + " steps.train.with.training.epochs=5"));
            return;
        }
        String path = override.substring(0, eq).strip();
        String text = override.substring(eq + 1);
        List<Problems.Problem> parse = new ArrayList<>();
        YamlNode parsed = text.isBlank() ? new YamlNode.YScalar("", loc) : YamlReader.read(text, loc.file(), parse);
        if (parsed == null) {
            problems.add(new Problems.Problem(loc, path, "the value '" + text + "' is not valid YAML"));
            return;
        }
        YamlNode value = relocate(parsed, loc);
        if (!(root instanceof YamlNode.YMap map)) {
            return;
        }
        String[] parts = path.split("\\.");
        YamlNode.YMap current = map;
        for (int i = 0; i < parts.length - 1; i++) {
            YamlNode child = current.get(parts[i]).orElse(null);
            if (child == null || child instanceof YamlNode.YScalar s && s.value() == null) {
                YamlNode.YMap created = new YamlNode.YMap(List.of(), loc);
                current.put(parts[i], loc, created);
                current = created;
            } else if (child instanceof YamlNode.YMap m) {
                current = m;
            } else {
                problems.add(new Problems.Problem(loc, path, "cannot set '" + path + "': '"
                        + String.join(".", java.util.Arrays.copyOf(parts, i + 1)) + "' is " + child.describe()
                        + ", not a map"));
                return;
            }
        }
        current.put(parts[parts.length - 1], loc, value);
    }

    private static YamlNode relocate(YamlNode n, Loc loc) {
        if (n instanceof YamlNode.YMap m) {
            return new YamlNode.YMap(m.entries().stream()
                    .map(e -> new YamlNode.Entry(e.key(), loc, relocate(e.value(), loc))).toList(), loc);
        }
        if (n instanceof YamlNode.YList l) {
            return new YamlNode.YList(l.items().stream().map(i -> relocate(i, loc)).toList(), loc);
        }
        return new YamlNode.YScalar(((YamlNode.YScalar) n).value(), loc);
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

    static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML: " + e.getMessage(), e);
        }
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
