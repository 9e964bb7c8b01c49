package io.tessera.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The distribution's module path as a module layer of this JVM, and the {@code tessera} command run in it
 * in-process: the Tessera modules, the boot plugins, the CPU backend and the reports resolve and bind as
 * {@code bin/tessera}'s boot layer does, ND4J stays on the class path (the class loader of this test), and
 * {@code plugins/} holds the example plugin as a jar, as in the distribution.
 *
 * <p>The module path comes from the test's dependencies ({@code tessera.docs.path}, written by the build); the
 * Tessera modules are kept off this JVM's class path by the build, so that the host sees neither misplaced plugins
 * nor a second CPU backend.
 */
final class DistributionLayer {

    private static final String HELLO = "io.tessera.example.hello";

    private final List<Path> modulePath;
    private final ModuleLayer layer;
    private final Path home;
    private final Method execute;
    private final Constructor<?> environment;

    /** What one command printed, and its exit code. */
    record Output(int exitCode, String out, String err) {
    }

    private DistributionLayer(List<Path> modulePath, ModuleLayer layer, Path home, Method execute,
            Constructor<?> environment) {
        this.modulePath = modulePath;
        this.layer = layer;
        this.home = home;
        this.execute = execute;
        this.environment = environment;
    }

    /** Every entry of the test's dependency path (module folders and jars, ND4J's jars included). */
    static List<Path> dependencyPath() {
        String file = System.getProperty("tessera.docs.path");
        if (file == null) {
            throw new IllegalStateException("system property tessera.docs.path is not set; run this test through"
                    + " Maven (./mvnw -pl docs-check -am test), which writes the dependency path");
        }
        try {
            List<Path> entries = new ArrayList<>();
            for (String entry : Files.readString(Path.of(file)).strip().split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry));
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dependency path " + file, e);
        }
    }

    /**
     * The entries that belong on the module path: explicit modules, and the automatic modules they require (Guice);
     * not ND4J, whose jars nothing requires by name (the CPU backend reads it from the class path).
     */
    static List<Path> modulePath(List<Path> entries) {
        Map<String, Path> explicit = new LinkedHashMap<>();
        Map<String, Path> automatic = new LinkedHashMap<>();
        Map<String, ModuleDescriptor> descriptors = new LinkedHashMap<>();
        for (Path entry : entries) {
            if (!Files.exists(entry)) {
                continue;
            }
            try {
                for (ModuleReference ref : ModuleFinder.of(entry).findAll()) {
                    ModuleDescriptor d = ref.descriptor();
                    if (descriptors.putIfAbsent(d.name(), d) == null) {
                        (d.isAutomatic() ? automatic : explicit).put(d.name(), entry);
                    }
                }
            } catch (FindException e) {
                // a jar whose module descriptor cannot be derived: class path only, as in the distribution
            }
        }
        Map<String, Path> chosen = new LinkedHashMap<>(explicit);
        Deque<String> todo = new ArrayDeque<>(explicit.keySet());
        Set<String> seen = new HashSet<>(explicit.keySet());
        while (!todo.isEmpty()) {
            ModuleDescriptor d = descriptors.get(todo.pop());
            for (ModuleDescriptor.Requires r : d.requires()) {
                if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC) && seen.add(r.name())
                        && automatic.containsKey(r.name())) {
                    chosen.put(r.name(), automatic.get(r.name()));
                    todo.add(r.name());
                }
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(chosen.values()));
    }

    /** Builds the layer over the test's dependencies and a distribution folder with the example plugin. */
    static DistributionLayer create(Path scratch) throws Exception {
        List<Path> entries = dependencyPath();
        List<Path> modulePath = modulePath(entries);
        ModuleFinder finder = ModuleFinder.of(modulePath.toArray(Path[]::new));
        // the example plugin goes to plugins/, not the module path, as bin/tessera has it
        Path helloEntry = null;
        List<Path> bootPath = new ArrayList<>();
        for (Path entry : modulePath) {
            Optional<ModuleReference> hello = ModuleFinder.of(entry).find(HELLO);
            if (hello.isPresent()) {
                helloEntry = entry;
            } else {
                bootPath.add(entry);
            }
        }
        if (helloEntry == null) {
            throw new IllegalStateException("the example plugin " + HELLO + " is not among the test's dependencies");
        }
        finder = ModuleFinder.of(bootPath.toArray(Path[]::new));
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("io.tessera.cli"));
        ClassLoader classPath = DistributionLayer.class.getClassLoader();
        ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(configuration,
                List.of(ModuleLayer.boot()), classPath);
        ModuleLayer layer = controller.layer();
        Module cli = layer.findModule("io.tessera.cli").orElseThrow();
        controller.addOpens(cli, "io.tessera.cli", DistributionLayer.class.getModule());
        // bin/tessera: --add-reads io.tessera.backend.cpu=ALL-UNNAMED (ND4J is on the class path)
        layer.findModule("io.tessera.backend.cpu").ifPresent(m -> controller.addReads(m, classPath.getUnnamedModule()));

        Path home = scratch.resolve("tessera");
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        ModuleDescriptor hello = ModuleFinder.of(helloEntry).find(HELLO).orElseThrow().descriptor();
        jar(helloEntry, plugins.resolve("tessera-example-hello-" + hello.rawVersion().orElse("0") + ".jar"));

        Class<?> cliClass = cli.getClassLoader().loadClass("io.tessera.cli.TesseraCli");
        Class<?> environmentClass = cli.getClassLoader().loadClass("io.tessera.cli.CliEnvironment");
        Method execute = cliClass.getDeclaredMethod("execute", environmentClass, PrintWriter.class, PrintWriter.class,
                String[].class);
        execute.setAccessible(true);
        Constructor<?> environment = environmentClass.getDeclaredConstructor(Map.class, Optional.class);
        environment.setAccessible(true);
        return new DistributionLayer(modulePath, layer, home, execute, environment);
    }

    /** The module path entries (for the Java compiler). */
    List<Path> modulePath() {
        return modulePath;
    }

    ModuleLayer layer() {
        return layer;
    }

    /** Runs {@code tessera args} in this JVM as the distribution's launcher would, with no environment variables. */
    Output run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(execute.getDeclaringClass().getClassLoader());
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            Object env = environment.newInstance(Map.of(), Optional.of(home));
            int code = (Integer) execute.invoke(null, env, o, e, args);
            o.flush();
            e.flush();
            return new Output(code, out.toString(), err.toString());
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("tessera " + String.join(" ", args) + " threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call the CLI in the module layer", e);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** A plugin jar of a module folder (as the build's jar step makes it) or a copy of a jar. */
    private static void jar(Path entry, Path target) throws IOException {
        if (Files.isRegularFile(entry)) {
            Files.copy(entry, target);
            return;
        }
        Manifest manifest;
        Path manifestFile = entry.resolve("META-INF/MANIFEST.MF");
        if (Files.isRegularFile(manifestFile)) {
            try (InputStream in = Files.newInputStream(manifestFile)) {
                manifest = new Manifest(in);
            }
        } else {
            manifest = new Manifest();
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        }
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(file,
                manifest); Stream<Path> walk = Files.walk(entry)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String name = entry.relativize(p).toString().replace('\\', '/');
                if (name.isEmpty() || name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    jar.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(p, jar);
                }
                jar.closeEntry();
            }
        }
    }
}
