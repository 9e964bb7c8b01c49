package io.tessera.api.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One entry of {@code Tessera-Requires}: another plugin this plugin needs, with the versions it accepts, written
 * {@code io.tessera.plugin.datasets;version="[1.0,2.0)"}. Without a {@code version} attribute every version is
 * accepted.
 *
 * @param pluginId the id of the required plugin
 * @param range    the accepted versions
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Requirement(String pluginId, VersionRange range) {

    public Requirement {
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(range, "range");
        if (pluginId.isBlank()) {
            throw new IllegalArgumentException("required plugin id is empty");
        }
    }

    /**
     * Parses a comma-separated {@code Tessera-Requires} value. Commas inside quotes or brackets belong to the range.
     *
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static List<Requirement> parseList(String text) {
        List<Requirement> result = new ArrayList<>();
        for (String entry : splitTopLevel(text)) {
            if (!entry.isBlank()) {
                result.add(parse(entry));
            }
        }
        return List.copyOf(result);
    }

    /** Parses one entry such as {@code io.y;version="[2.0,3.0)"}. */
    public static Requirement parse(String entry) {
        String[] parts = entry.trim().split(";");
        String id = parts[0].trim();
        VersionRange range = VersionRange.ANY;
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            int eq = attribute.indexOf('=');
            if (eq < 0 || !attribute.substring(0, eq).trim().equals("version")) {
                throw new IllegalArgumentException("'" + entry.trim() + "': unknown attribute '" + attribute
                        + "'; write id;version=\"[1.0,2.0)\"");
            }
            try {
                range = VersionRange.parse(attribute.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + entry.trim() + "': " + e.getMessage(), e);
            }
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("'" + entry.trim() + "': missing plugin id before ';'");
        }
        return new Requirement(id, range);
    }

    @Override
    public String toString() {
        return range.equals(VersionRange.ANY) ? pluginId : pluginId + ";version=\"" + range + "\"";
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '[' || c == '(')) {
                depth++;
            } else if (!quoted && (c == ']' || c == ')')) {
                depth--;
            } else if (c == ',' && !quoted && depth <= 0) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }
}
