package io.tessera.executor.spark.bridge;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver side: one Spark job per item (so each finished item is reported the moment it finishes, and a lost
 * executor costs only the items it was running, which Spark runs again elsewhere).
 */
public final class SparkDriver {
    private SparkDriver() {
    }

    /**
     * Runs the items.
     *
     * @param params    master, appName, conf, items ([index, id, item json, folder] each), modules, classpath,
     *                  plugins, ship, backend, retries (see SparkItemExecutor)
     * @param onOutcome receives each item's outcome JSON
     * @param onLog     receives progress lines for the step's log
     * @param cancelled polled; true cancels the jobs
     */
    @SuppressWarnings("unchecked")
    public static void run(Map<String, Object> params, Consumer<String> onOutcome, Consumer<String> onLog,
            BooleanSupplier cancelled) throws Exception {
        SparkConf conf = new SparkConf().setMaster((String) params.get("master"))
                .setAppName((String) params.get("appName"))
                .set("spark.ui.enabled", "false")
                // an item is retried by the task itself (retries:); Spark's own retries cover lost executors
                .set("spark.task.maxFailures", "4");
        ((Map<String, String>) params.get("conf")).forEach(conf::set);
        List<List<String>> items = (List<List<String>>) params.get("items");
        boolean ship = (Boolean) params.get("ship");
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            onLog.accept(String.format("spark: context on %s started in %.1f s (application %s)", sc.master(),
                    (System.nanoTime() - t0) / 1e9, sc.sc().applicationId()));
            List<String> modules = ship((List<String>) params.get("modules"), ship, sc);
            List<String> classpath = ship((List<String>) params.get("classpath"), ship, sc);
            List<String> plugins = ship((List<String>) params.get("plugins"), ship, sc);
            String layout = WorkerHost.layout(ship, modules, classpath, plugins);
            ItemTask task = new ItemTask(layout, (String) params.get("backend"), (Integer) params.get("retries"));
            Map<Integer, JavaFutureAction<List<String>>> running = new LinkedHashMap<>();
            Map<Integer, List<String>> byIndex = new LinkedHashMap<>();
            for (List<String> item : items) {
                int index = Integer.parseInt(item.get(0));
                byIndex.put(index, item);
                sc.setJobDescription("item " + item.get(1));
                running.put(index, sc.parallelize(java.util.Collections.singletonList(item.toArray(String[]::new)), 1).map(task).collectAsync());
            }
            while (!running.isEmpty()) {
                if (cancelled.getAsBoolean()) {
                    onLog.accept("spark: the run was cancelled; cancelling " + running.size() + " item jobs");
                    sc.cancelAllJobs();
                    return;
                }
                List<Integer> done = new ArrayList<>();
                for (Map.Entry<Integer, JavaFutureAction<List<String>>> e : running.entrySet()) {
                    if (!e.getValue().isDone()) {
                        continue;
                    }
                    done.add(e.getKey());
                    List<String> item = byIndex.get(e.getKey());
                    try {
                        onOutcome.accept(e.getValue().get().get(0));
                    } catch (ExecutionException ex) {
                        onOutcome.accept(failed(item, "the Spark job failed: " + ex.getCause()));
                    }
                }
                done.forEach(running::remove);
                if (!running.isEmpty() && done.isEmpty()) {
                    Thread.sleep(100);
                }
            }
        }
    }

    /** The local paths, or after {@code addFile} the names by which executors find them. */
    private static List<String> ship(List<String> paths, boolean ship, JavaSparkContext sc) {
        if (!ship) {
            return paths;
        }
        List<String> names = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of(p);
            sc.sc().addFile(path.toUri().toString(), Files.isDirectory(path));
            names.add(path.getFileName().toString());
        }
        return names;
    }

    /** A failed outcome in the JSON that {@code ItemOutcome.fromJson} reads. */
    static String failed(List<String> item, String message) {
        return "{\"index\":" + Integer.parseInt(item.get(0)) + ",\"id\":" + quote(item.get(1))
                + ",\"status\":\"failed\",\"attempts\":1,\"seconds\":0,\"message\":" + quote(message)
                + ",\"where\":\"spark\",\"metrics\":{},\"epochs\":{},\"outputs\":{}}";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String joinPaths(List<String> paths) {
        return String.join(File.pathSeparator, paths);
    }
}
