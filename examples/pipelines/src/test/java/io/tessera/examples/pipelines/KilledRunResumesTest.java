package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: a pipeline runs in a child JVM that is killed with SIGKILL in the middle of training. The earlier
 * run folder stays intact, the killed one keeps its INCOMPLETE marker, and resuming it ends with the metrics of an
 * uninterrupted run.
 */
class KilledRunResumesTest {

    private static final List<String> SETTINGS = List.of("steps.data.with.limit=300",
            "steps.train_cnn.with.training.epochs=2", "steps.train_cnn.with.training.checkpoint_every=4",
            "steps.train_mlp.with.training.epochs=1", "steps.train_cnn.with.training.batch_size=25");

    @TempDir
    Path runs;

    @Test
    void aRunKilledMidTrainingResumesToTheSameMetrics() throws Exception {
        Path quickstart = TestHosts.examples().resolve("quickstart.yaml").toAbsolutePath();
        RunOptions.Builder uninterrupted = RunOptions.builder().outputRoot(runs);
        SETTINGS.forEach(uninterrupted::set);
        RunResult whole;
        try (TesseraHost host = TestHosts.started()) {
            whole = Pipelines.of(host).run(quickstart, uninterrupted.build());
        }
        assertThat(whole.succeeded()).as(whole.failure().orElse("")).isTrue();
        String wholeMetrics = Files.readString(whole.runDirectory().resolve("metrics.json"));

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                KilledRun.class.getName(), quickstart.toString(), runs.toString()));
        SETTINGS.forEach(s -> command.addAll(List.of("--set", s)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        Path killedRun = null;
        int checkpoints = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RUN ")) {
                    killedRun = Path.of(line.substring(4));
                } else if (line.startsWith("CHECKPOINT ") && ++checkpoints == 3) {
                    // SIGKILL: no shutdown hook, no finally block runs in the child.
                    child.destroyForcibly();
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(checkpoints).as("checkpoints seen before the kill").isEqualTo(3);
        assertThat(killedRun).isNotNull();
        assertThat(killedRun.resolve("INCOMPLETE")).exists();
        assertThat(killedRun.resolve("metrics.json")).doesNotExist();
        // The earlier run is untouched.
        assertThat(whole.runDirectory().resolve("INCOMPLETE")).doesNotExist();
        assertThat(Files.readString(whole.runDirectory().resolve("metrics.json"))).isEqualTo(wholeMetrics);

        RunOptions.Builder resume = RunOptions.builder().outputRoot(runs).resume(killedRun);
        SETTINGS.forEach(resume::set);
        RunResult resumed;
        try (TesseraHost host = TestHosts.started()) {
            resumed = Pipelines.of(host).run(quickstart, resume.build());
        }
        assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
        assertThat(killedRun.resolve("INCOMPLETE")).doesNotExist();
        assertThat(Files.readString(killedRun.resolve("metrics.json"))).isEqualTo(wholeMetrics);
        assertThat(killedRun.resolve("report.html")).isRegularFile();
    }
}
