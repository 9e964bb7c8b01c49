package io.tessera.host.internal;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * Plugin jars on the class path. The host does not load them: a plugin needs its {@code module-info} (identity,
 * {@code provides}) and a module of its own, which the class path gives neither. Each is reported as an error of that
 * plugin with where to put it instead, rather than being ignored in silence (docs/cli.md "Where plugins come from").
 * Reading a manifest here costs a few hundred bytes per jar ({@link JarInputStream} stops at the manifest).
 */
final class ClassPathPlugins {

    /** A plugin found on the class path. */
    record Found(String id, String version, Path location, Problem problem) {
    }

    private ClassPathPlugins() {
    }

    /** The plugin jars (and class folders) on {@code java.class.path}. */
    static List<Found> scan() {
        String classPath = System.getProperty("java.class.path", "");
        List<Found> found = new ArrayList<>();
        if (classPath.isBlank()) {
            return found;
        }
        for (String entry : classPath.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry);
            Manifest manifest = manifestOf(path);
            if (manifest == null || !PluginDescriptor.isPlugin(manifest)) {
                continue;
            }
            String id = path.getFileName().toString();
            String version = "?";
            String legacyId = manifest.getMainAttributes().getValue(PluginDescriptor.ID);
            ModuleDescriptor module = moduleOf(path);
            if (legacyId != null) {
                id = legacyId.trim();
                version = String.valueOf(manifest.getMainAttributes().getValue(PluginDescriptor.VERSION)).trim();
            } else if (module != null) {
                id = module.name();
                version = module.rawVersion().orElse("?");
            }
            String where = path.toString();
            found.add(new Found(id, version, path, Problem.plugin(Severity.ERROR, id, where, "plugin " + id + " "
                    + version + " (" + where + ") is on the class path, where the host does not load plugins: it "
                    + "needs a module of its own", "put the jar on the module path (--module-path, a boot plugin) "
                    + "or in a plugin folder (--plugins-dir, TESSERA_PLUGINS, Tessera.builder().pluginDirectory)")));
        }
        return found;
    }

    private static Manifest manifestOf(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                Path mf = entry.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(mf)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(mf)) {
                    return new Manifest(in);
                }
            }
            if (!Files.isRegularFile(entry) || !entry.getFileName().toString().endsWith(".jar")) {
                return null;
            }
            try (JarInputStream in = new JarInputStream(Files.newInputStream(entry), false)) {
                return in.getManifest();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ModuleDescriptor moduleOf(Path entry) {
        try {
            Set<ModuleReference> refs = ModuleFinder.of(entry).findAll();
            return refs.size() == 1 && !refs.iterator().next().descriptor().isAutomatic()
                    ? refs.iterator().next().descriptor() : null;
        } catch (FindException e) {
            return null;
        }
    }
}
