package io.tessera.executor.spark.bridge;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkFiles;

/**
 * Tessera inside a Spark executor JVM, which runs everything on the class path: a module layer over the boot layer
 * holding the API, host, pipelines, backends and their dependencies (the jars the launcher would put on the module
 * path), whose loader delegates what is not in the layer to a class-path loader over ND4J and the other class-path
 * jars (the executor's own loader when it already holds ND4J, as in local mode, so native libraries load once);
 * every module reads that class path (the launcher's {@code --add-reads ...=ALL-UNNAMED}). The host in that layer
 * gives each plugin of the plugin folders its own layer as usual. Built once per executor JVM and layout, cached.
 */
final class WorkerHost {
    private static final Map<String, WorkerHost> CACHE = new ConcurrentHashMap<>();
    private static final String SEP = "\u001f";

    private final Method runInHost;
    private final String plugins;

    private WorkerHost(Method runInHost, String plugins) {
        this.runInHost = runInHost;
        this.plugins = plugins;
    }

    /** The layout as one string (it travels in the task's closure): ship flag, modules, class path, plugins. */
    static String layout(boolean ship, List<String> modules, List<String> classpath, List<String> plugins) {
        return ship + "\n" + String.join(SEP, modules) + "\n" + String.join(SEP, classpath) + "\n"
                + String.join(SEP, plugins);
    }

    static WorkerHost get(String layout) {
        return CACHE.computeIfAbsent(layout, WorkerHost::build);
    }

    String run(String itemJson, String folder, String backend, int attempt) throws Exception {
        try {
            return (String) runInHost.invoke(null, plugins, itemJson, folder, backend, attempt);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
    }

    private static WorkerHost build(String layout) {
        String[] parts = layout.split("\n", -1);
        boolean shipped = Boolean.parseBoolean(parts[0]);
        List<Path> modules = paths(parts[1], shipped);
        List<Path> classpath = paths(parts[2], shipped);
        List<Path> plugins = paths(parts[3], shipped);
        try {
            ClassLoader own = WorkerHost.class.getClassLoader();
            ClassLoader parent;
            try {
                Class.forName("org.nd4j.linalg.factory.Nd4j", false, own);
                parent = own;
            } catch (ClassNotFoundException e) {
                List<URL> urls = new ArrayList<>();
                for (Path p : expand(classpath)) {
                    urls.add(p.toUri().toURL());
                }
                parent = new URLClassLoader("tessera-classpath", urls.toArray(URL[]::new),
                        ClassLoader.getPlatformClassLoader());
            }
            ModuleFinder finder = ModuleFinder.of(expand(modules).toArray(Path[]::new));
            Set<String> roots = finder.findAll().stream().map(r -> r.descriptor().name())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            if (!roots.contains("io.tessera.pipelines")) {
                throw new IllegalStateException("the module paths " + modules + " hold no io.tessera.pipelines module"
                        + " (found " + roots + "); point spark.tessera_home at a Tessera distribution");
            }
            Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf,
                    List.of(ModuleLayer.boot()), parent);
            Module unnamed = parent.getUnnamedModule();
            for (Module m : controller.layer().modules()) {
                controller.addReads(m, unnamed);
            }
            ClassLoader loader = controller.layer().findLoader("io.tessera.pipelines");
            Class<?> runs = Class.forName("io.tessera.pipelines.executor.ItemRuns", true, loader);
            Method m = runs.getMethod("runInHost", String.class, String.class, String.class, String.class, int.class);
            String pluginDirs = plugins.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
            return new WorkerHost(m, pluginDirs);
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start Tessera in this Spark executor (modules " + modules
                    + ", class path " + classpath.size() + " entries): " + e, e);
        }
    }

    /** Paths as given, or resolved from the names Spark's addFile delivered to this executor. */
    private static List<Path> paths(String joined, boolean shipped) {
        if (joined.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(joined.split(SEP)).map(p -> shipped ? Path.of(SparkFiles.get(p)) : Path.of(p)).toList();
    }

    /** Folders of jars become their jars; exploded module folders (with module-info.class) stay as they are. */
    private static List<Path> expand(List<Path> paths) throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p) && !Files.exists(p.resolve("module-info.class"))) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

}
