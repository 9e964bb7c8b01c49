package io.tessera.executor.spark;

import io.tessera.pipelines.executor.FanOutJob;
import io.tessera.pipelines.executor.ItemExecutor;
import io.tessera.pipelines.executor.ItemOutcome;
import io.tessera.pipelines.executor.ItemSpec;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code executor: spark}. Settings (the step's {@code spark:} map, docs/scale-out.md):
 * <ul>
 *   <li>{@code master}: {@code local[2]}, {@code spark://host:7077}, ... (default {@code local[*]})</li>
 *   <li>{@code conf}: further Spark properties ({@code spark.executor.memory: 2g})</li>
 *   <li>{@code tessera_home}: a Tessera distribution ({@code lib/modules}, {@code lib/classpath}, {@code plugins});
 *       default {@code TESSERA_HOME}, else the modules this JVM runs</li>
 *   <li>{@code modules}, {@code classpath}, {@code plugins}: the same as explicit lists of paths</li>
 *   <li>{@code ship}: send those jars to the executors with {@code SparkContext.addFile} (default true except on a
 *       {@code local} master); false when every worker has them at the same paths</li>
 *   <li>{@code spark_home}: where Spark's jars are ({@code <spark_home>/jars}) when Spark is not on this JVM's class
 *       path; default {@code SPARK_HOME}</li>
 * </ul>
 * Item folders are the run folder's {@code steps/<step>/items/<index>/}, so workers must see the run folder (one
 * machine, or a shared file system mounted at the same path).
 */
public final class SparkItemExecutor implements ItemExecutor {
    static final String DRIVER = "io.tessera.executor.spark.bridge.SparkDriver";

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public void run(FanOutJob job) throws Exception {
        Map<String, Object> s = job.settings();
        String master = text(s.get("master"), "local[*]");
        Map<String, String> conf = new LinkedHashMap<>();
        if (s.get("conf") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> conf.put(String.valueOf(k), String.valueOf(v)));
        } else if (s.get("conf") != null) {
            throw new IllegalArgumentException("spark.conf must map Spark properties to values, found " + s.get("conf"));
        }
        Layout layout = layout(s);
        boolean ship = s.get("ship") instanceof Boolean b ? b : !master.startsWith("local");
        List<List<String>> items = new ArrayList<>();
        for (ItemSpec item : job.items()) {
            items.add(List.of(Integer.toString(item.index()), item.id(), item.toJson(),
                    job.itemDirectory(item.index()).toAbsolutePath().toString()));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("master", master);
        params.put("appName", "tessera " + job.pipeline() + " " + job.step());
        params.put("conf", conf);
        params.put("items", items);
        params.put("modules", layout.modules());
        params.put("classpath", layout.classpath());
        params.put("plugins", layout.plugins());
        params.put("ship", ship);
        params.put("backend", job.backend());
        params.put("retries", job.retries());
        System.Logger log = job.logger();
        log.log(System.Logger.Level.INFO, "spark: master " + master + ", " + items.size() + " items, "
                + layout.modules().size() + " module paths, " + layout.classpath().size() + " class-path entries, "
                + layout.plugins().size() + " plugin folders" + (ship ? ", shipped with addFile" : ", read in place"));
        Consumer<String> onOutcome = json -> job.finished(ItemOutcome.fromJson(json));
        Consumer<String> onLog = line -> log.log(System.Logger.Level.INFO, line);
        BooleanSupplier cancelled = job::cancelled;
        Method run = driver(s).getMethod("run", Map.class, Consumer.class, Consumer.class, BooleanSupplier.class);
        try {
            run.invoke(null, params, onOutcome, onLog, cancelled);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
    }

    /** Where Tessera's jars are, for the executors. */
    record Layout(List<String> modules, List<String> classpath, List<String> plugins) {
    }

    static Layout layout(Map<String, Object> s) throws IOException {
        if (s.get("modules") != null) {
            return new Layout(paths(s.get("modules"), "modules"), paths(s.get("classpath"), "classpath"),
                    paths(s.get("plugins"), "plugins"));
        }
        String home = text(s.get("tessera_home"), System.getenv("TESSERA_HOME"));
        if (home != null && !home.isBlank()) {
            Path h = Path.of(home);
            if (!Files.isDirectory(h.resolve("lib/modules"))) {
                throw new IllegalArgumentException("spark.tessera_home " + h + " is not a Tessera distribution (no"
                        + " lib/modules); give the folder that holds bin/tessera, lib/ and plugins/");
            }
            return new Layout(jars(h.resolve("lib/modules")), jars(h.resolve("lib/classpath")),
                    Files.isDirectory(h.resolve("plugins")) ? List.of(h.resolve("plugins").toString()) : List.of());
        }
        ModuleLayer own = SparkItemExecutor.class.getModule().getLayer();
        if (own == null) {
            throw new IllegalArgumentException("executor: spark cannot tell Tessera's jars from the application's on"
                    + " the class path: set spark.tessera_home (a Tessera distribution), TESSERA_HOME, or"
                    + " spark.modules / spark.classpath / spark.plugins");
        }
        // this JVM runs Tessera on the module path: its boot-layer modules and its class path, as the launcher set
        // them (bin/tessera); plugin folders are those of the plugin layers
        List<String> modules = new ArrayList<>();
        for (java.lang.module.ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            m.reference().location().filter(u -> u.getScheme().equals("file")).map(Path::of)
                    .filter(p -> !p.equals(ownJar())).ifPresent(p -> modules.add(p.toString()));
        }
        List<String> classpath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                classpath.add(e);
            }
        }
        return new Layout(modules, classpath, List.of());
    }

    private static List<String> paths(Object v, String key) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("spark." + key + " must be a list of paths, found " + v);
        }
        return l.stream().map(String::valueOf).toList();
    }

    private static List<String> jars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString).toList();
        }
    }

    /** The bridge class: from this class's loader when Spark is on its class path, else from Spark's jars. */
    static Class<?> driver(Map<String, Object> s) throws IOException, ClassNotFoundException {
        ClassLoader own = SparkItemExecutor.class.getClassLoader();
        try {
            Class.forName("org.apache.spark.SparkContext", false, own);
            return Class.forName(DRIVER, true, own);
        } catch (ClassNotFoundException e) {
            // Tessera runs on the module path, Spark is elsewhere: a class-path loader over Spark's jars and this jar
        }
        String sparkHome = text(s.get("spark_home"), System.getenv("SPARK_HOME"));
        if (sparkHome == null || !Files.isDirectory(Path.of(sparkHome, "jars"))) {
            throw new IllegalStateException("executor: spark needs Spark's jars: set spark.spark_home or SPARK_HOME to"
                    + " a Spark " + "4.0 installation (the folder holding jars/), or put Spark on the class path");
        }
        Set<URL> urls = new LinkedHashSet<>();
        urls.add(ownJar().toUri().toURL());
        for (String jar : jars(Path.of(sparkHome, "jars"))) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        URLClassLoader loader = new URLClassLoader("tessera-spark", urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        return Class.forName(DRIVER, true, loader);
    }

    private static Path ownJar() {
        try {
            return Path.of(SparkItemExecutor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot find the jar of the Spark executor: " + e, e);
        }
    }

    private static String text(Object v, String fallback) {
        return v == null ? fallback : String.valueOf(v).strip().toLowerCase(Locale.ROOT).equals("") ? fallback
                : String.valueOf(v).strip();
    }
}
