package io.tessera.executor.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.host.TesseraHost;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed sweep on a standalone master and two workers started on localhost from the Maven jars (profile
 * {@code spark-cluster}: {@code ./mvnw -pl scale-out/spark -am test -Pspark-cluster}). One worker is killed with
 * SIGKILL after the first items finished: those stay finished, the lost items run again on the other worker, and the
 * run completes with the metrics of the local executor.
 */
class SparkClusterTest {
    @TempDir
    Path dir;

    /** The settings that point the sweep's train step at {@code master}, with Tessera read in place. */
    static List<String> onCluster(String master) {
        List<String> sets = new ArrayList<>();
        sets.add("steps.train.executor=spark");
        sets.add("steps.train.spark.master=" + master);
        sets.add("steps.train.spark.ship=false");
        sets.add(SparkLocalExecutorTest.modulesOverride());
        // the bridge classes on the executors' class path (a cluster gets the module's jar with spark.jars)
        sets.add("steps.train.spark.conf={spark.executor.extraClassPath: \"" + bridgeClasses() + "\","
                + " spark.executor.cores: 1, spark.executor.memory: 1g,"
                + " spark.executorEnv.OMP_NUM_THREADS: 1}");
        return sets;
    }

    static String bridgeClasses() {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.contains("scale-out") && e.endsWith("target" + java.io.File.separator + "classes")) {
                return e;
            }
        }
        throw new IllegalStateException("the Spark module's classes are not on the test class path");
    }

    @Test
    void aWorkerKilledMidRunLosesNoFinishedItemAndTheRunCompletes() throws Exception {
        int items = 6;
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2, 1);
             TesseraHost host = SparkLocalExecutorTest.driverHost()) {
            List<String> sets = new ArrayList<>(SparkLocalExecutorTest.shrunk(items));
            sets.addAll(onCluster(cluster.masterUrl));
            Path out = dir.resolve("spark");
            CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() ->
                    SparkLocalExecutorTest.run(host, out, sets));
            // wait for the first finished item, then kill worker 0 and its executor
            Map<Path, String> finishedBeforeKill = new LinkedHashMap<>();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (finishedBeforeKill.isEmpty() && System.nanoTime() < deadline && !run.isDone()) {
                Thread.sleep(200);
                for (Path f : itemFiles(out)) {
                    finishedBeforeKill.put(f, Files.readString(f));
                }
            }
            assertThat(finishedBeforeKill).as("an item finished before the kill" + cluster.diagnostics()).isNotEmpty();
            cluster.killWorker(0);
            RunResult r = run.get();
            assertThat(r.status()).as(r.failure().orElse("") + cluster.diagnostics()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(r.metrics().get("train")).containsEntry("items_succeeded", (double) items);
            // what finished before the kill was kept as it was
            for (Map.Entry<Path, String> e : finishedBeforeKill.entrySet()) {
                assertThat(Files.readString(e.getKey())).isEqualTo(e.getValue());
            }
            // the same metrics as the local executor
            RunResult local = SparkLocalExecutorTest.run(host, dir.resolve("local"),
                    SparkLocalExecutorTest.shrunk(items));
            for (int i = 0; i < items; i++) {
                assertThat(r.metrics().get("train-" + i)).as("item " + i).isEqualTo(local.metrics().get("train-" + i));
            }
        }
    }

    static List<Path> itemFiles(Path out) throws java.io.IOException {
        if (!Files.exists(out)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(p -> p.getFileName().toString().equals("item.json")
                    && p.getParent().getParent().getFileName().toString().equals("items")
                    && p.getParent().getParent().getParent().getFileName().toString().equals("train")).toList();
        }
    }
}
