package io.tessera.bench;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginState;
import io.tessera.host.PluginView;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Plugin runtime start-up benchmark (issue 2, "Measure"): how long a fresh JVM takes until N trivial layer plugins
 * are ACTIVE, and how much heap each plugin costs. Run through {@code bench/plugin-startup/run.sh}, which starts one
 * JVM per measurement. Modes:
 * <ul>
 *   <li>{@code generate DIR N}: writes N trivial plugin jars (module + manifest + a {@link Plugin}) into DIR;</li>
 *   <li>{@code host DIR} / {@code bare DIR}: starts the plugins of DIR with a Tessera host, or with the bare JPMS
 *       floor (one layer per jar, ServiceLoader, {@code start}), and prints one tab-separated result line;</li>
 *   <li>{@code table FILE}: prints the medians of the result lines in FILE as a Markdown table.</li>
 * </ul>
 */
public final class PluginStartupBench {

    private PluginStartupBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: generate DIR N | host DIR | bare DIR | table FILE");
        }
        switch (args[0]) {
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]));
            case "host", "host-full", "host-before", "bare" -> measure(args[0], Path.of(args[1]));
            case "table" -> table(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    // ---------------------------------------------------------------- generate

    private static void generate(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        if (count == 0) {
            return;
        }
        Path sources = Files.createTempDirectory("bench-src");
        Path classes = Files.createTempDirectory("bench-classes");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String module = moduleName(i);
            Path root = sources.resolve(module);
            Path pkg = root.resolve(module.replace('.', '/'));
            Files.createDirectories(pkg);
            Files.writeString(root.resolve("module-info.java"), "module " + module + " {\n"
                    + "    requires io.tessera.api;\n"
                    + "    provides io.tessera.api.plugin.Plugin with " + module + ".TrivialPlugin;\n"
                    + "}\n");
            Files.writeString(pkg.resolve("TrivialPlugin.java"), "package " + module + ";\n"
                    + "public final class TrivialPlugin implements io.tessera.api.plugin.Plugin {\n"
                    + "    @Override public void start(io.tessera.api.plugin.PluginContext context) { }\n"
                    + "}\n");
            files.add(root.resolve("module-info.java").toString());
            files.add(pkg.resolve("TrivialPlugin.java").toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> javacArgs = new ArrayList<>(List.of("--release", "17", "-nowarn",
                "--module-path", System.getProperty("jdk.module.path"),
                "--module-source-path", sources.toString(), "-d", classes.toString()));
        javacArgs.addAll(files);
        int rc = javac.run(null, null, null, javacArgs.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed with exit code " + rc);
        }
        for (int i = 0; i < count; i++) {
            String module = moduleName(i);
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            main.putValue("Tessera-Plugin-Id", module);
            main.putValue("Tessera-Plugin-Version", "1.0.0");
            main.putValue("Tessera-Api", "[1.0,2.0)");
            Path moduleClasses = classes.resolve(module);
            try (OutputStream file = Files.newOutputStream(dir.resolve(module + "-1.0.0.jar"));
                 JarOutputStream jar = new JarOutputStream(file, manifest);
                 Stream<Path> walk = Files.walk(moduleClasses)) {
                for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                    jar.putNextEntry(new JarEntry(moduleClasses.relativize(path).toString().replace('\\', '/')));
                    jar.write(Files.readAllBytes(path));
                    jar.closeEntry();
                }
            }
        }
    }

    private static String moduleName(int i) {
        return String.format(Locale.ROOT, "bench.p%03d", i);
    }

    // ---------------------------------------------------------------- measure

    private static void measure(String mode, Path dir) throws Exception {
        List<Path> jars;
        try (Stream<Path> list = Files.list(dir)) {
            jars = list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        // Timing runs touch neither the GC nor java.management before the plugins are up; heap runs do.
        boolean heapRun = Boolean.getBoolean("bench.heap");
        long heapBefore = heapRun ? usedHeapAfterGc() : 0;
        long t0 = System.nanoTime();
        Started started = mode.startsWith("host") ? HostRun.start(dir) : BareRun.start(jars);
        long startNanos = System.nanoTime() - t0;
        // Milliseconds since the JVM was created (its start time is taken early in JVM start-up).
        long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        long heapAfter = heapRun ? usedHeapAfterGc() : 0;
        if (started.active() != jars.size()) {
            throw new IllegalStateException(mode + ": " + started.active() + " of " + jars.size()
                    + " plugins started");
        }
        if (heapRun) {
            System.out.printf(Locale.ROOT, "%s\theap\t%d\t%d%n", mode, jars.size(), heapAfter - heapBefore);
        } else {
            System.out.printf(Locale.ROOT, "%s\ttime\t%d\t%d\t%.2f%n", mode, jars.size(), uptimeMillis,
                    startNanos / 1e6);
        }
        started.close().run();
    }

    /** What a run started: how many plugins are active, and how to shut it down (keeps it reachable until then). */
    private record Started(int active, Runnable close) {
    }

    /** The Tessera host: discovery, descriptors, resolution, one layer per jar, Guice, registry, lifecycle. */
    private static final class HostRun {
        static Started start(Path dir) {
            TesseraHost host = Tessera.builder().pluginDirectory(dir).build();
            host.start();
            int active = (int) host.plugins().stream().map(PluginView::state).filter(PluginState.ACTIVE::equals)
                    .count();
            return new Started(active, host::close);
        }
    }

    /**
     * The bare JPMS floor: per jar one configuration and layer (parent: boot), ServiceLoader, start hook. Needs only
     * io.tessera.api on the module path, so run.sh starts it without the host's modules.
     */
    private static final class BareRun {
        static Started start(List<Path> jars) throws Exception {
            List<Object> started = new ArrayList<>();
            int active = 0;
            for (Path jar : jars) {
                ModuleFinder finder = ModuleFinder.of(jar);
                String name = finder.findAll().iterator().next().descriptor().name();
                Configuration cf = ModuleLayer.boot().configuration()
                        .resolveAndBind(finder, ModuleFinder.of(), Set.of(name));
                ModuleLayer layer = ModuleLayer.boot()
                        .defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
                for (Plugin plugin : ServiceLoader.load(layer, Plugin.class)) {
                    plugin.start(null);
                    started.add(plugin);
                    active++;
                }
                started.add(layer);
            }
            return new Started(active, started::clear);
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---------------------------------------------------------------- table

    private static void table(Path results) throws IOException {
        // mode -> N -> rows of {uptime ms, in-process ms} (time runs) and {heap bytes} (heap runs)
        Map<String, Map<Integer, List<double[]>>> times = new TreeMap<>(Comparator.reverseOrder());
        Map<String, Map<Integer, List<double[]>>> heaps = new TreeMap<>(Comparator.reverseOrder());
        for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length == 5 && f[1].equals("time")) {
                times.computeIfAbsent(f[0], m -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(f[2]),
                        n -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4])});
            } else if (f.length == 4 && f[1].equals("heap")) {
                heaps.computeIfAbsent(f[0], m -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(f[2]),
                        n -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[3])});
            }
        }
        System.out.println("| runtime | N | runs | JVM start → all ACTIVE (ms) | in-process start (ms) "
                + "| heap, all plugins (KB) | heap per plugin (KB) | marginal heap per plugin (KB) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var mode : times.entrySet()) {
            String runtime = switch (mode.getKey()) {
                case "host" -> "Tessera runtime (module path: io.tessera.host and its dependencies)";
                case "host-full" -> "Tessera runtime, module path with pipelines, reports, CLI and their libraries";
                case "host-before" -> "host before the split (its module path: CLI, pipelines, charts included)";
                default -> "bare JPMS floor";
            };
            Map<Integer, List<double[]>> heapByCount = heaps.getOrDefault(mode.getKey(), Map.of());
            double baseHeap = heapByCount.containsKey(0) ? median(heapByCount.get(0), 0) : 0;
            int previousCount = 0;
            double previousHeap = baseHeap;
            for (var count : mode.getValue().entrySet()) {
                int n = count.getKey();
                String heapAll = "—";
                String perPlugin = "—";
                String marginal = "—";
                if (heapByCount.containsKey(n)) {
                    double heap = median(heapByCount.get(n), 0);
                    heapAll = String.format(Locale.ROOT, "%.0f", (heap - baseHeap) / 1024);
                    if (n > 0) {
                        perPlugin = String.format(Locale.ROOT, "%.1f", (heap - baseHeap) / n / 1024);
                        marginal = String.format(Locale.ROOT, "%.1f (from N=%d)",
                                (heap - previousHeap) / (n - previousCount) / 1024, previousCount);
                    }
                    previousCount = n;
                    previousHeap = heap;
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %s | %s | %s |%n", runtime, n,
                        count.getValue().size(), median(count.getValue(), 0), median(count.getValue(), 1),
                        heapAll, perPlugin, marginal);
            }
        }
        System.out.println();
        System.out.println("Medians over the runs. Times and heap come from separate JVMs. Heap: used heap after"
                + " System.gc() once all plugins are ACTIVE minus the same before the host (or the bare layers) was"
                + " built, minus that difference at N=0.");
    }

    private static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
