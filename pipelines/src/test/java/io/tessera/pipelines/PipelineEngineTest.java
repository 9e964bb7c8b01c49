package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.host.BackendSelectionException;
import io.tessera.host.TesseraHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with steps that need no tensors: scheduling, run folders, failures, cancellation and resume. */
class PipelineEngineTest {

    @TempDir
    Path dir;

    private TesseraHost host;

    @BeforeEach
    void startHost() {
        host = TestSteps.host();
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private RunOptions.Builder options() {
        return RunOptions.builder().outputRoot(dir.resolve("runs"));
    }

    @Test
    void aNamedBackendThatIsNotThereFailsTheRunNamingTheDependency() throws Exception {
        // no backend module is on this test's path
        Path file = write("""
                name: needs-cpu
                backend: cpu
                steps:
                  x: { uses: test/source, with: { value: 1 } }
                """);
        assertThatThrownBy(() -> Pipelines.of(host).run(file, options().build()))
                .isInstanceOf(BackendSelectionException.class)
                .hasMessageStartingWith("unknown backend 'cpu' (from the pipeline's backend:)")
                .hasMessageContaining("io.tessera:tessera-backend-cpu");
        // checked before the run folder is created: nothing is left behind
        assertNoRunFolder();
    }

    private void assertNoRunFolder() throws IOException {
        Path runs = dir.resolve("runs");
        if (Files.exists(runs)) {
            try (Stream<Path> folders = Files.list(runs)) {
                assertThat(folders).as("run folders left under " + runs).isEmpty();
            }
        }
    }

    @Test
    void aBackendNamedByOptionOrEnvironmentIsCheckedBeforeTheRunFolderExists() throws Exception {
        Path file = write("""
                name: plain
                steps:
                  x: { uses: test/source, with: { value: 1 } }
                """);
        assertThatThrownBy(() -> Pipelines.of(host).run(file, options().backend("gpu").build()))
                .isInstanceOf(BackendSelectionException.class)
                .hasMessageStartingWith("unknown backend 'gpu' (from --backend)");
        assertThatThrownBy(() -> Pipelines.of(host).run(file, options()
                        .environment(Map.of("TESSERA_BACKEND", "gpu")).build()))
                .isInstanceOf(BackendSelectionException.class)
                .hasMessageStartingWith("unknown backend 'gpu' (from TESSERA_BACKEND)");
        assertNoRunFolder();
    }

    @Test
    void runsTheDagAndWritesACompleteRunFolder() throws Exception {
        List<PipelineEvent> events = new CopyOnWriteArrayList<>();
        Path file = write("""
                name: sums
                seed: 3
                steps:
                  sum: { uses: test/add, with: { scale: 2 }, inputs: { a: x.value, b: y.value } }
                  x: { uses: test/source, with: { value: 1.5 } }
                  y: { uses: test/source, with: { value: 2 } }
                """);
        RunResult result = Pipelines.of(host).run(file, options().listener(events::add).build());

        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        assertThat(result.metric("sum", "sum")).contains(7.0);
        Path run = result.runDirectory();
        assertThat(run.getFileName().toString()).matches("\\d{8}T\\d{6}Z-sums");
        assertThat(run.resolve("INCOMPLETE")).doesNotExist();
        // report.html comes from the io.tessera.reports module, which is not on this module's test path
        assertThat(run.resolve("report.html")).doesNotExist();
        assertThat(run.resolve("logs/run.log")).content().contains("no report.html: no run reporter is installed");
        assertThat(Files.readString(run.resolve("metrics.json"))).contains("\"sum\" : 7.0");
        assertThat(Files.readString(run.resolve("pipeline.yaml"))).contains("scale: 2").contains("label: a");
        assertThat(Files.readString(run.resolve("run.json"))).contains("\"status\" : \"succeeded\"");
        // sum reads x and y, so it starts after both finished, whatever the file order.
        List<String> order = events.stream().filter(e -> e instanceof PipelineEvent.StepStarted)
                .map(e -> ((PipelineEvent.StepStarted) e).step()).toList();
        assertThat(order.indexOf("sum")).isEqualTo(2);
        assertThat(events.get(0)).isInstanceOf(PipelineEvent.RunStarted.class);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(PipelineEvent.RunFinished.class,
                e -> assertThat(e.status()).isEqualTo(RunStatus.SUCCEEDED));
        List<String> lines = Files.readAllLines(run.resolve("events.jsonl"));
        assertThat(lines).hasSize(events.size());
        assertThat(lines.get(0)).contains("\"type\":\"run-start\"");
    }

    @Test
    void runJsonRecordsTheInputFilesWithTheirHashes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "abc");
        Files.write(data.resolve("b.bin"), new byte[0]);
        Path single = Files.writeString(dir.resolve("labels.csv"), "x");
        Path file = write("""
                name: inputs
                steps:
                  x: { uses: test/source, with: { value: 1 } }
                  a: { uses: test/fail, with: { message: %s } }
                  b: { uses: test/fail, with: { message: %s } }
                """.formatted(data, single));
        RunResult result = Pipelines.of(host).run(file, options().build());

        com.fasterxml.jackson.databind.JsonNode inputs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(result.runDirectory().resolve("run.json").toFile()).path("inputs").path("files");
        Map<String, String> sha = new java.util.TreeMap<>();
        inputs.forEach(f -> sha.put(Path.of(f.path("path").asText()).getFileName().toString(),
                f.path("sha256").asText()));
        // the pipeline file, both files of the named folder, and the named file; SHA-256 as sha256sum prints it
        assertThat(sha).containsOnlyKeys("p.yaml", "a.txt", "b.bin", "labels.csv")
                .containsEntry("a.txt", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                .containsEntry("b.bin", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .containsEntry("labels.csv", "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    }

    @Test
    void independentStepsRunInParallel() throws Exception {
        TestSteps.Rendezvous.latch = new CountDownLatch(2);
        Path file = write("""
                name: parallel
                steps:
                  a: { uses: test/rendezvous, with: { id: 1 } }
                  b: { uses: test/rendezvous, with: { id: 2 } }
                  sum: { uses: test/add, inputs: { a: a.value, b: b.value } }
                """);
        RunResult result = Pipelines.of(host).run(file, options().parallelism(2).build());
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        assertThat(result.metric("sum", "sum")).contains(3.0);
    }

    @Test
    void aFailingStepStopsTheRunAndLeavesTheFolderMarkedIncomplete() throws Exception {
        Path file = write("""
                name: failing
                steps:
                  x: { uses: test/source }
                  bad: { uses: test/fail, with: { message: disk on fire }, inputs: { after: x.value } }
                  later: { uses: test/add, inputs: { a: x.value, b: bad.never } }
                """);
        RunResult result = Pipelines.of(host).run(file, options().build());
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.failure()).contains("step 'bad' (test/fail) failed: disk on fire");
        Path run = result.runDirectory();
        assertThat(run.resolve("INCOMPLETE")).isRegularFile();
        assertThat(Files.readString(run.resolve("INCOMPLETE"))).contains("disk on fire").contains("--resume");
        assertThat(Files.readString(run.resolve("run.json"))).contains("\"status\" : \"failed\"")
                .contains("\"later\" : {\n      \"status\" : \"pending\"");
        assertThat(Files.readString(run.resolve("logs/bad.log"))).contains("disk on fire");
    }

    /** Runs {@code file} one step at a time and cancels it once a step has saved checkpoint {@code position}. */
    private RunResult stoppedAtCheckpoint(Path file, long position) {
        AtomicBoolean stop = new AtomicBoolean();
        return Pipelines.of(host).run(file, options().cancelWhen(stop::get).parallelism(1)
                .listener(e -> {
                    if (e instanceof PipelineEvent.CheckpointSaved c && c.position() == position) {
                        stop.set(true);
                    }
                }).build());
    }

    @Test
    void aResumedRunContinuesFromTheLastCheckpointAndEndsLikeAnUninterruptedOne() throws Exception {
        Path file = write("""
                name: counting
                steps:
                  count: { uses: test/count, with: { to: 6 } }
                  sum: { uses: test/add, inputs: { a: x.value, b: x.value } }
                  x: { uses: test/source }
                """);
        RunResult whole = Pipelines.of(host).run(file, options().build());
        assertThat(whole.succeeded()).isTrue();

        RunResult stopped = stoppedAtCheckpoint(file, 4);
        assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(stopped.runDirectory().resolve("INCOMPLETE")).exists();

        RunResult resumed = Pipelines.of(host).run(file, options().resume(stopped.runDirectory()).build());
        assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
        assertThat(resumed.runDirectory()).isEqualTo(stopped.runDirectory());
        assertThat(resumed.runDirectory().resolve("INCOMPLETE")).doesNotExist();
        // Only the units after the checkpoint were computed again.
        assertThat(Files.readString(resumed.runDirectory().resolve("steps/count/computed.txt"))).isEqualTo("2");
        assertThat(resumed.metrics()).isEqualTo(whole.metrics());
        assertThat(Files.readString(resumed.runDirectory().resolve("metrics.json")))
                .isEqualTo(Files.readString(whole.runDirectory().resolve("metrics.json")));
        assertThat(Files.readString(resumed.runDirectory().resolve("curves.json")))
                .isEqualTo(Files.readString(whole.runDirectory().resolve("curves.json")));
        assertThat(Files.readString(resumed.runDirectory().resolve("events.jsonl"))).contains("run-resume");
    }

    /** Issue 17: a truncated newest checkpoint failed the resume instead of falling back to the previous one. */
    @Test
    void aResumeSkipsATruncatedNewestCheckpointForThePreviousIntactOneAndSaysSo() throws Exception {
        Path file = write("""
                name: counting
                steps:
                  count: { uses: test/count, with: { to: 6 } }
                """);
        RunResult whole = Pipelines.of(host).run(file, options().build());
        RunResult stopped = stoppedAtCheckpoint(file, 4);
        Path checkpoints = stopped.runDirectory().resolve("checkpoints/count");
        Path newest = checkpoints.resolve("ckpt-000000000004");
        assertThat(Files.readString(newest.resolve("checkpoint.sha256"))).contains("  state.txt");
        Files.writeString(newest.resolve("state.txt"), "4 1"); // truncated: was "4 10"

        List<PipelineEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunResult resumed = Pipelines.of(host).run(file, options().resume(stopped.runDirectory())
                .listener(events::add).build());
        assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
        // continued from ckpt 3: units 4, 5 and 6 computed again, and the result is the uninterrupted one
        assertThat(Files.readString(resumed.runDirectory().resolve("steps/count/computed.txt"))).isEqualTo("3");
        assertThat(resumed.metrics()).isEqualTo(whole.metrics());
        assertThat(events).filteredOn(e -> e instanceof PipelineEvent.CheckpointSkipped).singleElement()
                .satisfies(e -> {
                    PipelineEvent.CheckpointSkipped k = (PipelineEvent.CheckpointSkipped) e;
                    assertThat(k.step()).isEqualTo("count");
                    assertThat(k.folder()).isEqualTo(newest);
                    assertThat(k.reason()).contains("state.txt is truncated or changed");
                    assertThat(k.movedTo()).isEqualTo(checkpoints.resolve("corrupt-ckpt-000000000004"));
                });
        assertThat(checkpoints.resolve("corrupt-ckpt-000000000004/state.txt")).hasContent("4 1");
        assertThat(Files.readString(resumed.runDirectory().resolve("events.jsonl")))
                .contains("\"checkpoint-skipped\"").contains("ckpt-000000000004");
        assertThat(Files.readString(resumed.runDirectory().resolve("logs/run.log")))
                .contains("WARNING checkpoint " + newest + " is corrupt");
    }

    @Test
    void whenNoCheckpointIsIntactTheStepStartsOver() throws Exception {
        Path file = write("""
                name: counting
                steps:
                  count: { uses: test/count, with: { to: 5 } }
                """);
        RunResult stopped = stoppedAtCheckpoint(file, 3);
        Path checkpoints = stopped.runDirectory().resolve("checkpoints/count");
        Files.delete(checkpoints.resolve("ckpt-000000000003/state.txt"));
        Files.writeString(checkpoints.resolve("ckpt-000000000002/checkpoint.sha256"), "0123");
        List<PipelineEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunResult resumed = Pipelines.of(host).run(file, options().resume(stopped.runDirectory())
                .listener(events::add).build());
        assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
        assertThat(Files.readString(resumed.runDirectory().resolve("steps/count/computed.txt"))).isEqualTo("5");
        assertThat(events).filteredOn(e -> e instanceof PipelineEvent.CheckpointSkipped)
                .extracting(e -> ((PipelineEvent.CheckpointSkipped) e).reason())
                .containsExactly("state.txt is missing", "checkpoint.sha256 is truncated");
    }

    @Test
    void resumeRefusesACompleteRunAndAChangedPipeline() throws Exception {
        Path file = write("name: r\nsteps:\n  x: { uses: test/source }\n");
        RunResult done = Pipelines.of(host).run(file, options().build());
        assertThatThrownBy(() -> Pipelines.of(host).run(file, options().resume(done.runDirectory()).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already finished");

        Path failing = write("name: r\nsteps:\n  x: { uses: test/source }\n  f: { uses: test/fail }\n");
        RunResult failed = Pipelines.of(host).run(failing, options().build());
        assertThatThrownBy(() -> Pipelines.of(host).run(failing, options().resume(failed.runDirectory())
                .set("steps.x.with.value=9").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("steps.x.with.value was 1.0, now 9.0");
    }

    @Test
    void aJavaBuiltPipelineRunsLikeItsYamlTwin() throws Exception {
        Path file = write("""
                name: twin
                seed: 5
                steps:
                  x: { uses: test/source, with: { value: 4 } }
                  sum: { uses: test/add, inputs: { a: x.value, b: x.value } }
                outputs: { total: sum.sum }
                """);
        Pipeline p = Pipeline.builder("twin").seed(5).step("x", "test/source", s -> s.with("value", 4))
                .step("sum", "test/add", s -> s.input("a", "x.value").input("b", "x.value"))
                .output("total", "sum.sum").build();
        RunResult fromYaml = Pipelines.of(host).run(file, options().build());
        try (RunResult fromJava = Pipelines.of(host).run(p, options().keepOutputs(true).build())) {
            assertThat(fromJava.outputs()).containsEntry("total", 8.0);
            assertThat(Files.readString(fromJava.runDirectory().resolve("metrics.json")))
                    .isEqualTo(Files.readString(fromYaml.runDirectory().resolve("metrics.json")));
        }
    }

    @Test
    void twoRunsOfOneSecondGetTheirOwnFolders() throws Exception {
        Path file = write("name: twice\nsteps:\n  x: { uses: test/source }\n");
        Path a = Pipelines.of(host).run(file, options().build()).runDirectory();
        Path b = Pipelines.of(host).run(file, options().build()).runDirectory();
        assertThat(a).isNotEqualTo(b);
        assertThat(a.resolve("metrics.json")).isRegularFile();
        assertThat(b.resolve("metrics.json")).isRegularFile();
    }
}
