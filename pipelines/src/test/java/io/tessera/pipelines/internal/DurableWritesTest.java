package io.tessera.pipelines.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM is halted (as by SIGKILL: no finally blocks, no shutdown hooks) at each step of a folder replacement
 * and of appending lines; what it leaves must be the old content or the new, whole.
 */
class DurableWritesTest {

    @TempDir
    Path dir;

    private static final Map<String, String> OLD = Map.of("a.txt", "old a", "b.txt", "old b");
    private static final Map<String, String> NEW = Map.of("a.txt", "new a", "b.txt", "new b", "c.txt", "new c");

    /** The child: {@code dir TARGET} replaces TARGET with NEW; {@code lines FILE N} appends N lines and halts. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            if (args[0].equals("dir")) {
                boolean haltInFill = Boolean.getBoolean("child.haltInFill");
                AtomicFiles.writeDirectory(Path.of(args[1]), d -> {
                    for (Map.Entry<String, String> e : new TreeMap<>(NEW).entrySet()) {
                        Files.writeString(d.resolve(e.getKey()), e.getValue());
                        if (haltInFill) {
                            Runtime.getRuntime().halt(AtomicFiles.KILLED_EXIT);
                        }
                    }
                });
            } else {
                LineFiles lines = new LineFiles();
                int n = Integer.parseInt(args[2]);
                for (int i = 0; i < n; i++) {
                    lines.append(Path.of(args[1]), "line " + i);
                }
                // killed without close(): lines appended since the last force were never forced
                Runtime.getRuntime().halt(AtomicFiles.KILLED_EXIT);
            }
        }
    }

    private static int runChild(List<String> jvmOptions, String... args) throws Exception {
        String classPath = Stream.of(AtomicFiles.class, Child.class)
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct().collect(Collectors.joining(java.io.File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classPath));
        command.addAll(jvmOptions);
        command.add(Child.class.getName());
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(output).as("child output").doesNotContain("Exception");
        return child.exitValue();
    }

    private static Map<String, String> contents(Path folder) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return out;
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void aKillAtAnyStepOfAFolderReplacementLeavesTheOldOrTheNewFolderWhole() throws Exception {
        // step 0: during the fill; 1: filled and forced; 2: old renamed aside; 3: new renamed in; 4: deleting old
        for (int step = 0; step <= 5; step++) {
            Path target = dir.resolve("ckpt-" + step);
            AtomicFiles.writeDirectory(target, d -> {
                for (Map.Entry<String, String> e : OLD.entrySet()) {
                    Files.writeString(d.resolve(e.getKey()), e.getValue());
                }
            });
            List<String> options = step == 0 ? List.of("-Dchild.haltInFill=true")
                    : step == 5 ? List.of() : List.of("-Dtessera.atomicfiles.haltAt=" + step);
            int exit = runChild(options, "dir", target.toString());
            assertThat(exit).as("exit status at step %d", step).isEqualTo(step == 5 ? 0 : AtomicFiles.KILLED_EXIT);
            if (step == 2) {
                assertThat(target).as("between the renames the target is missing").doesNotExist();
            }

            boolean restored = AtomicFiles.recoverDirectory(target);
            assertThat(restored).as("old folder put back at step %d", step).isEqualTo(step == 2);
            assertThat(contents(target)).as("content after a kill at step %d", step)
                    .isEqualTo(new TreeMap<>(step <= 2 ? OLD : NEW));
            assertThat(leftovers()).as("left beside the target after step %d", step)
                    .allMatch(n -> n.startsWith(AtomicFiles.TEMP_PREFIX)).noneMatch(n -> n.startsWith(".old-"));
            for (String tmp : leftovers()) {
                AtomicFiles.deleteRecursively(dir.resolve(tmp));
            }
        }
    }

    @Test
    void checkpointsPutBackAFolderSetAsideByAKilledWriter() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        StepCheckpoints store = new StepCheckpoints(checkpoints, (position, path) -> { }, skipped -> { });
        store.save(4, d -> Files.writeString(d.resolve("state.txt"), "4"));
        Path target = checkpoints.resolve("ckpt-000000000004");
        assertThat(runChild(List.of("-Dtessera.atomicfiles.haltAt=2"), "dir", target.toString()))
                .isEqualTo(AtomicFiles.KILLED_EXIT);
        assertThat(target).doesNotExist();

        assertThat(store.latest()).contains(target);
        // the restored checkpoint is whole: its state and the checksum file it was saved with
        assertThat(contents(target)).containsOnlyKeys("state.txt", StepCheckpoints.MANIFEST)
                .containsEntry("state.txt", "4");
    }

    @Test
    void aKilledWriterKeepsEveryLineItAppended() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "before\n");
        assertThat(runChild(List.of(), "lines", file.toString(), "500")).isEqualTo(AtomicFiles.KILLED_EXIT);
        List<String> expected = new ArrayList<>(List.of("before"));
        IntStream.range(0, 500).mapToObj(i -> "line " + i).forEach(expected::add);
        assertThat(Files.readAllLines(file)).containsExactlyElementsOf(expected);
    }

    @Test
    void threadsAppendingToTheSameAndToDifferentFilesWriteWholeLines() throws Exception {
        Path shared = dir.resolve("run.log");
        List<Thread> threads = new ArrayList<>();
        try (LineFiles lines = new LineFiles()) {
            for (int t = 0; t < 4; t++) {
                int id = t;
                Path own = dir.resolve("step" + t + ".log");
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        try {
                            lines.append(own, "t" + id + " " + i);
                            lines.append(shared, "t" + id + " " + i + " " + "x".repeat(100));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        List<String> all = Files.readAllLines(shared);
        assertThat(all).hasSize(800).allMatch(l -> l.matches("t[0-3] \\d+ x{100}"));
        for (int t = 0; t < 4; t++) {
            int id = t;
            assertThat(Files.readAllLines(dir.resolve("step" + t + ".log")))
                    .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "t" + id + " " + i).toList());
            assertThat(all.stream().filter(l -> l.startsWith("t" + id + " ")).map(l -> l.split(" ")[1]).toList())
                    .as("thread %d's lines in order", t)
                    .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(Integer::toString).toList());
        }
    }
}
