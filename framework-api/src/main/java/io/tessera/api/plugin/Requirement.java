package io.tessera.api.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * One entry of {@code Tessera-Requires}: another plugin this plugin needs, with the versions it accepts, written
 * {@code io.tessera.plugin.datasets;version="[1.0,2.0)"}. Without a {@code version} attribute every version is
 * accepted. An <em>optional</em> requirement, written {@code io.acme.extra;resolution:=optional} (OSGi's syntax), is
 * wired when that plugin is installed and resolvable in an accepted version, and ignored otherwise; its module must
 * be read with {@code requires static} in module-info, which is also enough on its own (docs/plugin-authors.md,
 * "Optional dependencies").
 *
 * @param pluginId the id of the required plugin (a module name)
 * @param range    the accepted versions
 * @param optional whether the plugin runs without it
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Requirement(String pluginId, VersionRange range, boolean optional) {

    /** The manifest attribute that makes a requirement optional: {@code resolution:=optional}. */
    public static final String RESOLUTION = "resolution";

    private static final Pattern MODULE_NAME =
            Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
                    + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

    public Requirement {
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(range, "range");
        if (pluginId.isBlank()) {
            throw new IllegalArgumentException("required plugin id is empty");
        }
    }

    /** A mandatory requirement. */
    public Requirement(String pluginId, VersionRange range) {
        this(pluginId, range, false);
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

    /**
     * Parses one entry such as {@code io.y;version="[2.0,3.0)"} or {@code io.y;resolution:=optional}.
     *
     * @throws IllegalArgumentException naming the entry and what to write instead
     */
    public static Requirement parse(String entry) {
        String[] parts = entry.trim().split(";");
        String id = parts[0].trim();
        String shown = entry.trim();
        if (id.isEmpty()) {
            throw new IllegalArgumentException("'" + shown + "': missing plugin id before ';'");
        }
        if (!MODULE_NAME.matcher(id).matches()) {
            String hint = id.endsWith("?") && MODULE_NAME.matcher(id.substring(0, id.length() - 1)).matches()
                    ? "; to make it optional write " + id.substring(0, id.length() - 1) + ";resolution:=optional"
                    : "";
            throw new IllegalArgumentException("'" + shown + "': '" + id + "' is not a plugin id (the module name "
                    + "of a plugin, such as io.acme.extra)" + hint);
        }
        VersionRange range = VersionRange.ANY;
        boolean optional = false;
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            int eq = attribute.indexOf('=');
            String name = eq < 0 ? attribute : attribute.substring(0, eq).trim();
            if (name.equals("version")) {
                try {
                    range = VersionRange.parse(attribute.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + shown + "': " + e.getMessage(), e);
                }
            } else if (name.equals(RESOLUTION + ":")) {
                String value = unquote(attribute.substring(eq + 1).trim());
                if (!value.equals("optional") && !value.equals("mandatory")) {
                    throw new IllegalArgumentException("'" + shown + "': resolution:=" + value + " is neither "
                            + "optional nor mandatory");
                }
                optional = value.equals("optional");
            } else {
                throw new IllegalArgumentException("'" + shown + "': unknown attribute '" + attribute
                        + "'; write id;version=\"[1.0,2.0)\", and add ;resolution:=optional for an optional plugin");
            }
        }
        return new Requirement(id, range, optional);
    }

    @Override
    public String toString() {
        String text = range.equals(VersionRange.ANY) ? pluginId : pluginId + ";version=\"" + range + "\"";
        return optional ? text + ";" + RESOLUTION + ":=optional" : text;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
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
