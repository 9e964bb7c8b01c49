package io.tessera.pipelines.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A YAML value with its source location: Jackson's tree model drops locations, so the pipeline reader builds this
 * small tree from the parser's tokens instead.
 */
sealed interface YamlNode {

    Loc loc();

    /** How the value reads in messages: {@code a map}, {@code the string 'x'}, {@code the number 5}. */
    String describe();

    /** A mapping; keys keep file order; a duplicated key is kept as its last value and reported by the reader. */
    record YMap(List<Entry> entries, Loc loc) implements YamlNode {
        public YMap {
            entries = new ArrayList<>(entries);
        }

        Optional<Entry> entry(String key) {
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i).key().equals(key)) {
                    return Optional.of(entries.get(i));
                }
            }
            return Optional.empty();
        }

        Optional<YamlNode> get(String key) {
            return entry(key).map(Entry::value);
        }

        /** Sets {@code key} to {@code value} (replacing it in place, or appending). */
        void put(String key, Loc keyLoc, YamlNode value) {
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).key().equals(key)) {
                    entries.set(i, new Entry(key, keyLoc, value));
                    return;
                }
            }
            entries.add(new Entry(key, keyLoc, value));
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    /** One key of a map. */
    record Entry(String key, Loc keyLoc, YamlNode value) {
    }

    /** A sequence. */
    record YList(List<YamlNode> items, Loc loc) implements YamlNode {
        public YList {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar: {@link String}, {@link Long}, {@link Double}, {@link Boolean}, or {@code null}. */
    record YScalar(Object value, Loc loc) implements YamlNode {
        @Override
        public String describe() {
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
    }
}
