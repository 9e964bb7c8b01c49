package io.tessera.maven;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.Requirement;
import io.tessera.api.plugin.Version;
import io.tessera.api.plugin.VersionRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Derives a plugin's manifest from its compiled {@code module-info} and checks the plugin the way the host will read
 * it: module-info is the single source of identity (name, {@code --module-version}, {@code requires}); the manifest
 * gets only what module-info cannot say, the accepted API range ({@code Tessera-Api}) and the version ranges of the
 * plugins it requires ({@code Tessera-Requires}). Independent of Maven, so that it is tested with plain jars.
 *
 * <p>Errors (the build fails): no module-info or no module version; a module that provides no extension; a public
 * class implementing an extension type that module-info does not {@code provides}; a step whose config type is not a
 * record or has a component type pipelines cannot set; an API range that excludes the API the plugin compiles
 * against; a configured range for a module the plugin does not require. Warnings: a config record in a package the
 * module neither exports nor opens (the host opens it for plugins in a plugin folder, but cannot on the module path).
 */
public final class PluginManifestGenerator {

    /** The module every plugin compiles against. */
    static final String API_MODULE = "io.tessera.api";
    private static final String PLUGIN = "io.tessera.api.plugin.Plugin";
    private static final String STEP = "io.tessera.api.pipeline.Step";
    private static final String EXTENSION_POINT = "io.tessera.api.plugin.ExtensionPoint";

    /** What the generator found: the manifest to write, and the problems. */
    public record Result(Manifest manifest, PluginDescriptor descriptor, List<String> errors, List<String> warnings,
                         Map<String, List<String>> services) {
        /** Whether the build may go on. */
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final Path classes;
    private final List<Path> classPath;
    private final String apiRange;
    private final Map<String, String> requireRanges;

    /**
     * @param classes       the plugin's compiled classes (a folder with {@code module-info.class}) or its jar
     * @param classPath     the compile class path: {@code io.tessera.api}, required plugins, libraries
     * @param apiRange      the {@code Tessera-Api} range, or {@code null} for {@code [M.m,M+1.0)} of the compiled API
     * @param requireRanges ranges by required plugin module; a required plugin without one gets
     *                      {@code [M.m,M+1.0)} of the version it is compiled against
     */
    public PluginManifestGenerator(Path classes, List<Path> classPath, String apiRange,
                                   Map<String, String> requireRanges) {
        this.classes = classes;
        this.classPath = List.copyOf(classPath);
        this.apiRange = apiRange == null || apiRange.isBlank() ? null : apiRange.trim();
        this.requireRanges = requireRanges == null ? Map.of() : Map.copyOf(requireRanges);
    }

    /** Reads, checks and derives; never throws for a bad plugin, which gets errors instead. */
    public Result generate() {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        ModuleDescriptor module = readModule(errors);
        if (module == null) {
            return new Result(null, null, errors, warnings, Map.of());
        }
        Version version = null;
        if (module.rawVersion().isEmpty()) {
            errors.add("module " + module.name() + " has no version: compile it with --module-version (Maven's "
                    + "compiler plugin 3.13 passes the project version when it compiles a module-info)");
        } else {
            try {
                version = Version.parse(module.rawVersion().get());
            } catch (IllegalArgumentException e) {
                errors.add("module " + module.name() + " has version " + module.rawVersion().get()
                        + ", which is not a semantic version: " + e.getMessage());
            }
        }
        Map<String, List<String>> services = new LinkedHashMap<>();
        module.provides().forEach(p -> services.put(p.service(), List.copyOf(p.providers())));

        VersionRange range = null;
        List<Requirement> requirements = new ArrayList<>();
        try (URLClassLoader loader = loader()) {
            String apiVersion = compiledApiVersion(loader, errors);
            if (apiVersion != null) {
                range = checkApiRange(Version.parse(apiVersion), errors);
            }
            requirements = requirements(module, errors);
            checkProvides(module, loader, errors, warnings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!errors.isEmpty() || version == null || range == null) {
            return new Result(null, null, errors, warnings, services);
        }
        PluginDescriptor descriptor = new PluginDescriptor(module.name(), version, range, requirements);
        Manifest manifest = new Manifest();
        descriptor.writeRangesTo(manifest);
        return new Result(manifest, descriptor, errors, warnings, services);
    }

    private ModuleDescriptor readModule(List<String> errors) {
        boolean hasModuleInfo = Files.isDirectory(classes) ? Files.isRegularFile(classes.resolve("module-info.class"))
                : Files.isRegularFile(classes);
        if (!hasModuleInfo) {
            errors.add(classes + " has no module-info.class: a Tessera plugin is a Java module; add "
                    + "src/main/java/module-info.java (module <id> { requires io.tessera.api; provides … })");
            return null;
        }
        try {
            Set<ModuleReference> refs = ModuleFinder.of(classes).findAll();
            ModuleDescriptor d = refs.iterator().next().descriptor();
            if (d.isAutomatic()) {
                errors.add(classes + " has no module-info.class: add src/main/java/module-info.java");
                return null;
            }
            return d;
        } catch (FindException e) {
            errors.add("cannot read the module in " + classes + ": " + e.getMessage());
            return null;
        }
    }

    private URLClassLoader loader() throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        urls.add(classes.toUri().toURL());
        for (Path p : classPath) {
            urls.add(p.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static String compiledApiVersion(ClassLoader loader, List<String> errors) {
        try {
            Class<?> api = Class.forName("io.tessera.api.TesseraApi", true, loader);
            return (String) api.getField("VERSION").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            errors.add("io.tessera.api is not on the compile class path (" + e + "): add the dependency "
                    + "io.tessera:tessera-api (scope provided)");
            return null;
        }
    }

    private VersionRange checkApiRange(Version compiled, List<String> errors) {
        VersionRange range;
        if (apiRange == null) {
            range = VersionRange.parse("[" + compiled.major() + "." + compiled.minor() + "," + (compiled.major() + 1)
                    + ".0)");
        } else {
            try {
                range = VersionRange.parse(apiRange);
            } catch (IllegalArgumentException e) {
                errors.add("apiRange " + apiRange + ": " + e.getMessage());
                return null;
            }
        }
        if (!range.includes(compiled)) {
            errors.add("Tessera-Api " + range + " excludes the API " + compiled + " this plugin compiles against; "
                    + "the host would refuse it. Widen apiRange or compile against an API inside the range");
            return null;
        }
        return range;
    }

    /**
     * {@code Tessera-Requires}: the required modules that are Tessera plugins on the compile class path; a
     * {@code requires static} one is written with {@code resolution:=optional}.
     */
    private List<Requirement> requirements(ModuleDescriptor module, List<String> errors) {
        Set<String> required = new LinkedHashSet<>();
        Set<String> optional = new java.util.HashSet<>();
        for (ModuleDescriptor.Requires r : module.requires()) {
            required.add(r.name());
            if (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                optional.add(r.name()); // requires static: an optional plugin (docs/plugin-authors.md)
            }
        }
        for (String configured : new TreeSet<>(requireRanges.keySet())) {
            if (!required.contains(configured)) {
                errors.add("a range is configured for " + configured + " but module-info does not require it; add "
                        + "'requires " + configured + ";' or remove the range");
            }
        }
        List<Requirement> result = new ArrayList<>();
        for (String name : required) {
            if (name.startsWith("java.") || name.startsWith("jdk.") || name.equals(API_MODULE)) {
                continue;
            }
            Optional<Version> pluginVersion = pluginVersionOf(name);
            String configured = requireRanges.get(name);
            if (pluginVersion.isEmpty()) {
                if (configured != null) {
                    errors.add("a range is configured for " + name + ", which is not a Tessera plugin on the compile "
                            + "class path; only required plugins get Tessera-Requires entries");
                }
                continue;
            }
            Version v = pluginVersion.get();
            String text = configured != null ? configured
                    : "[" + v.major() + "." + v.minor() + "," + (v.major() + 1) + ".0)";
            try {
                VersionRange range = VersionRange.parse(text);
                if (!range.includes(v)) {
                    errors.add("the range " + range + " for " + name + " excludes version " + v + ", which this "
                            + "plugin compiles against");
                }
                result.add(new Requirement(name, range, optional.contains(name)));
            } catch (IllegalArgumentException e) {
                errors.add("range for " + name + ": " + e.getMessage());
            }
        }
        return result;
    }

    /** The version of a plugin module on the class path, or empty if no plugin of that name is there. */
    private Optional<Version> pluginVersionOf(String moduleName) {
        for (Path entry : classPath) {
            ModuleDescriptor d;
            try {
                Set<ModuleReference> refs = ModuleFinder.of(entry).findAll();
                if (refs.size() != 1) {
                    continue;
                }
                d = refs.iterator().next().descriptor();
            } catch (FindException e) {
                continue;
            }
            if (!d.name().equals(moduleName)) {
                continue;
            }
            Manifest m = manifestOf(entry);
            if (!PluginDescriptor.isPlugin(m)) {
                return Optional.empty();
            }
            try {
                if (PluginDescriptor.isLegacy(m)) {
                    return Optional.of(PluginDescriptor.fromManifest(m).version());
                }
                return d.rawVersion().map(Version::parse);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Manifest manifestOf(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                Path mf = entry.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(mf)) {
                    return null;
                }
                try (var in = Files.newInputStream(mf)) {
                    return new Manifest(in);
                }
            }
            try (JarFile jar = new JarFile(entry.toFile(), false)) {
                return jar.getManifest();
            }
        } catch (IOException e) {
            return null;
        }
    }

    private void checkProvides(ModuleDescriptor module, ClassLoader loader, List<String> errors,
                               List<String> warnings) {
        Class<?> stepType;
        Class<?> pluginType;
        Class<? extends java.lang.annotation.Annotation> extensionPoint;
        try {
            stepType = Class.forName(STEP, false, loader);
            pluginType = Class.forName(PLUGIN, false, loader);
            extensionPoint = Class.forName(EXTENSION_POINT, false, loader)
                    .asSubclass(java.lang.annotation.Annotation.class);
        } catch (ClassNotFoundException e) {
            return; // reported with the API version
        }
        Map<String, Set<String>> provided = new LinkedHashMap<>();
        for (ModuleDescriptor.Provides p : module.provides()) {
            provided.computeIfAbsent(p.service(), k -> new LinkedHashSet<>()).addAll(p.providers());
        }
        if (provided.isEmpty()) {
            errors.add("module " + module.name() + " provides nothing, so the host would find no plugin in it: add "
                    + "'provides io.tessera.api.plugin.Plugin with …;' or 'provides io.tessera.api.pipeline.Step "
                    + "with …;' to module-info");
        }
        for (String className : classNames()) {
            Class<?> c;
            try {
                c = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue; // a class whose optional dependencies are absent; javac compiled it, so it is not ours
            }
            if (c.isInterface() || Modifier.isAbstract(c.getModifiers()) || !Modifier.isPublic(c.getModifiers())
                    || c.isAnonymousClass() || c.isLocalClass()
                    || (c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers()))) {
                continue;
            }
            for (Class<?> service : extensionTypes(c, stepType, pluginType, extensionPoint)) {
                Set<String> impls = provided.getOrDefault(service.getName(), Set.of());
                if (!impls.contains(c.getName())) {
                    errors.add(c.getName() + " implements " + service.getName() + " but module-info does not "
                            + "provide it, so the host never sees it: add 'provides " + service.getName() + " with "
                            + c.getName() + ";' (or make the class abstract or package-private if it is a base)");
                }
            }
        }
        for (String impl : provided.getOrDefault(STEP, Set.of())) {
            try {
                Class<?> c = Class.forName(impl, false, loader);
                new StepConfigCheck(module, stepType).check(c, errors, warnings);
            } catch (ClassNotFoundException | LinkageError e) {
                errors.add("step " + impl + " cannot be loaded: " + e);
            }
        }
    }

    private static Set<Class<?>> extensionTypes(Class<?> c, Class<?> stepType, Class<?> pluginType,
                                                Class<? extends java.lang.annotation.Annotation> extensionPoint) {
        Set<Class<?>> result = new LinkedHashSet<>();
        if (stepType.isAssignableFrom(c)) {
            result.add(stepType);
        }
        if (pluginType.isAssignableFrom(c)) {
            result.add(pluginType);
        }
        List<Class<?>> todo = new ArrayList<>(List.of(c));
        Set<Class<?>> seen = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            Class<?> k = todo.remove(todo.size() - 1);
            if (k == null || !seen.add(k)) {
                continue;
            }
            if (k.isInterface() && k.isAnnotationPresent(extensionPoint)) {
                result.add(k);
            }
            todo.add(k.getSuperclass());
            todo.addAll(List.of(k.getInterfaces()));
        }
        return result;
    }

    private List<String> classNames() {
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(classes)) {
                try (Stream<Path> walk = Files.walk(classes)) {
                    walk.filter(p -> p.toString().endsWith(".class"))
                            .map(p -> classes.relativize(p).toString().replace('\\', '/'))
                            .forEach(n -> addClassName(n, names));
                }
            } else {
                try (JarFile jar = new JarFile(classes.toFile(), false)) {
                    jar.stream().forEach(e -> addClassName(e.getName(), names));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static void addClassName(String entry, List<String> names) {
        if (entry.endsWith(".class") && !entry.endsWith("module-info.class") && !entry.endsWith("package-info.class")
                && !entry.startsWith("META-INF/")) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }
}
