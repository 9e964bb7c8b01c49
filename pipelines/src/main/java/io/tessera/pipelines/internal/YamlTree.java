package io.tessera.pipelines.internal;

import io.tessera.api.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The pipeline tree is snakeyaml-engine's composed node graph (YAML 1.2 core schema): every node carries the mark of
 * where it starts, so problems point at a line and column. This class reads files into that graph (syntax errors
 * and duplicated keys become located problems, not exceptions), builds the same graph for pipelines written in Java
 * and for {@code --set} overrides (their marks name the pipeline or the override, line 0), and gives the validator
 * the few views it needs: a node's location, its scalar value, a map's entries.
 */
final class YamlTree {
    private static final CoreSchema SCHEMA = new CoreSchema();
    private static final Map<Tag, ConstructNode> SCALARS = SCHEMA.getSchemaTagConstructors();

    /** One key of a map, with the location of the key. */
    record Entry(String key, Loc keyLoc, Node value) {
    }

    /**
     * The largest pipeline text accepted, in bytes (of a file) or characters (of a {@code --set} value or a pipeline
     * built in Java): pipelines are a few kilobytes, and a bigger file is refused before it is read or parsed.
     */
    static final int MAX_TEXT = 1 << 20;

    /** A file above {@link #MAX_TEXT}; its message names the file, its size and the limit. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private YamlTree() {
    }

    /**
     * Reads a pipeline file as strict UTF-8, refusing a file above {@link #MAX_TEXT} bytes before reading it (and
     * reading at most one byte more, should it grow meanwhile).
     *
     * @throws TooLargeException           when the file is too large
     * @throws CharacterCodingException    when it is not UTF-8
     */
    static String readFile(Path file) throws IOException {
        long size = Files.size(file);
        byte[] bytes;
        if (size <= MAX_TEXT) {
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_TEXT + 1);
            }
            size = bytes.length;
        } else {
            bytes = null;
        }
        if (bytes == null || size > MAX_TEXT) {
            throw new TooLargeException(tooLarge(size + " bytes"));
        }
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static String tooLarge(String size) {
        return "the pipeline has " + size + ", above the limit of " + MAX_TEXT + " (1 MiB); a pipeline is a few"
                + " kilobytes: check that this is the pipeline file, and keep data in files the steps read";
    }

    /**
     * Parses {@code text}; on a syntax error returns null and adds the problem. A key that appears twice in one map is
     * reported, and the later value kept.
     *
     * @param file the name used in locations
     */
    static Node read(String text, String file, List<Problem> problems) {
        if (text.length() > MAX_TEXT) {
            problems.add(Problems.at(Loc.of(file), "", tooLarge(text.length() + " characters")));
            return null;
        }
        LoadSettings settings = LoadSettings.builder().setLabel(file).setSchema(SCHEMA).setUseMarks(true)
                .setCodePointLimit(MAX_TEXT).build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            problems.add(syntaxError(e, file));
            return null;
        } catch (YamlEngineException e) {
            problems.add(Problems.at(new Loc(file, 1, 1), "", "YAML syntax error: " + e.getMessage()));
            return null;
        }
        if (root.isEmpty() || isNull(root.get()) && text.isBlank()) {
            problems.add(Problems.at(new Loc(file, 1, 1), "", "the file is empty; a pipeline needs at"
                    + " least 'name:' and 'steps:'"));
            return null;
        }
        checkKeys(root.get(), problems, new java.util.IdentityHashMap<>());
        return root.get();
    }

    /** Reports duplicated and non-scalar keys, recursively; of a duplicated key only the last value stays. */
    private static void checkKeys(Node node, List<Problem> problems, Map<Node, Boolean> seen) {
        if (seen.put(node, Boolean.TRUE) != null) {
            return; // an alias of a node already checked
        }
        if (node instanceof MappingNode map) {
            Map<String, Integer> index = new HashMap<>();
            List<NodeTuple> kept = new ArrayList<>();
            for (NodeTuple t : map.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    problems.add(Problems.at(loc(t.getKeyNode()), "", "a key must be a plain word, found "
                            + describe(t.getKeyNode()) + "; write key: value"));
                    continue;
                }
                Integer before = index.put(key.getValue(), kept.size());
                if (before != null) {
                    problems.add(Problems.at(loc(key), key.getValue(), "key '" + key.getValue()
                            + "' appears twice in this map (first at line " + loc(kept.get(before).getKeyNode())
                            .line() + "); remove one (the last one would win)"));
                    kept.set(before, null);
                }
                kept.add(t);
                checkKeys(t.getValueNode(), problems, seen);
            }
            kept.removeIf(t -> t == null);
            map.setValue(kept);
        } else if (node instanceof SequenceNode list) {
            list.getValue().forEach(n -> checkKeys(n, problems, seen));
        }
    }

    /** Where {@code node} starts: file, 1-based line and column; line 0 for nodes not read from a file. */
    static Loc loc(Node node) {
        Optional<Mark> mark = node.getStartMark();
        if (mark.isEmpty()) {
            return Loc.of("?");
        }
        Mark m = mark.get();
        return m.getLine() < 0 ? Loc.of(m.getName()) : new Loc(m.getName(), m.getLine() + 1, m.getColumn() + 1);
    }

    /**
     * The value of a scalar node as the core schema reads it: {@link String}, {@link Long}, {@link Double},
     * {@link Boolean}, or {@code null} for a YAML null; also {@code null} for a map or a list (see {@link #isNull}).
     */
    static Object scalar(Node node) {
        if (!(node instanceof ScalarNode s)) {
            return null;
        }
        ConstructNode construct = SCALARS.get(s.getTag());
        Object v = construct == null ? s.getValue() : construct.construct(s);
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger big) {
            return big.doubleValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        return v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean || v == null
                ? v : s.getValue();
    }

    /** Whether {@code node} is a YAML null ({@code ~}, {@code null} or nothing). */
    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** How the value reads in messages: {@code a map}, {@code the string 'x'}, {@code the number 5}. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Object value = scalar(node);
        if (value == null) {
            return "nothing (null)";
        }
        if (value instanceof String s) {
            return "the string '" + s + "'";
        }
        if (value instanceof Boolean b) {
            return "the boolean " + b;
        }
        return "the number " + value;
    }

    /** The keys of a map in file order (after {@link #read}, each key once). */
    static List<Entry> entries(MappingNode map) {
        List<Entry> out = new ArrayList<>(map.getValue().size());
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode key) {
                out.add(new Entry(key.getValue(), loc(key), t.getValueNode()));
            }
        }
        return out;
    }

    static Optional<Entry> entry(MappingNode map, String key) {
        List<Entry> entries = entries(map);
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).key().equals(key)) {
                return Optional.of(entries.get(i));
            }
        }
        return Optional.empty();
    }

    static Optional<Node> get(MappingNode map, String key) {
        return entry(map, key).map(Entry::value);
    }

    /** Sets {@code key} of {@code map} to {@code value}, replacing it in place or appending it. */
    static void put(MappingNode map, String key, Loc keyLoc, Node value) {
        List<NodeTuple> tuples = new ArrayList<>(map.getValue());
        NodeTuple tuple = new NodeTuple(scalarNode(key, Tag.STR, keyLoc), value);
        boolean replaced = false;
        for (int i = 0; i < tuples.size(); i++) {
            if (tuples.get(i).getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                tuples.set(i, tuple);
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            tuples.add(tuple);
        }
        map.setValue(tuples);
    }

    /** An empty map at {@code loc}. */
    static MappingNode emptyMap(Loc loc) {
        return new MappingNode(Tag.MAP, true, new ArrayList<>(), FlowStyle.AUTO, mark(loc), Optional.empty());
    }

    /** A Java value (maps, lists, scalars) as a tree at {@code loc}. */
    static Node node(Object value, Loc loc) {
        if (value instanceof Map<?, ?> m) {
            List<NodeTuple> tuples = new ArrayList<>();
            m.forEach((k, v) -> tuples.add(new NodeTuple(scalarNode(String.valueOf(k), Tag.STR, loc), node(v, loc))));
            return new MappingNode(Tag.MAP, true, tuples, FlowStyle.AUTO, mark(loc), Optional.empty());
        }
        if (value instanceof List<?> l) {
            List<Node> items = new ArrayList<>();
            l.forEach(v -> items.add(node(v, loc)));
            return new SequenceNode(Tag.SEQ, true, items, FlowStyle.AUTO, mark(loc), Optional.empty());
        }
        if (value == null) {
            return scalarNode("null", Tag.NULL, loc);
        }
        if (value instanceof Boolean b) {
            return scalarNode(b.toString(), Tag.BOOL, loc);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte || value instanceof Long) {
            return scalarNode(value.toString(), Tag.INT, loc);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            String text = Double.isNaN(d) ? ".nan" : Double.isInfinite(d) ? (d > 0 ? ".inf" : "-.inf")
                    : Double.toString(d);
            return scalarNode(text, Tag.FLOAT, loc);
        }
        if (value instanceof Path path) {
            return scalarNode(path.toString(), Tag.STR, loc);
        }
        if (value instanceof Enum<?> en) {
            return scalarNode(en.name().toLowerCase(Locale.ROOT).replace('_', '-'), Tag.STR, loc);
        }
        return scalarNode(value.toString(), Tag.STR, loc);
    }

    /** A copy of {@code node} whose every part is at {@code loc} (an override's value points at the override). */
    static Node relocate(Node node, Loc loc) {
        if (node instanceof MappingNode m) {
            List<NodeTuple> tuples = new ArrayList<>();
            for (NodeTuple t : m.getValue()) {
                tuples.add(new NodeTuple(relocate(t.getKeyNode(), loc), relocate(t.getValueNode(), loc)));
            }
            return new MappingNode(m.getTag(), true, tuples, m.getFlowStyle(), mark(loc), Optional.empty());
        }
        if (node instanceof SequenceNode l) {
            List<Node> items = new ArrayList<>();
            l.getValue().forEach(n -> items.add(relocate(n, loc)));
            return new SequenceNode(l.getTag(), true, items, l.getFlowStyle(), mark(loc), Optional.empty());
        }
        ScalarNode s = (ScalarNode) node;
        return new ScalarNode(s.getTag(), true, s.getValue(), s.getScalarStyle(), mark(loc), Optional.empty());
    }

    private static ScalarNode scalarNode(String text, Tag tag, Loc loc) {
        return new ScalarNode(tag, true, text, ScalarStyle.PLAIN, mark(loc), Optional.empty());
    }

    private static Optional<Mark> mark(Loc loc) {
        return Optional.of(new Mark(loc.file(), 0, loc.line() - 1, loc.column() - 1, new int[0], 0));
    }

    /**
     * A syntax error as a person reads it: where, what is wrong in plain words, and a hint how to fix it; the
     * parser's own words follow only where no plainer description is known.
     */
    static Problem syntaxError(MarkedYamlEngineException e, String file) {
        Mark at = e.getProblemMark().or(e::getContextMark).orElse(null);
        Loc loc = at == null ? new Loc(file, 1, 1) : new Loc(file, at.getLine() + 1, at.getColumn() + 1);
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        Optional<Loc> started = e.getContextMark().map(m -> new Loc(file, m.getLine() + 1, m.getColumn() + 1));
        String what;
        String hint;
        if (problem.contains("(TAB)") || problem.contains("'\\t'") || problem.contains("\t")) {
            what = "a tab character where YAML expects spaces";
            hint = "indent with spaces only; replace the tabs on this line with spaces";
        } else if (problem.startsWith("expected <block end>")) {
            what = "this line is indented differently from the lines before it"
                    + started.map(s -> " (the " + (context.contains("sequence") ? "list" : "map")
                    + " starting at line " + s.line() + ", column " + s.column() + ")").orElse("");
            hint = "keys of one map (and the '-' items of one list) must start in the same column; a value that"
                    + " goes on over several lines must be quoted";
        } else if (problem.startsWith("mapping values are not allowed")) {
            what = "a ':' where no new key can start";
            hint = "a value that contains ': ' must be quoted (\"a: b\"); a nested map goes on its own, more"
                    + " indented lines";
        } else if (problem.startsWith("could not find expected ':'")) {
            what = "a line that looks like a key but has no ':'"
                    + started.map(s -> " (from line " + s.line() + ")").orElse("");
            hint = "write 'key: value' with a space after the colon, or quote a value that spans lines";
        } else if (context.contains("quoted scalar")) {
            what = "a quoted value is not closed"
                    + started.map(s -> " (it opens at line " + s.line() + ", column " + s.column() + ")").orElse("");
            hint = "add the closing quote";
        } else if (context.contains("flow mapping") || context.contains("flow sequence")) {
            boolean map = context.contains("flow mapping");
            what = "a " + (map ? "{ } map" : "[ ] list") + " is not closed, or two of its items lack a ','"
                    + started.map(s -> " (it opens at line " + s.line() + ", column " + s.column() + ")").orElse("");
            hint = "close it with '" + (map ? "}" : "]") + "' and separate items with ', '";
        } else if (problem.contains("undefined alias")) {
            what = "an alias (*name) that no anchor (&name) defines";
            hint = "define the anchor before its first use, or quote a value that starts with '*'";
        } else if (problem.contains("cannot start any token")) {
            what = "a value starts with a character YAML reserves (" + problem.replaceAll(".*character ", "")
                    .replaceAll(" that cannot.*", "") + ")";
            hint = "quote the value";
        } else {
            what = (context.isEmpty() ? "" : context + ": ") + problem;
            hint = "check the indentation (spaces; sibling keys in one column) and the quoting on this line and the"
                    + " one before";
        }
        return Problems.at(loc, "", "YAML syntax error: " + what + "; hint: " + hint);
    }
}
