package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.problem.Problem;
import io.tessera.pipelines.ConfigKey;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The config schema of a step, derived from its config record (ARCHITECTURE §2): one key per record component, in
 * snake_case ({@code batchSize} → {@code batch_size}), its type, the default from {@link Step#defaultConfig()},
 * constraints from {@link Range} and {@link OneOf} (and enum constants), the text of {@link Description}. A component
 * that is itself a record (such as the training module's {@code TrainingOptions}) is a nested block of keys: YAML gives
 * it as a map ({@code training: { epochs: 3, optimizer: { lr: 0.01 } }}), keys left out keep the default's values,
 * and {@code tessera describe} lists its keys with dotted names ({@code training.optimizer.lr}). It converts a YAML
 * {@code with:} block into the record, reporting each bad key or value at its location.
 */
final class ConfigSchema {

    /** Value kinds pipelines can set. */
    enum Kind { INT, LONG, DOUBLE, FLOAT, BOOLEAN, STRING, ENUM, PATH, LIST, RECORD, UNSUPPORTED }

    /** One key; a {@link Kind#RECORD} key has the keys of its record as {@code children}. */
    record Field(String key, RecordComponent component, Kind kind, Kind elementKind, Class<?> enumType,
                 Object defaultValue, Range range, List<String> oneOf, String description, List<Field> children) {
    }

    private final Step<?> step;
    private final Class<? extends Record> type;
    private final List<Field> fields;
    private final String problem;

    private ConfigSchema(Step<?> step, Class<? extends Record> type, List<Field> fields, String problem) {
        this.step = step;
        this.type = type;
        this.fields = fields;
        this.problem = problem;
    }

    /** The schema of {@code step}'s config; a step whose config cannot be read gets a schema with a problem. */
    static ConfigSchema of(Step<?> step) {
        Class<? extends Record> type;
        Record defaults;
        try {
            type = step.configType();
            defaults = step.defaultConfig();
        } catch (RuntimeException | LinkageError e) {
            return new ConfigSchema(step, null, List.of(), "step " + step.name() + " failed to describe its config: "
                    + e);
        }
        if (type == null || !type.isRecord()) {
            return new ConfigSchema(step, null, List.of(), "step " + step.name() + " declares config type " + type
                    + ", which is not a record");
        }
        List<Field> fields;
        try {
            fields = fieldsOf(type, defaults, 0);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new ConfigSchema(step, type, List.of(), "cannot read the default config of step "
                    + step.name() + " (" + e + "); make its config record public in an exported package");
        }
        return new ConfigSchema(step, type, List.copyOf(fields), null);
    }

    /** The fields of record {@code type}, with defaults read from {@code defaults} (null: none). */
    private static List<Field> fieldsOf(Class<?> type, Object defaults, int depth) throws ReflectiveOperationException {
        if (depth > 8) {
            throw new IllegalArgumentException("config records nest deeper than 8 levels at " + type.getName());
        }
        List<Field> fields = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> raw = c.getType();
            Kind kind = kindOf(raw);
            Kind element = null;
            if (kind == Kind.LIST) {
                Type g = c.getGenericType();
                element = Kind.UNSUPPORTED;
                if (g instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] instanceof Class<?> e) {
                    element = kindOf(e);
                    if (element == Kind.LIST || element == Kind.ENUM || element == Kind.RECORD) {
                        element = Kind.UNSUPPORTED;
                    }
                }
            }
            Object def = null;
            if (defaults != null) {
                var accessor = c.getAccessor();
                accessor.trySetAccessible();
                def = accessor.invoke(defaults);
            }
            OneOf oneOf = c.getAnnotation(OneOf.class);
            List<String> choices = oneOf != null ? List.of(oneOf.value())
                    : kind == Kind.ENUM ? Arrays.stream(raw.getEnumConstants()).map(ConfigSchema::enumKey).toList()
                    : List.of();
            Description d = c.getAnnotation(Description.class);
            List<Field> children = kind == Kind.RECORD ? fieldsOf(raw, def, depth + 1) : List.of();
            fields.add(new Field(snakeCase(c.getName()), c, kind, element, kind == Kind.ENUM ? raw : null, def,
                    c.getAnnotation(Range.class), choices, d == null ? "" : d.value(), children));
        }
        return List.copyOf(fields);
    }

    List<Field> fields() {
        return fields;
    }

    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** The keys for {@code tessera describe}; those of a nested record follow it with dotted names. */
    List<ConfigKey> keys() {
        List<ConfigKey> out = new ArrayList<>();
        addKeys(out, "", fields);
        return List.copyOf(out);
    }

    private static void addKeys(List<ConfigKey> out, String prefix, List<Field> fields) {
        for (Field f : fields) {
            String key = prefix + f.key();
            if (f.kind() == Kind.RECORD) {
                out.add(new ConfigKey(key, typeName(f), "", "", f.description()));
                addKeys(out, key + ".", f.children());
            } else {
                out.add(new ConfigKey(key, typeName(f), yaml(f.defaultValue()), constraint(f), f.description()));
            }
        }
    }

    /**
     * Builds the config record from {@code with} (null for the defaults), adding a problem per bad key or value.
     *
     * @param path the pipeline path of the block, e.g. {@code steps.train.with}
     * @return the record, or empty when something was wrong
     */
    Optional<Record> build(Node with, Loc blockLoc, String path, List<Problem> problems) {
        if (problem != null) {
            problems.add(Problems.at(blockLoc, path, problem));
            return Optional.empty();
        }
        return buildRecord(type, fields, with, blockLoc, path, "with", problems).map(Record.class::cast);
    }

    /**
     * Builds record {@code recordType} from the map {@code with} (null: every default), adding a problem per bad key
     * or value; keys left out keep the defaults of {@code fields}.
     */
    private Optional<Object> buildRecord(Class<?> recordType, List<Field> fields, Node with, Loc blockLoc,
            String path, String blockName, List<Problem> problems) {
        int before = problems.size();
        Object[] args = new Object[fields.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = fields.get(i).defaultValue();
        }
        Map<String, Loc> given = new LinkedHashMap<>();
        if (with != null && !(YamlTree.isNull(with))) {
            if (!(with instanceof MappingNode map)) {
                problems.add(Problems.at(YamlTree.loc(with), path, "'" + blockName + "' must be a map of"
                        + " config keys, found " + YamlTree.describe(with)));
                return Optional.empty();
            }
            List<String> keys = fields.stream().map(Field::key).toList();
            for (YamlTree.Entry e : YamlTree.entries(map)) {
                int index = keys.indexOf(e.key());
                if (index < 0) {
                    problems.add(Problems.at(e.keyLoc(), path + "." + e.key(), "step '" + step.name()
                            + "' has no config key '" + e.key() + "'" + (blockName.equals("with") ? ""
                            : " in '" + blockName + "'") + Suggestions.hint(e.key(), keys) + "; "
                            + (blockName.equals("with") ? "its" : "the") + " keys are: " + String.join(", ", keys)));
                    continue;
                }
                Field f = fields.get(index);
                Object v = f.kind() == Kind.RECORD
                        ? buildRecord(f.component().getType(), f.children(), e.value(), YamlTree.loc(e.value()),
                                path + "." + e.key(), e.key(), problems).orElse(null)
                        : convert(f, e.value(), path + "." + e.key(), problems);
                if (v != null) {
                    args[index] = v;
                    given.put(f.component().getName(), YamlTree.loc(e.value()));
                    given.put(f.key(), YamlTree.loc(e.value()));
                }
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(construct(recordType, args));
        } catch (IllegalArgumentException e) {
            // The record's own validation: point at the key its message names, else at the block.
            Loc where = blockLoc;
            String at = path;
            for (Map.Entry<String, Loc> g : given.entrySet()) {
                if (e.getMessage() != null && e.getMessage().matches("(?s).*\\b" + g.getKey() + "\\b.*")) {
                    where = g.getValue();
                    at = path + "." + snakeCase(g.getKey());
                    break;
                }
            }
            problems.add(Problems.at(where, at, "invalid config of step '" + step.name() + "': "
                    + e.getMessage()));
            return Optional.empty();
        }
    }

    private static Object construct(Class<?> recordType, Object[] args) {
        Class<?>[] types = Arrays.stream(recordType.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            Constructor<?> ctor = recordType.getDeclaredConstructor(types);
            ctor.trySetAccessible();
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            if (cause instanceof NullPointerException npe) {
                throw new IllegalArgumentException("a required value is missing: " + npe.getMessage(), npe);
            }
            throw new IllegalArgumentException(String.valueOf(cause), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("the host cannot create " + recordType.getName() + " (" + e
                    + "); make the config record public in an exported package");
        }
    }

    /** The value of {@code node} for {@code f}, or null (with a problem) when it does not fit. */
    private Object convert(Field f, Node node, String path, List<Problem> problems) {
        if (f.kind() == Kind.LIST) {
            List<Node> items = node instanceof SequenceNode l ? l.getValue() : List.of(node);
            List<Object> out = new ArrayList<>();
            for (Node item : items) {
                Object v = scalar(f, f.elementKind(), item, path, problems);
                if (v == null) {
                    return null;
                }
                out.add(v);
            }
            return List.copyOf(out);
        }
        return scalar(f, f.kind(), node, path, problems);
    }

    private Object scalar(Field f, Kind kind, Node node, String path, List<Problem> problems) {
        String expected = kindName(kind, f);
        if (YamlTree.scalar(node) == null) {
            problems.add(Problems.at(YamlTree.loc(node), path, "'" + f.key() + "' must be " + article(expected)
                    + ", found " + YamlTree.describe(node)));
            return null;
        }
        Object v = YamlTree.scalar(node);
        Object out = switch (kind) {
            case INT, LONG -> {
                if (v instanceof Long l) {
                    if (kind == Kind.INT && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
                        yield null;
                    }
                    yield kind == Kind.INT ? (Object) l.intValue() : l;
                }
                yield null;
            }
            case DOUBLE, FLOAT -> {
                Double d = v instanceof Number n ? (Double) n.doubleValue() : null;
                if (d == null && v instanceof String str) {
                    try {
                        d = Double.parseDouble(str.strip());
                    } catch (NumberFormatException e) {
                        d = null;
                    }
                }
                yield d == null ? null : kind == Kind.FLOAT ? (Object) d.floatValue() : d;
            }
            case BOOLEAN -> v instanceof Boolean ? v : null;
            case STRING -> v instanceof Boolean ? null : v.toString();
            case PATH -> v instanceof String str ? Path.of(str) : null;
            case ENUM -> {
                if (v instanceof String str) {
                    for (Object c : f.enumType().getEnumConstants()) {
                        if (enumKey(c).equals(str.strip().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                            yield c;
                        }
                    }
                    problems.add(Problems.at(YamlTree.loc(node), path, "'" + f.key() + "' must be one of "
                            + String.join(", ", f.oneOf()) + ", found '" + str + "'"
                            + Suggestions.hint(str, f.oneOf())));
                    yield Boolean.FALSE;
                }
                yield null;
            }
            case LIST, RECORD, UNSUPPORTED -> {
                problems.add(Problems.at(YamlTree.loc(node), path, "config key '" + f.key() + "' of step '"
                        + step.name() + "' has Java type " + f.component().getGenericType().getTypeName()
                        + ", which pipelines cannot set"));
                yield Boolean.FALSE;
            }
        };
        if (out == Boolean.FALSE && kind != Kind.BOOLEAN) {
            return null;
        }
        if (out == null) {
            problems.add(Problems.at(YamlTree.loc(node), path, "'" + f.key() + "' must be " + article(expected)
                    + ", found " + YamlTree.describe(node)));
            return null;
        }
        if (f.range() != null && out instanceof Number n && !inRange(f.range(), n.doubleValue())) {
            problems.add(Problems.at(YamlTree.loc(node), path, "'" + f.key() + "' is " + v + " but must be "
                    + rangeText(f.range())));
            return null;
        }
        if (kind == Kind.STRING && !f.oneOf().isEmpty() && !f.oneOf().contains(out)) {
            problems.add(Problems.at(YamlTree.loc(node), path, "'" + f.key() + "' must be one of "
                    + String.join(", ", f.oneOf()) + ", found '" + out + "'"
                    + Suggestions.hint(out.toString(), f.oneOf())));
            return null;
        }
        return out;
    }

    private static boolean inRange(Range r, double v) {
        boolean low = r.minExclusive() ? v > r.min() : v >= r.min();
        boolean high = r.maxExclusive() ? v < r.max() : v <= r.max();
        return low && high;
    }

    static String rangeText(Range r) {
        boolean hasMin = r.min() != Double.NEGATIVE_INFINITY;
        boolean hasMax = r.max() != Double.POSITIVE_INFINITY;
        if (hasMin && hasMax) {
            return "in " + (r.minExclusive() ? "(" : "[") + number(r.min()) + ", " + number(r.max())
                    + (r.maxExclusive() ? ")" : "]");
        }
        if (hasMin) {
            return (r.minExclusive() ? "> " : ">= ") + number(r.min());
        }
        if (hasMax) {
            return (r.maxExclusive() ? "< " : "<= ") + number(r.max());
        }
        return "any number";
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String constraint(Field f) {
        List<String> parts = new ArrayList<>();
        if (f.range() != null) {
            parts.add(rangeText(f.range()));
        }
        if (!f.oneOf().isEmpty()) {
            parts.add("one of " + String.join(", ", f.oneOf()));
        }
        return String.join("; ", parts);
    }

    private static String typeName(Field f) {
        return f.kind() == Kind.LIST ? "list of " + kindName(f.elementKind(), f) : kindName(f.kind(), f);
    }

    private static String kindName(Kind k, Field f) {
        return switch (k) {
            case INT, LONG -> "integer";
            case DOUBLE, FLOAT -> "number";
            case BOOLEAN -> "boolean";
            case STRING -> "string";
            case ENUM -> "string";
            case PATH -> "path";
            case LIST -> "list";
            case RECORD -> "map";
            case UNSUPPORTED -> f.component().getGenericType().getTypeName();
        };
    }

    private static String article(String typeName) {
        return (typeName.matches("^[aeiou].*") ? "an " : "a ") + typeName;
    }

    private static Kind kindOf(Class<?> c) {
        if (c == int.class || c == Integer.class || c == short.class || c == Short.class) {
            return Kind.INT;
        }
        if (c == long.class || c == Long.class) {
            return Kind.LONG;
        }
        if (c == double.class || c == Double.class) {
            return Kind.DOUBLE;
        }
        if (c == float.class || c == Float.class) {
            return Kind.FLOAT;
        }
        if (c == boolean.class || c == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (c == String.class) {
            return Kind.STRING;
        }
        if (c.isEnum()) {
            return Kind.ENUM;
        }
        if (c == Path.class) {
            return Kind.PATH;
        }
        if (c == List.class) {
            return Kind.LIST;
        }
        if (c.isRecord()) {
            return Kind.RECORD;
        }
        return Kind.UNSUPPORTED;
    }

    private static String enumKey(Object constant) {
        return ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code batchSize} → {@code batch_size}; {@code lr} stays. */
    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** A value as YAML writes it, for defaults and the resolved pipeline. */
    static String yaml(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ConfigSchema::yaml).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof Enum<?> e) {
            return enumKey(e);
        }
        if (v instanceof String s) {
            return s.isEmpty() || !s.matches("[A-Za-z0-9_./-]+") || s.matches("true|false|null|[-0-9.eE+]+")
                    ? "'" + s.replace("'", "''") + "'" : s;
        }
        return v.toString();
    }

    /** The config record's values by YAML key (a nested record as a map), for the resolved pipeline. */
    Map<String, Object> values(Record config) {
        return values(config, fields);
    }

    private Map<String, Object> values(Object record, List<Field> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : fields) {
            try {
                var accessor = f.component().getAccessor();
                accessor.trySetAccessible();
                Object v = record == null ? null : accessor.invoke(record);
                out.put(f.key(), f.kind() == Kind.RECORD ? values(v, f.children()) : v instanceof Enum<?> e
                        ? enumKey(e) : v instanceof Path p ? p.toString() : v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read config of " + step.name() + ": " + e, e);
            }
        }
        return out;
    }
}
