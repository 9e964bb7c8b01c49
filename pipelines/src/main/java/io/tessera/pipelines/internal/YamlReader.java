package io.tessera.pipelines.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads YAML with Jackson's YAML parser into {@link YamlNode}s that keep their line and column. Syntax errors and
 * duplicated keys become problems instead of exceptions.
 */
final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final String file;
    private final List<Problems.Problem> problems;

    private YamlReader(String file, List<Problems.Problem> problems) {
        this.file = file;
        this.problems = problems;
    }

    /**
     * Parses {@code text}; on a syntax error returns null and adds the problem.
     *
     * @param file the name used in locations
     */
    static YamlNode read(String text, String file, List<Problems.Problem> problems) {
        YamlReader reader = new YamlReader(file, problems);
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(new Problems.Problem(new Loc(file, 1, 1), "", "the file is empty; a pipeline needs at"
                        + " least 'name:' and 'steps:'"));
                return null;
            }
            return reader.value(parser);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            int line = l == null ? 1 : Math.max(1, l.getLineNr());
            int column = l == null ? 1 : Math.max(1, l.getColumnNr());
            problems.add(new Problems.Problem(new Loc(file, line, column), "", "YAML syntax error: "
                    + oneLine(e.getOriginalMessage())));
            return null;
        } catch (IOException e) {
            problems.add(new Problems.Problem(new Loc(file, 1, 1), "", "cannot read: " + e.getMessage()));
            return null;
        }
    }

    private YamlNode value(JsonParser p) throws IOException {
        Loc loc = loc(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                List<YamlNode.Entry> entries = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Loc keyLoc = loc(p.currentTokenLocation());
                    p.nextToken();
                    YamlNode v = value(p);
                    if (!seen.add(key)) {
                        problems.add(new Problems.Problem(keyLoc, key, "key '" + key + "' appears twice in this map;"
                                + " remove one (the last one would win)"));
                        entries.removeIf(e -> e.key().equals(key));
                    }
                    entries.add(new YamlNode.Entry(key, keyLoc, v));
                }
                return new YamlNode.YMap(entries, loc);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p));
                }
                return new YamlNode.YList(items, loc);
            }
            case VALUE_STRING -> {
                return new YamlNode.YScalar(p.getText(), loc);
            }
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    BigInteger big = p.getBigIntegerValue();
                    return new YamlNode.YScalar(big.doubleValue(), loc);
                }
                return new YamlNode.YScalar(p.getLongValue(), loc);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YamlNode.YScalar(p.getDoubleValue(), loc);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YamlNode.YScalar(t == JsonToken.VALUE_TRUE, loc);
            }
            case VALUE_NULL -> {
                return new YamlNode.YScalar(null, loc);
            }
            default -> {
                return new YamlNode.YScalar(p.getText(), loc);
            }
        }
    }

    private Loc loc(JsonLocation l) {
        return new Loc(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unreadable YAML";
        }
        // snakeyaml messages span lines with a caret drawing; keep the words.
        StringBuilder out = new StringBuilder();
        for (String line : message.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("^") || s.startsWith("in 'reader'") || s.startsWith("in 'string'")) {
                continue;
            }
            if (out.length() > 0) {
                out.append("; ");
            }
            out.append(s);
        }
        return out.toString();
    }
}
