package io.tessera.host.internal;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.Version;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Reads a plugin source's manifest descriptor and module descriptor without loading any class, and checks that they
 * agree. Every jar is opened and closed again here: nothing keeps a file handle.
 */
final class PluginReader {

    /** What reading a source gave: a candidate, or the problems that make it unusable. */
    sealed interface Result permits Readable, Unreadable {
    }

    /** The source is a well-formed plugin. */
    record Readable(PluginCandidate candidate) implements Result {
    }

    /**
     * The source cannot be used as it is.
     *
     * @param id       the plugin id if the manifest could be read, otherwise the file name
     * @param version  the version if known, otherwise {@code ?}
     * @param problems why
     */
    record Unreadable(PluginSource source, String id, String version, List<Problem> problems) implements Result {
    }

    private PluginReader() {
    }

    static Result read(PluginSource source) {
        String fallbackId = source.path().getFileName().toString();
        String where = source.path().toString();
        Path pluginJar;
        if (source.isFolder()) {
            List<Path> pluginJars = new ArrayList<>();
            for (Path jar : source.jars()) {
                try {
                    if (PluginDescriptor.isPlugin(manifestOf(jar))) {
                        pluginJars.add(jar);
                    }
                } catch (IOException e) {
                    return corrupt(source, fallbackId, jar, e);
                }
            }
            if (pluginJars.size() != 1) {
                String message = pluginJars.isEmpty()
                        ? "plugin folder " + where + " holds no plugin jar: no jar in it has Tessera-Api in its "
                          + "manifest"
                        : "plugin folder " + where + " holds " + pluginJars.size() + " plugin jars ("
                          + pluginJars.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))
                          + "); a folder is one plugin with its private libraries";
                String hint = pluginJars.isEmpty()
                        ? "add the plugin jar to the folder, or move the libraries into the folder of the plugin "
                          + "that uses them"
                        : "give each plugin a folder of its own";
                return unreadable(source, fallbackId, "?", message, hint);
            }
            pluginJar = pluginJars.get(0);
        } else {
            pluginJar = source.path();
        }
        // opened once for the manifest and kept open while the module finder reads the same jar: the JDK then shares
        // the zip's central directory between the two instead of reading and indexing it again
        JarFile jar;
        Manifest manifest;
        try {
            jar = new JarFile(pluginJar.toFile(), false);
        } catch (IOException e) {
            return corrupt(source, fallbackId, pluginJar, e);
        }
        try {
            try {
                manifest = manifestOf(jar);
            } catch (IOException e) {
                return corrupt(source, fallbackId, pluginJar, e);
            }
            return read(source, pluginJar, manifest);
        } finally {
            try {
                jar.close();
            } catch (IOException ignored) {
                // only read from; nothing to recover
            }
        }
    }

    private static Result read(PluginSource source, Path pluginJar, Manifest manifest) {
        String fallbackId = source.path().getFileName().toString();
        String where = source.path().toString();
        if (!PluginDescriptor.isPlugin(manifest)) {
            return unreadable(source, fallbackId, "?", pluginJar + " is not a Tessera plugin: its manifest has no "
                    + PluginDescriptor.API_RANGE, "build the plugin with the tessera-maven-plugin (it writes "
                    + "Tessera-Api and Tessera-Requires), or move this library into the folder of the plugin that "
                    + "uses it");
        }
        String oversized = oversized(manifest);
        if (oversized != null) {
            return unreadable(source, fallbackId, "?", pluginJar + " was refused: " + oversized,
                    "rebuild the jar with the tessera-maven-plugin");
        }
        boolean legacy = PluginDescriptor.isLegacy(manifest);
        PluginDescriptor legacyDescriptor = null;
        if (legacy) {
            try {
                legacyDescriptor = PluginDescriptor.fromManifest(manifest);
            } catch (IllegalArgumentException e) {
                String id = Optional.ofNullable(manifest.getMainAttributes().getValue(PluginDescriptor.ID))
                        .map(String::trim).orElse(fallbackId);
                return unreadable(source, id, "?", "the manifest of " + pluginJar + " is invalid: " + e.getMessage(),
                        "fix the manifest entry and rebuild the jar");
            }
        }
        String id = legacy ? legacyDescriptor.id() : fallbackId;
        String version = legacy ? legacyDescriptor.version().toString() : "?";
        String label = "plugin " + id + " " + version + " (" + where + ")";

        ModuleReference reference;
        ModuleDescriptor module;
        try {
            Set<ModuleReference> found = ModuleFinder.of(pluginJar).findAll();
            if (found.size() != 1) {
                return unreadable(source, id, version, label + ": " + pluginJar + " holds no module",
                        "rebuild the jar");
            }
            reference = found.iterator().next();
            module = reference.descriptor();
        } catch (FindException e) {
            return unreadable(source, id, version, label + ": " + pluginJar + " is corrupt or its module-info is "
                    + "invalid: " + rootMessage(e), "rebuild the jar with a valid module-info.java");
        }
        if (reserved(module.name())) {
            return unreadable(source, fallbackId, "?", pluginJar + " declares module " + module.name() + ", a name "
                    + "reserved for the Java platform, the Tessera framework or a module the runtime uses; the jar "
                    + "was not loaded (it would shadow the real module for every plugin resolved against it)",
                    "give the plugin a module name of its own, e.g. com.yourcompany.yourplugin");
        }
        if (module.isAutomatic()) {
            return unreadable(source, id, version, label + ": " + pluginJar + " is not a modular jar (it has no "
                    + "module-info.class)", "add a module-info.java declaring module " + (legacy ? id : "<id>")
                    + " that requires io.tessera.api and provides its extensions, then rebuild the jar");
        }

        List<Problem> warnings = new ArrayList<>();
        PluginDescriptor descriptor;
        if (legacy) {
            descriptor = legacyDescriptor;
            List<Problem> errors = new ArrayList<>();
            checkLegacyIdentity(descriptor, module, where, label, errors, warnings);
            if (!errors.isEmpty()) {
                return new Unreadable(source, id, version, errors);
            }
            // docs/plugin-authors.md: module-info is the single source of identity
            warnings.add(Problem.plugin(Severity.WARNING, id, where, label + ": its manifest repeats the plugin identity ("
                    + PluginDescriptor.ID + ", " + PluginDescriptor.VERSION + "), which is deprecated: module-info "
                    + "says it", "build the jar with the tessera-maven-plugin (goal manifest), or remove the two "
                    + "entries and compile with --module-version"));
        } else {
            try {
                descriptor = PluginDescriptor.fromModule(module, manifest);
            } catch (IllegalArgumentException e) {
                return unreadable(source, module.name(), module.rawVersion().orElse("?"), "plugin " + module.name()
                        + " (" + where + "): " + e.getMessage(), "rebuild the jar with the tessera-maven-plugin");
            }
            id = descriptor.id();
            version = descriptor.version().toString();
            label = "plugin " + id + " " + version + " (" + where + ")";
        }

        // a single jar's finder is the one reference already found (a ModuleFinder.of(jar) would keep a map of it)
        ModuleFinder layerFinder = new SingleModuleFinder(reference);
        if (source.isFolder()) {
            layerFinder = ModuleFinder.of(source.jars().toArray(Path[]::new));
            try {
                Set<String> names = new java.util.HashSet<>();
                for (ModuleReference ref : layerFinder.findAll()) {
                    String name = ref.descriptor().name();
                    names.add(name);
                    if (!name.equals(id) && reservedForLibraries(name)) {
                        return unreadable(source, id, version, label + ": a library jar in " + where + " ("
                                + ref.location().map(Object::toString).orElse("?") + ") declares module " + name
                                + ", a name reserved for the Java platform, the framework or a module the runtime "
                                + "uses; the plugin was not loaded", "remove that jar from the plugin folder: the "
                                + "host provides " + name + " to every plugin");
                    }
                }
                if (!names.contains(id)) {
                    return unreadable(source, id, version, label + ": the folder's jars hide the plugin module",
                            "remove the other jar that declares module " + id);
                }
            } catch (FindException e) {
                return unreadable(source, id, version, label + ": a library jar in " + where
                        + " is corrupt or clashes with another: " + rootMessage(e),
                        "rebuild or remove the library jar named in the message");
            }
        }
        return new Readable(new PluginCandidate(descriptor, module, source, layerFinder, null, warnings));
    }

    /** The checks of a manifest that repeats the identity: it must agree with module-info. */
    private static void checkLegacyIdentity(PluginDescriptor descriptor, ModuleDescriptor module, String where,
                                            String label, List<Problem> errors, List<Problem> warnings) {
        String id = descriptor.id();
        String version = descriptor.version().toString();
        if (!module.name().equals(id)) {
            errors.add(Problem.plugin(Severity.ERROR, id, where, label + ": manifest says Tessera-Plugin-Id " + id
                    + " but module-info declares module " + module.name() + " (manifest/module mismatch)",
                    "make Tessera-Plugin-Id equal the module name"));
        }
        Optional<String> rawModuleVersion = module.rawVersion();
        if (rawModuleVersion.isPresent()) {
            try {
                Version mv = Version.parse(rawModuleVersion.get());
                if (!mv.sameAs(descriptor.version())) {
                    errors.add(Problem.plugin(Severity.ERROR, id, where, label + ": manifest says Tessera-Plugin-Version "
                            + version + " but the module is compiled as version " + rawModuleVersion.get()
                            + " (manifest/module mismatch)",
                            "make Tessera-Plugin-Version equal the module version (javac --module-version)"));
                }
            } catch (IllegalArgumentException notSemantic) {
                warnings.add(Problem.plugin(Severity.WARNING, id, where, label + ": module version "
                        + rawModuleVersion.get() + " is not a semantic version; the manifest version is used", ""));
            }
        }
    }

    /** Finds exactly one module, already read. */
    private static final class SingleModuleFinder implements ModuleFinder {
        private final ModuleReference reference;

        SingleModuleFinder(ModuleReference reference) {
            this.reference = reference;
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            return reference.descriptor().name().equals(name) ? Optional.of(reference) : Optional.empty();
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.of(reference);
        }
    }

    /** The largest MANIFEST.MF read (uncompressed); a real plugin manifest is a few hundred bytes. */
    static final int MANIFEST_LIMIT = 1 << 20;
    /** The longest value of a single-valued Tessera manifest attribute (id, version, API range). */
    static final int VALUE_LIMIT = 256;
    /** The most entries of Tessera-Requires a plugin may list. */
    static final int REQUIRES_LIMIT = 256;
    /** The longest Tessera-Requires value. */
    static final int REQUIRES_CHARS_LIMIT = REQUIRES_LIMIT * 512;

    /** A manifest larger than {@link #MANIFEST_LIMIT}: refused before it is read. */
    static final class ManifestTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        ManifestTooLarge(String message) {
            super(message);
        }
    }

    /** A value for a message: at most 200 characters, then how long it really is. */
    static String clip(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= 200 ? value : value.substring(0, 200) + "… (" + value.length() + " chars)";
    }

    /**
     * Module names a plugin jar (or a library jar of a plugin folder) may not declare: the platform's ({@code java.*},
     * {@code jdk.*}), the framework's own modules, and every module the runtime itself reads (its dependencies such as
     * {@code jakarta.inject} and Guice). A plugin layer defining one of them would shadow the real module for itself
     * and the plugins resolved against it.
     */
    static boolean reserved(String moduleName) {
        return reservedForLibraries(moduleName) || ReservedNames.NAMES.contains(moduleName);
    }

    /**
     * Module names a private library jar of a plugin folder may not declare: the platform's and those whose types
     * plugins share with the host ({@code io.tessera.*} of the framework, {@code jakarta.inject}). A private copy of
     * another library the runtime happens to use (Guava, say) is the plugin's own business: it lives in the plugin's
     * layer only.
     */
    static boolean reservedForLibraries(String moduleName) {
        return moduleName.startsWith("java.") || moduleName.startsWith("jdk.") || ReservedNames.SHARED.contains(moduleName);
    }

    private static final class ReservedNames {
        static final Set<String> SHARED = Set.of("io.tessera.api", "io.tessera.host", "io.tessera.host.guice",
                "io.tessera.pipelines", "io.tessera.training", "io.tessera.reports", "io.tessera.cli",
                "io.tessera.testkit", "io.tessera.testkit.host", "io.tessera.backend.cpu", "jakarta.inject",
                "org.apiguardian.api");
        static final Set<String> NAMES = compute();

        private static Set<String> compute() {
            Set<String> names = new java.util.HashSet<>(SHARED);
            names.add("com.google.guice");
            java.util.ArrayDeque<java.lang.module.ResolvedModule> todo = new java.util.ArrayDeque<>();
            for (Module m : List.of(PluginReader.class.getModule(), PluginDescriptor.class.getModule())) {
                ModuleLayer layer = m.getLayer();
                if (layer != null) {
                    layer.configuration().findModule(m.getName()).ifPresent(todo::add);
                }
            }
            while (!todo.isEmpty()) {
                java.lang.module.ResolvedModule r = todo.poll();
                if (names.add(r.name()) || r.name().equals("io.tessera.host") || r.name().equals("io.tessera.api")) {
                    for (java.lang.module.ResolvedModule read : r.reads()) {
                        if (!names.contains(read.name())) {
                            todo.add(read);
                        }
                    }
                }
            }
            return Set.copyOf(names);
        }
    }

    /**
     * Checks the sizes of the Tessera attributes before anything parses them, so that a hostile manifest yields one
     * short problem: no value longer than {@link #VALUE_LIMIT}, at most {@link #REQUIRES_LIMIT} requirements.
     *
     * @return what is wrong, or {@code null}
     */
    static String oversized(Manifest manifest) {
        java.util.jar.Attributes a = manifest.getMainAttributes();
        for (String name : List.of(PluginDescriptor.ID, PluginDescriptor.VERSION, PluginDescriptor.API_RANGE)) {
            String v = a.getValue(name);
            if (v != null && v.length() > VALUE_LIMIT) {
                return "manifest attribute " + name + " is " + v.length() + " characters long (at most " + VALUE_LIMIT
                        + "): '" + clip(v) + "'";
            }
        }
        String requires = a.getValue(PluginDescriptor.REQUIRES);
        if (requires != null) {
            int entries = 1;
            boolean quoted = false;
            for (int i = 0; i < requires.length(); i++) {
                char c = requires.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    entries++;
                }
            }
            if (entries > REQUIRES_LIMIT) {
                return "manifest attribute " + PluginDescriptor.REQUIRES + " lists " + entries + " plugins (at most "
                        + REQUIRES_LIMIT + "): '" + clip(requires) + "'";
            }
            if (requires.length() > REQUIRES_CHARS_LIMIT) {
                return "manifest attribute " + PluginDescriptor.REQUIRES + " is " + requires.length()
                        + " characters long (at most " + REQUIRES_CHARS_LIMIT + "): '" + clip(requires) + "'";
            }
        }
        return null;
    }

    static Manifest manifestOf(Path jar) throws IOException {
        // no verification and closed at once: reading a descriptor must neither load classes nor keep handles
        try (JarFile jf = new JarFile(jar.toFile(), false)) {
            return manifestOf(jf);
        }
    }

    /**
     * The manifest, read with a bound: its uncompressed size is checked against {@link #MANIFEST_LIMIT} before reading
     * (from the zip's directory) and again while reading (the directory may lie), so a small jar whose manifest
     * inflates to gigabytes is refused at once. {@code JarFile.getManifest} would read it whole.
     */
    private static Manifest manifestOf(JarFile jar) throws IOException {
        java.util.zip.ZipEntry entry = jar.getEntry(JarFile.MANIFEST_NAME);
        if (entry == null) {
            return new Manifest();
        }
        long size = entry.getSize();
        if (size > MANIFEST_LIMIT) {
            throw new ManifestTooLarge("its " + JarFile.MANIFEST_NAME + " is " + size + " bytes uncompressed (a plugin "
                    + "manifest may have at most " + MANIFEST_LIMIT + ")");
        }
        byte[] bytes;
        try (java.io.InputStream in = jar.getInputStream(entry)) {
            bytes = in.readNBytes(MANIFEST_LIMIT + 1);
        }
        if (bytes.length > MANIFEST_LIMIT) {
            throw new ManifestTooLarge("its " + JarFile.MANIFEST_NAME + " inflates to more than " + MANIFEST_LIMIT
                    + " bytes (a plugin manifest may have at most that)");
        }
        return new Manifest(new java.io.ByteArrayInputStream(bytes));
    }

    private static Unreadable corrupt(PluginSource source, String id, Path jar, IOException e) {
        if (e instanceof ManifestTooLarge) {
            return unreadable(source, id, "?", jar + " was refused: " + e.getMessage(),
                    "rebuild the jar with the tessera-maven-plugin; a manifest this large is not a plugin manifest");
        }
        return new Unreadable(source, id, "?", List.of(Problem.plugin(Severity.ERROR, id, source.path().toString(),
                jar + " is not a readable jar (" + rootMessage(e) + ")",
                "rebuild or copy the jar again; an interrupted copy leaves a truncated file")));
    }

    private static Unreadable unreadable(PluginSource source, String id, String version, String message, String hint) {
        return new Unreadable(source, id, version,
                List.of(Problem.plugin(Severity.ERROR, id, source.path().toString(), message, hint)));
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
