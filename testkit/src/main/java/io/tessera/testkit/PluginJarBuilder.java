package io.tessera.testkit;

import io.tessera.api.TesseraApi;
import io.tessera.api.plugin.PluginDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.apiguardian.api.API;

/**
 * Compiles and packages a real plugin jar: Java sources plus a generated {@code module-info.java}, compiled with
 * {@code javax.tools} against {@code io.tessera.api} and {@code jakarta.inject} (and any jars given to
 * {@link #compileAgainst}), with {@code --module-version} and the Tessera manifest entries the
 * {@code tessera-maven-plugin} would write ({@code Tessera-Api}, {@code Tessera-Requires}). By default the plugin is
 * well-formed; the other methods make it depend on other plugins or break it on purpose.
 *
 * <p>What each parameter sets:
 * <ul>
 *   <li>{@link #plugin(String) plugin(id)}: the module name, which is the plugin id;</li>
 *   <li>{@link #version}: the module version ({@code javac --module-version}), hence the plugin version, and the
 *       jar's file name {@code <id>-<version>.jar};</li>
 *   <li>{@link #apiRange}: {@code Tessera-Api}, the range of {@code TesseraApi.VERSION} the plugin accepts;</li>
 *   <li>{@link #requires}: a {@code Tessera-Requires} entry and a module-info {@code requires};
 *       {@link #manifestRequires} and {@link #moduleRequires} set only one of the two (a mismatch);</li>
 *   <li>{@link #source}, {@link #resource}: the jar's content; {@link #provides}, {@link #uses}, {@link #exports},
 *       {@link #opens}: the module-info clauses ({@code provides} also writes {@code META-INF/services});</li>
 *   <li>{@link #legacyManifest}: writes the deprecated manifest that repeats the identity
 *       ({@code Tessera-Plugin-Id}, {@code Tessera-Plugin-Version}); {@link #moduleName}, {@link #moduleVersion},
 *       {@link #withoutModuleInfo} and a {@link #manifestAttribute} naming one of those two entries imply it, since
 *       they only make sense as a manifest that disagrees with the module.</li>
 * </ul>
 *
 * <pre>{@code
 * Path jar = PluginJarBuilder.plugin("io.acme.hello")
 *         .version("1.2.0")
 *         .source("io.acme.hello.Hello", """
 *                 package io.acme.hello;
 *                 public final class Hello implements io.tessera.api.plugin.Plugin { }
 *                 """)
 *         .provides("io.tessera.api.plugin.Plugin", "io.acme.hello.Hello")
 *         .buildInto(pluginDir);                    // pluginDir/io.acme.hello-1.2.0.jar
 * }</pre>
 *
 * Not thread-safe; build each jar from one thread. Needs a JDK (the system Java compiler).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PluginJarBuilder {

    private final String id;
    private String moduleName;
    private String version = "1.0.0";
    private String moduleVersion;
    private String apiRange = "[1.0,2.0)";
    private final List<String> manifestRequires = new ArrayList<>();
    private final Set<String> moduleRequires = new LinkedHashSet<>();
    private final Map<String, List<String>> provides = new LinkedHashMap<>();
    private final Set<String> uses = new LinkedHashSet<>();
    private final Set<String> exports = new LinkedHashSet<>();
    private final Set<String> opens = new LinkedHashSet<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final Map<String, String> extraAttributes = new LinkedHashMap<>();
    private final Set<String> removedAttributes = new LinkedHashSet<>();
    private final List<Path> modulePath = new ArrayList<>();
    private boolean moduleInfo = true;
    private boolean pluginManifest = true;
    private boolean legacyManifest;
    private boolean requiresApi = true;

    private PluginJarBuilder(String id) {
        this.id = Objects.requireNonNull(id, "id");
        this.moduleName = id;
    }

    /** A plugin with this id (also its module name), version 1.0.0, API range {@code [1.0,2.0)}. */
    public static PluginJarBuilder plugin(String id) {
        return new PluginJarBuilder(id);
    }

    /** Sets the plugin version: the module version, and {@code Tessera-Plugin-Version} in a legacy manifest. */
    public PluginJarBuilder version(String version) {
        this.version = Objects.requireNonNull(version, "version");
        return this;
    }

    /** Sets {@code Tessera-Api}, e.g. {@code [2.0,3.0)} for a plugin that wants an API this host lacks. */
    public PluginJarBuilder apiRange(String range) {
        this.apiRange = Objects.requireNonNull(range, "range");
        return this;
    }

    /**
     * Requires another plugin: adds {@code id;version="range"} to {@code Tessera-Requires} and {@code requires id}
     * to module-info. Compile against its jar with {@link #compileAgainst} if sources use its types.
     */
    public PluginJarBuilder requires(String pluginId, String range) {
        manifestRequires.add(pluginId + ";version=\"" + range + "\"");
        moduleRequires.add(pluginId);
        return this;
    }

    /** Adds a {@code Tessera-Requires} entry only, without a module-info {@code requires}. */
    public PluginJarBuilder manifestRequires(String pluginId, String range) {
        manifestRequires.add(pluginId + ";version=\"" + range + "\"");
        return this;
    }

    /** Adds a module-info {@code requires} only, without a {@code Tessera-Requires} entry. */
    public PluginJarBuilder moduleRequires(String module) {
        moduleRequires.add(module);
        return this;
    }

    /** Declares the module under another name than the plugin id (a manifest/module mismatch). */
    public PluginJarBuilder moduleName(String name) {
        this.moduleName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Compiles the module with {@code --module-version}; a value other than the plugin version is a mismatch. */
    public PluginJarBuilder moduleVersion(String version) {
        this.moduleVersion = version;
        return this;
    }

    /** Adds a source file; {@code className} is the fully qualified name of its top-level class. */
    public PluginJarBuilder source(String className, String code) {
        sources.put(Objects.requireNonNull(className, "className"), Objects.requireNonNull(code, "code"));
        return this;
    }

    /** Adds {@code provides service with implementation} to module-info (and a META-INF/services entry). */
    public PluginJarBuilder provides(String service, String implementation) {
        provides.computeIfAbsent(service, k -> new ArrayList<>()).add(implementation);
        return this;
    }

    /** Adds {@code uses service} to module-info (for a plugin that declares an extension point). */
    public PluginJarBuilder uses(String service) {
        uses.add(service);
        return this;
    }

    /** Adds {@code exports pkg} to module-info. */
    public PluginJarBuilder exports(String pkg) {
        exports.add(pkg);
        return this;
    }

    /** Adds {@code opens pkg} (to everyone) to module-info; without it the host opens packages for injection. */
    public PluginJarBuilder opens(String pkg) {
        opens.add(pkg);
        return this;
    }

    /** Adds a resource file to the jar. */
    public PluginJarBuilder resource(String path, String content) {
        resources.put(path, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Puts jars or class folders on the compile module path, e.g. the jar of a plugin whose types the sources use. */
    public PluginJarBuilder compileAgainst(Path... jars) {
        modulePath.addAll(List.of(jars));
        return this;
    }

    /** Adds or overrides a main manifest attribute. */
    public PluginJarBuilder manifestAttribute(String name, String value) {
        extraAttributes.put(name, value);
        removedAttributes.remove(name);
        return this;
    }

    /** Leaves a manifest attribute out, e.g. {@code Tessera-Plugin-Version}. */
    public PluginJarBuilder withoutManifestAttribute(String name) {
        removedAttributes.add(name);
        extraAttributes.remove(name);
        return this;
    }

    /** Builds a non-modular jar: no module-info, sources compiled on the class path (services in META-INF). */
    public PluginJarBuilder withoutModuleInfo() {
        this.moduleInfo = false;
        return this;
    }

    /**
     * Writes the deprecated manifest that repeats the plugin identity ({@code Tessera-Plugin-Id},
     * {@code Tessera-Plugin-Version}) besides the ranges; the host loads it with a deprecation warning.
     */
    public PluginJarBuilder legacyManifest() {
        this.legacyManifest = true;
        return this;
    }

    /**
     * Leaves {@code requires io.tessera.api} out of module-info, for a jar that impersonates a module the API itself
     * reads or is ({@code plugin("io.tessera.api")}, {@code plugin("jakarta.inject")}): a hostile jar the host must
     * refuse. Its sources can then use no API type.
     */
    public PluginJarBuilder withoutApiRequires() {
        this.requiresApi = false;
        return this;
    }

    /** Builds a plain library jar: no Tessera manifest entries at all. */
    public PluginJarBuilder withoutPluginManifest() {
        this.pluginManifest = false;
        return this;
    }

    /** Builds the jar as {@code dir/<id>-<version>.jar} and returns its path. */
    public Path buildInto(Path dir) {
        return buildAs(dir.resolve(id + "-" + version + ".jar"));
    }

    /**
     * Builds the jar at {@code jar}. The file appears atomically (written beside it, then moved), so a watching
     * host never sees it half-written; replacing an existing jar is one rename.
     */
    public Path buildAs(Path jar) {
        try {
            Path work = Files.createTempDirectory("tessera-plugin-" + id + "-");
            try {
                Path src = work.resolve("src");
                Path classes = work.resolve("classes");
                Files.createDirectories(classes);
                List<Path> files = writeSources(src);
                compile(files, classes);
                Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent() == null ? work
                        : Files.createDirectories(jar.toAbsolutePath().getParent()), "." + id, ".jar.tmp");
                writeJar(classes, tmp);
                return Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build plugin jar " + jar, e);
        }
    }

    /** The module-info source this builder generates. */
    public String moduleInfoSource() {
        StringBuilder sb = new StringBuilder("module ").append(moduleName).append(" {\n");
        if (requiresApi) {
            sb.append("    requires io.tessera.api;\n");
        }
        for (String r : moduleRequires) {
            sb.append("    requires ").append(r).append(";\n");
        }
        for (String e : exports) {
            sb.append("    exports ").append(e).append(";\n");
        }
        for (String o : opens) {
            sb.append("    opens ").append(o).append(";\n");
        }
        for (String u : uses) {
            sb.append("    uses ").append(u).append(";\n");
        }
        provides.forEach((service, impls) -> sb.append("    provides ").append(service).append(" with ")
                .append(String.join(", ", impls)).append(";\n"));
        return sb.append("}\n").toString();
    }

    private List<Path> writeSources(Path src) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file);
        }
        if (moduleInfo) {
            Path file = src.resolve("module-info.java");
            Files.createDirectories(src);
            Files.writeString(file, moduleInfoSource());
            files.add(file);
        }
        return files;
    }

    private void compile(List<Path> files, Path classes) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
        }
        List<Path> path = new ArrayList<>(apiModulePath());
        path.addAll(modulePath);
        String joined = String.join(java.io.File.pathSeparator, path.stream().map(Path::toString).toList());
        List<String> options = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString()));
        options.add(moduleInfo ? "--module-path" : "--class-path");
        options.add(joined);
        if (moduleInfo) {
            options.addAll(List.of("--module-version", moduleVersion != null ? moduleVersion : version));
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            boolean ok = compiler.getTask(null, fm, diagnostics, options, null, units).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder("plugin " + id + " does not compile:\n");
                diagnostics.getDiagnostics().forEach(d -> sb.append(d).append('\n'));
                sb.append("module-info:\n").append(moduleInfoSource());
                throw new IllegalStateException(sb.toString());
            }
        }
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (pluginManifest) {
            if (writesLegacyManifest()) {
                main.putValue(PluginDescriptor.ID, id);
                main.putValue(PluginDescriptor.VERSION, version);
            }
            main.putValue(PluginDescriptor.API_RANGE, apiRange);
            if (!manifestRequires.isEmpty()) {
                main.putValue(PluginDescriptor.REQUIRES, String.join(",", manifestRequires));
            }
        }
        extraAttributes.forEach(main::putValue);
        for (String name : removedAttributes) {
            main.remove(new Attributes.Name(name));
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, manifest)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                jos.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jos);
                jos.closeEntry();
            }
            // class-path users (and non-modular jars) find providers through META-INF/services
            for (Map.Entry<String, List<String>> e : provides.entrySet()) {
                jos.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                jos.write((String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                jos.closeEntry();
            }
            for (Map.Entry<String, byte[]> e : resources.entrySet()) {
                jos.putNextEntry(new JarEntry(e.getKey()));
                jos.write(e.getValue());
                jos.closeEntry();
            }
        }
    }

    private boolean writesLegacyManifest() {
        return legacyManifest || !moduleInfo || !moduleName.equals(id)
                || (moduleVersion != null && !moduleVersion.equals(version))
                || extraAttributes.containsKey(PluginDescriptor.ID)
                || extraAttributes.containsKey(PluginDescriptor.VERSION);
    }

    /** Where io.tessera.api and jakarta.inject live in this JVM: the compile module path of every plugin. */
    static List<Path> apiModulePath() {
        return List.of(locationOf(TesseraApi.class), locationOf(jakarta.inject.Inject.class));
    }

    private static Path locationOf(Class<?> type) {
        CodeSource cs = type.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new IllegalStateException("cannot find the jar of " + type.getName() + " to compile plugins against");
        }
        try {
            return Path.of(cs.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("odd location of " + type.getName() + ": " + cs.getLocation(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
