package io.tessera.api.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Who a plugin is and what it needs, readable before any of its classes loads. The plugin's {@code module-info} is
 * the single source of its identity: the id is the module name, the version its {@code --module-version}. The jar
 * manifest adds only what module-info cannot say, and the {@code tessera-maven-plugin} generates it at build time:
 *
 * <pre>
 * Tessera-Api: [1.0,2.0)
 * Tessera-Requires: io.tessera.plugin.datasets;version="[1.0,2.0)"
 * </pre>
 *
 * Older manifests that repeat the identity ({@code Tessera-Plugin-Id}, {@code Tessera-Plugin-Version}) still load;
 * the host checks them against module-info and warns that they are deprecated ({@link #isLegacy}).
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

    /** Whether the manifest declares a plugin at all (has a {@value #API_RANGE} or a {@value #ID} attribute). */
    public static boolean isPlugin(Manifest manifest) {
        return manifest != null && (manifest.getMainAttributes().getValue(ID) != null
                || manifest.getMainAttributes().getValue(API_RANGE) != null);
    }

    /**
     * Whether the manifest repeats the plugin's identity ({@value #ID}, {@value #VERSION}), as manifests written
     * before 1.0's {@code tessera-maven-plugin} did. Such manifests are deprecated: module-info says the same.
     */
    public static boolean isLegacy(Manifest manifest) {
        return manifest != null && (manifest.getMainAttributes().getValue(ID) != null
                || manifest.getMainAttributes().getValue(VERSION) != null);
    }

    /**
     * Reads a descriptor whose identity comes from the plugin's module descriptor (name and version) and whose API
     * range and requirements come from the manifest ({@value #API_RANGE}, {@value #REQUIRES}).
     *
     * @throws IllegalArgumentException if the module has no version (compile it with {@code --module-version}) or a
     *                                  manifest entry is missing or malformed, naming what to fix
     */
    public static PluginDescriptor fromModule(java.lang.module.ModuleDescriptor module, Manifest manifest) {
        Objects.requireNonNull(module, "module");
        String raw = module.rawVersion().orElseThrow(() -> new IllegalArgumentException("module " + module.name()
                + " has no version; compile it with javac --module-version (Maven's compiler plugin passes the "
                + "project version when it compiles a module-info)"));
        Version version;
        try {
            version = Version.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("module version of " + module.name() + ": " + e.getMessage(), e);
        }
        Attributes attributes = manifest.getMainAttributes();
        String apiText = required(attributes, API_RANGE, "a version range, e.g. [1.0,2.0)");
        return new PluginDescriptor(module.name(), version, apiRange(apiText), requirements(attributes));
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
        VersionRange api = apiRange(apiText);
        List<Requirement> requirements = requirements(attributes);
        try {
            return new PluginDescriptor(id.trim(), version, api, requirements);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + ID + ": " + e.getMessage(), e);
        }
    }

    private static VersionRange apiRange(String text) {
        try {
            return VersionRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + API_RANGE + ": " + e.getMessage(), e);
        }
    }

    private static List<Requirement> requirements(Attributes attributes) {
        String requires = attributes.getValue(REQUIRES);
        try {
            return requires == null || requires.isBlank() ? List.of() : Requirement.parseList(requires);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest attribute " + REQUIRES + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes this descriptor into the main attributes of a manifest in the deprecated form that repeats the identity
     * ({@value #ID}, {@value #VERSION}); see {@link #writeRangesTo} for the current form.
     */
    public void writeTo(Manifest manifest) {
        writeRangesTo(manifest);
        Attributes attributes = manifest.getMainAttributes();
        attributes.putValue(ID, id);
        attributes.putValue(VERSION, version.toString());
    }

    /**
     * Writes what module-info cannot say ({@value #API_RANGE} and {@value #REQUIRES}) into the main attributes of a
     * manifest: the current form, which the {@code tessera-maven-plugin} and the test kit write.
     */
    public void writeRangesTo(Manifest manifest) {
        Attributes attributes = manifest.getMainAttributes();
        if (attributes.getValue(Attributes.Name.MANIFEST_VERSION) == null) {
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        }
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
