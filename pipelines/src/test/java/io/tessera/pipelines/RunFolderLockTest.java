package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.host.TesseraHost;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: two concurrent {@code --resume} of one run folder both proceeded and doubled its events.jsonl. */
class RunFolderLockTest {
    static final String PIPELINE = """
            name: counting
            steps:
              count: { uses: test/count, with: { to: 6 } }
            """;

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

    private RunOptions.Builder options() {
        return RunOptions.builder().outputRoot(dir.resolve("runs"));
    }

    /** A run of {@link #PIPELINE} stopped after its checkpoint at 3: an incomplete run folder to resume. */
    private Path stoppedRun(Path file) {
        AtomicBoolean stop = new AtomicBoolean();
        RunResult stopped = Pipelines.of(host).run(file, options().cancelWhen(stop::get).parallelism(1)
                .listener(e -> {
                    if (e instanceof PipelineEvent.CheckpointSaved c && c.position() == 3) {
                        stop.set(true);
                    }
                }).build());
        assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);
        return stopped.runDirectory();
    }

    private static long lines(Path events, String type) throws IOException {
        return Files.readAllLines(events).stream().filter(l -> l.contains("\"" + type + "\"")).count();
    }

    @Test
    void aSecondResumeOfAFolderBeingResumedFailsAtOnceAndWritesNothing() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, PIPELINE);
        Path run = stoppedRun(file);
        Path events = run.resolve("events.jsonl");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<RunResult> first = CompletableFuture.supplyAsync(() -> Pipelines.of(host).run(file,
                options().resume(run).listener(e -> {
                    if (e instanceof PipelineEvent.RunStarted) {
                        started.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build()));
        try {
            assertThat(started.await(30, TimeUnit.SECONDS)).as("the first resume started").isTrue();
            String eventsBefore = Files.readString(events);
            String runJsonBefore = Files.readString(run.resolve("run.json"));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Pipelines.of(host).run(file, options().resume(run).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(run.toString()).hasMessageContaining("is in use")
                    .hasMessageContaining("--resume by process " + ProcessHandle.current().pid())
                    .hasMessageContaining("in this JVM").hasMessageContaining("wait for that run to end")
                    .hasMessageContaining("Nothing was written");
            assertThat((System.nanoTime() - t0) / 1e9).as("seconds to refuse").isLessThan(5);
            assertThat(Files.readString(events)).isEqualTo(eventsBefore);
            assertThat(Files.readString(run.resolve("run.json"))).isEqualTo(runJsonBefore);
            // a new run into the same output root is not affected: it gets a folder of its own
            assertThat(Pipelines.of(host).run(file, options().build()).succeeded()).isTrue();
        } finally {
            release.countDown();
        }
        RunResult done = first.get(60, TimeUnit.SECONDS);
        assertThat(done.succeeded()).as(done.failure().orElse("")).isTrue();
        assertThat(lines(events, "run-resume")).isEqualTo(1);
        assertThat(lines(events, "run-end")).isEqualTo(2); // the stopped run's end and the resume's
        // once released, the folder can be locked again: a resume now finds the run complete
        assertThatThrownBy(() -> Pipelines.of(host).run(file, options().resume(run).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already finished");
    }

    @Test
    void aFolderLockedByAnotherProcessIsRefusedNamingThatProcess() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, PIPELINE);
        Path run = stoppedRun(file);
        Path lockFile = run.resolve(".lock");
        assertThat(lockFile).as("the run held the lock file").exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path classes = Path.of(LockHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process holder = new ProcessBuilder(List.of(java.toString(), "-cp", classes.toString(),
                LockHolder.class.getName(), lockFile.toString())).start();
        try {
            String line = new String(holder.getInputStream().readNBytes(7), StandardCharsets.UTF_8);
            assertThat(line).isEqualTo("locked\n");
            String eventsBefore = Files.readString(run.resolve("events.jsonl"));
            assertThatThrownBy(() -> Pipelines.of(host).run(file, options().resume(run).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is in use")
                    .hasMessageContaining("test holder " + holder.pid());
            assertThat(Files.readString(run.resolve("events.jsonl"))).isEqualTo(eventsBefore);
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // the holder has exited, so its lock is gone: the resume proceeds
        RunResult resumed = Pipelines.of(host).run(file, options().resume(run).build());
        assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
    }

    /** Another process holding a run folder's lock: locks the file, says so, holds it until stdin closes. */
    public static final class LockHolder {
        public static void main(String[] args) throws IOException {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                    FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    System.exit(2);
                }
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.wrap(("test holder " + ProcessHandle.current().pid() + "\n")
                        .getBytes(StandardCharsets.UTF_8)));
                System.out.print("locked\n");
                System.out.flush();
                System.in.read();
            }
        }
    }
}
