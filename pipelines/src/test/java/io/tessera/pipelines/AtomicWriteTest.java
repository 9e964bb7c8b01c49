package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.pipelines.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-folder writes either happen completely or not at all. */
class AtomicWriteTest {

    @TempDir
    Path dir;

    private long temporaries() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX)).count();
        }
    }

    @Test
    void replacesAFileWholeAndLeavesNoTemporaryBehind() throws Exception {
        Path target = dir.resolve("metrics.json");
        AtomicFiles.writeString(target, "{\"a\": 1}");
        AtomicFiles.writeString(target, "{\"a\": 2}");
        assertThat(Files.readString(target)).isEqualTo("{\"a\": 2}");
        assertThat(temporaries()).isZero();
    }

    @Test
    void aFolderThatFailsHalfwayNeverAppearsAndTheOldOneStays() throws Exception {
        Path target = dir.resolve("ckpt-000000000004");
        AtomicFiles.writeDirectory(target, d -> Files.writeString(d.resolve("state.txt"), "old"));
        assertThatThrownBy(() -> AtomicFiles.writeDirectory(dir.resolve("ckpt-000000000008"), d -> {
            Files.writeString(d.resolve("model.safetensors"), "half");
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(dir.resolve("ckpt-000000000008")).doesNotExist();
        assertThat(Files.readString(target.resolve("state.txt"))).isEqualTo("old");
        assertThat(temporaries()).isZero();
    }

    @Test
    void checkpointsIgnoreWhatAKilledWriterLeftBehind() throws Exception {
        // A run killed while saving leaves a temporary folder; the latest checkpoint is still the complete one.
        Path runs = dir.resolve("runs");
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "name: k\nsteps:\n  count: { uses: test/count, with: { to: 3 } }\n");
        try (var host = TestSteps.host()) {
            RunResult first = Pipelines.of(host).run(file, RunOptions.builder().outputRoot(runs)
                    .set("steps.count.with.to=3").build());
            Path checkpoints = first.runDirectory().resolve("checkpoints/count");
            try (Stream<Path> s = Files.list(checkpoints)) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("ckpt-000000000002",
                        "ckpt-000000000003");
            }
            Files.createDirectories(checkpoints.resolve(AtomicFiles.TEMP_PREFIX + "ckpt-000000000009-dead"));
            Files.writeString(first.runDirectory().resolve("INCOMPLETE"), "simulated kill");
            RunResult resumed = Pipelines.of(host).run(file, RunOptions.builder().outputRoot(runs)
                    .resume(first.runDirectory()).set("steps.count.with.to=3").build());
            assertThat(resumed.succeeded()).isTrue();
            assertThat(resumed.metric("count", "total")).contains(6.0);
            assertThat(Files.readString(resumed.runDirectory().resolve("steps/count/computed.txt")))
                    .isEqualTo("0");
        }
    }
}
