package io.tessera.executor.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.host.TesseraHost;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the seed sweep (examples/pipelines/seed-sweep.yaml) on each executor: items per minute, and Spark's
 * overhead per item against the local pool. Not a test of the default suite: run it with
 * {@code ./mvnw -pl scale-out/spark -am test -Dtessera.spark.tests=SparkSweepBench -Dtessera.sweep.items=24}; it
 * prints a table with the machine and its load (docs/scale-out.md). Sizes: {@code -Dtessera.sweep.limit} images
 * (default 600, 100 of them for validation), one epoch of cnn-small.
 */
class SparkSweepBench {
    @TempDir
    Path dir;

    @Test
    void throughputOfTheSeedSweepOnEachExecutor() throws Exception {
        int items = Integer.getInteger("tessera.sweep.items", 24);
        int limit = Integer.getInteger("tessera.sweep.limit", 600);
        List<String> base = new ArrayList<>(SparkLocalExecutorTest.shrunk(items));
        base.removeIf(s -> s.startsWith("steps.train.with.model") || s.startsWith("steps.train.with.hidden")
                || s.startsWith("steps.data.with.limit"));
        base.add("steps.data.with.limit=" + limit);
        Map<String, double[]> rows = new LinkedHashMap<>();
        String load = load();
        try (TesseraHost host = SparkLocalExecutorTest.driverHost()) {
            List<String> local = new ArrayList<>(base);
            local.add("steps.train.max_parallel=2");
            rows.put("local (pool of 2)", measure(host, "local", local, items));
            List<String> sparkLocal = new ArrayList<>(base);
            sparkLocal.add("steps.train.executor=spark");
            sparkLocal.add("steps.train.spark.master=local[2]");
            sparkLocal.add(SparkLocalExecutorTest.modulesOverride());
            rows.put("spark local[2]", measure(host, "spark-local", sparkLocal, items));
            try (LocalCluster one = LocalCluster.start(dir.resolve("c1"), 1, 2)) {
                List<String> s = new ArrayList<>(base);
                s.addAll(SparkClusterTest.onCluster(one.masterUrl));
                rows.put("standalone, 1 worker x 2 cores", measure(host, "c1", s, items));
            }
            try (LocalCluster two = LocalCluster.start(dir.resolve("c2"), 2, 1)) {
                List<String> s = new ArrayList<>(base);
                s.addAll(SparkClusterTest.onCluster(two.masterUrl));
                rows.put("standalone, 2 workers x 1 core", measure(host, "c2", s, items));
            }
        }
        double localSecs = rows.values().iterator().next()[0];
        StringBuilder t = new StringBuilder();
        t.append(String.format("seed sweep: %d items of cnn-small, 1 epoch, %d images (%d for validation); %s%n",
                items, limit, 100, Instant.now()));
        t.append(String.format("machine: %d cores, %s %s, java %s; load before: %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), load));
        t.append(String.format("%-32s %10s %12s %22s%n", "executor", "seconds", "items/min", "overhead/item vs local"));
        rows.forEach((name, r) -> t.append(String.format("%-32s %10.1f %12.1f %20.2f s%n", name, r[0],
                items / r[0] * 60, (r[0] - localSecs) / items)));
        t.append("load after: ").append(load()).append('\n');
        System.out.print(t);
        Path out = Path.of(System.getProperty("tessera.root", "../.."), "scale-out", "spark", "target",
                "sweep-bench.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, t.toString());
    }

    /** Seconds of the whole run (driver start-up of Spark included), or NaN with the failure printed. */
    private double[] measure(TesseraHost host, String name, List<String> sets, int items) {
        long t0 = System.nanoTime();
        RunResult r = SparkLocalExecutorTest.run(host, dir.resolve(name), sets);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (r.status() != RunStatus.SUCCEEDED) {
            System.out.println(name + " FAILED: " + r.failure().orElse(""));
            return new double[] {Double.NaN};
        }
        assertThat(r.metrics().get("train")).containsEntry("items_succeeded", (double) items);
        return new double[] {secs};
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown (no /proc/loadavg)";
        }
    }
}
