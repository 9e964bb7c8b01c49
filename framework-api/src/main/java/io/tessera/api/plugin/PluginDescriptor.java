package io.tessera.api.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * What a plugin says about itself in its jar manifest, readable before any of its classes loads:
 *
 * <pre>
 * Tessera-Plugin-Id: io.tessera.plugin.fdconv
 * Tessera-Plugin-Version: 1.0.0
 * Tessera-Api: [1.0,2.0)
 * Tessera-Requires: io.tessera.plugin.datasets;version="[1.0,2.0)"
 * </pre>
 *
 * The id must equal the plugin's module name; the host checks this and the other entries against the jar's
 * {@code module-info}.
 *
 * @param id       the plugin id, a dotted Java module name
 * @param version  the plugin's semantic version
 * @param apiRange the range of {@link io.tessera.api.TesseraApi#VERSION} the plugin works with
 * @param requires the plugins this plugin needs, each with a version range
 */
@API(status = API.Status.STABLE, since = "1.0")
public record PluginDescriptor(String id, Version version, VersionRange apiRange, List<Requirement> requires) {

    /** Manifest attribute holding the plugin id. */
    public static final String ID = "Tessera-Plugin-Id";
    /** Manifest attribute holding the plugin version. */
    public static final String VERSION = "Tessera-Plugin-Version";
    /** Manifest attribute holding the accepted API version range. */
    public static final String API_RANGE = "Tessera-Api";
    /** Manifest attribute holding the required plugins. */
    public static final String REQUIRES = "Tessera-Requires";

    private static final Pattern MODULE_NAME =
            Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
                    + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

    public PluginDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(apiRange, "apiRange");
        requires = List.copyOf(requires);
        if (!MODULE_NAME.matcher(id).matches()) {
            throw new IllegalArgumentException("plugin id '" + id + "' is not a dotted name like io.acme.plugin");
        }
    }

    /** Whether the manifest declares a plugin at all (has a {@value #ID} attribute). */
    public static boolean isPlugin(Manifest manifest) {
        return manifest != null && manifest.getMainAttributes().getValue(ID) != null;
    }

    /**
     * Reads a descriptor from a jar manifest.
     *
     * @throws IllegalArgumentException naming the attribute that is missing or malformed and what it should look like
     */
    public static PluginDescriptor fromManifest(Manifest manifest) {
        Attributes attributes = manifest.getMainAttributes();
        String id = required(attributes, ID, "a dotted plugin id equal to the module name, e.g. io.acme.hello");
        String versionText = required(attributes, VERSION, "a semantic version, e.g. 1.0.0");
        String apiText = required(attributes, API_RANGE, "a version range, e.g. [1.0,2.0)");
        Version version;
        try {
            version = Version.parse(versionText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + VERSION + ": " + e.getMessage(), e);
        }
        VersionRange api;
        try {
            api = VersionRange.parse(apiText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + API_RANGE + ": " + e.getMessage(), e);
        }
        String requires = attributes.getValue(REQUIRES);
        List<Requirement> requirements;
        try {
            requirements = requires == null ? List.of() : Requirement.parseList(requires);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + REQUIRES + ": " + e.getMessage(), e);
        }
        try {
            return new PluginDescriptor(id.trim(), version, api, requirements);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + ID + ": " + e.getMessage(), e);
        }
    }

    /** Writes this descriptor into the main attributes of a manifest (used by build tools and the test kit). */
    public void writeTo(Manifest manifest) {
        Attributes attributes = manifest.getMainAttributes();
        if (attributes.getValue(Attributes.Name.MANIFEST_VERSION) == null) {
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        }
        attributes.putValue(ID, id);
        attributes.putValue(VERSION, version.toString());
        attributes.putValue(API_RANGE, apiRange.toString());
        if (!requires.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Requirement r : requires) {
                parts.add(r.toString());
            }
            attributes.putValue(REQUIRES, String.join(",", parts));
        }
    }

    @Override
    public String toString() {
        return id + " " + version;
    }

    private static String required(Attributes attributes, String name, String expected) {
        String value = attributes.getValue(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("manifest attribute " + name + " is missing; add " + name + ": "
                    + expected);
        }
        return value.trim();
    }
}
