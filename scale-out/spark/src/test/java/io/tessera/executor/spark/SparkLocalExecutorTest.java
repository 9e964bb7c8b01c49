package io.tessera.executor.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Step;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import io.tessera.plugin.datasets.IdxDatasetStep;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed sweep of examples/pipelines/seed-sweep.yaml, shrunk (300 images, an MLP, one epoch, 3 seeds), on
 * {@code executor: local} and on Spark {@code local[2]}: the Spark items run in a Tessera host that each executor
 * builds in module layers of its own, and give the same metrics per item.
 */
class SparkLocalExecutorTest {
    @TempDir
    Path dir;

    static Path sweep() {
        String root = System.getProperty("tessera.root", "../..");
        return Path.of(root, "examples", "pipelines", "seed-sweep.yaml");
    }

    static TesseraHost driverHost() {
        TesseraHost host = Tessera.builder().build();
        host.start();
        if (Pipelines.of(host).step("datasets/idx").isEmpty()) {
            host.services().register(Step.class, new IdxDatasetStep());
        }
        return host;
    }

    /** The shrunk sweep's overrides. */
    static List<String> shrunk(int seeds) {
        String seedList = java.util.stream.IntStream.rangeClosed(1, seeds).mapToObj(Integer::toString)
                .collect(Collectors.joining(", ", "[", "]"));
        return List.of("steps.data.with.limit=300", "steps.data.with.val_size=100", "steps.train.with.model=mlp",
                "steps.train.with.hidden=32", "steps.train.with.training.epochs=1", "steps.train.matrix.seed="
                        + seedList);
    }

    /**
     * The Tessera modules of this test's class path, as the executors' layer needs them: the reactor's module folders
     * and the third-party modules they require. (A real cluster reads them from a distribution: spark.tessera_home.)
     */
    static String modulesOverride() {
        List<String> modules = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            boolean reactorModule = e.endsWith("target" + File.separator + "classes") && !e.contains("scale-out");
            boolean dependency = name.matches("(jackson-(core|databind|annotations)|snakeyaml-engine|guice|guava"
                    + "|failureaccess|aopalliance|jakarta\\.inject-api)-[0-9].*\\.jar")
                    && !e.contains("/org/nd4j/") && !e.contains("/org/glassfish/");
            if (reactorModule || dependency) {
                modules.add("\"" + e + "\"");
            }
        }
        return "steps.train.spark.modules=[" + String.join(", ", modules) + "]";
    }

    static RunResult run(TesseraHost host, Path out, List<String> sets) {
        RunOptions.Builder b = RunOptions.builder().outputRoot(out);
        sets.forEach(b::set);
        return Pipelines.of(host).run(sweep(), b.build());
    }

    @Test
    void aSeedSweepOnSparkLocalGivesTheMetricsOfTheLocalExecutor() throws Exception {
        try (TesseraHost host = driverHost()) {
            List<String> local = new ArrayList<>(shrunk(3));
            RunResult onLocal = run(host, dir.resolve("local"), local);
            assertThat(onLocal.status()).as(onLocal.failure().orElse("")).isEqualTo(RunStatus.SUCCEEDED);

            List<String> spark = new ArrayList<>(shrunk(3));
            spark.add("steps.train.executor=spark");
            spark.add("steps.train.spark.master=local[2]");
            spark.add(modulesOverride());
            RunResult onSpark = run(host, dir.resolve("spark"), spark);
            assertThat(onSpark.status()).as(onSpark.failure().orElse("")).isEqualTo(RunStatus.SUCCEEDED);

            for (int i = 0; i < 3; i++) {
                Map<String, Double> a = onLocal.metrics().get("train-" + i);
                Map<String, Double> b = onSpark.metrics().get("train-" + i);
                assertThat(a).containsKey("val_accuracy");
                assertThat(b).as("item " + i).isEqualTo(a);
                // the item ran in its own run folder under the driver's run folder
                Path item = onSpark.runDirectory().resolve("steps/train/items/" + i);
                assertThat(Files.readString(item.resolve("item.json"))).contains("\"status\":\"succeeded\"");
                assertThat(item.resolve("item-pipeline.yaml")).exists();
            }
            assertThat(onSpark.metrics().get("train")).containsEntry("items_succeeded", 3.0);
            assertThat(onSpark.metric("train", "val_accuracy_mean")).isEqualTo(onLocal.metric("train",
                    "val_accuracy_mean"));
            assertThat(onSpark.runDirectory().resolve("steps/compare/comparison.json")).exists();
            assertThat(Files.readString(onSpark.runDirectory().resolve("logs/train.log")))
                    .contains("spark: master local[2]").contains("item train-2");
        }
    }

    @Test
    void settingsThatCannotWorkAreRefusedWithWhatToDo() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SparkItemExecutor.layout(Map.of(
                "tessera_home", dir.toString())))).hasMessageContaining("is not a Tessera distribution (no lib/modules)");
        // on the class path, without a home or explicit lists, the executor cannot tell Tessera's jars apart
        if (System.getenv("TESSERA_HOME") == null) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SparkItemExecutor.layout(Map.of())))
                    .hasMessageContaining("set spark.tessera_home");
        }
        assertThat(new SparkItemExecutor().name()).isEqualTo("spark");
    }
}
