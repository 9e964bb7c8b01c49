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
                    names.add(ref.descriptor().name());
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

    static Manifest manifestOf(Path jar) throws IOException {
        // no verification and closed at once: reading a descriptor must neither load classes nor keep handles
        try (JarFile jf = new JarFile(jar.toFile(), false)) {
            return manifestOf(jf);
        }
    }

    private static Manifest manifestOf(JarFile jar) throws IOException {
        Manifest m = jar.getManifest();
        return m == null ? new Manifest() : m;
    }

    private static Unreadable corrupt(PluginSource source, String id, Path jar, IOException e) {
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
