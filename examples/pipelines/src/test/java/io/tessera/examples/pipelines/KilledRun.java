package io.tessera.examples.pipelines;

import io.tessera.host.TesseraHost;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import java.nio.file.Path;

/**
 * The child process of {@link KilledRunResumesTest}: runs a pipeline file into a runs folder and prints one line per
 * checkpoint, so the parent can kill it (SIGKILL) in the middle of training.
 */
public final class KilledRun {
    private KilledRun() {
    }

    /** {@code KilledRun FILE RUNS_DIR [--set x=y]...}. */
    public static void main(String[] args) {
        try (TesseraHost host = TestHosts.started()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(Path.of(args[1])).listener(e -> {
                if (e instanceof PipelineEvent.RunStarted s) {
                    System.out.println("RUN " + s.runDirectory());
                } else if (e instanceof PipelineEvent.CheckpointSaved c) {
                    System.out.println("CHECKPOINT " + c.position());
                }
                System.out.flush();
            });
            for (int i = 2; i + 1 < args.length; i += 2) {
                options.set(args[i + 1]);
            }
            Pipelines.of(host).run(Path.of(args[0]), options.build());
        }
    }
}
