package io.tessera.api.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The checkpoints of one step of one run, so that a long step can resume where a killed run stopped
 * ({@code tessera run FILE --resume RUN_DIR}). A checkpoint is a folder the step fills; it becomes visible only once
 * complete (written under a temporary name, then renamed), so a run killed while saving leaves the previous checkpoint
 * as the latest.
 *
 * <pre>{@code
 * Optional<Path> last = context.checkpoints().latest();      // on a resumed run: where to continue from
 * ...
 * context.checkpoints().save(globalStep, dir -> {
 *     model.save(dir.resolve("model.safetensors"));
 *     Files.writeString(dir.resolve("state.json"), "{\"epoch\": 3}");
 * });
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface Checkpoints {

    /** Fills a checkpoint folder. */
    @FunctionalInterface
    interface Writer {
        /** Writes the checkpoint's files into {@code folder}, which exists and is empty. */
        void write(Path folder) throws IOException;
    }

    /** The newest complete checkpoint folder of this step, if any. */
    Optional<Path> latest();

    /**
     * Saves a checkpoint labelled by a monotonically growing {@code position} (e.g. the optimizer step): {@code writer}
     * fills a temporary folder, which is then renamed into place. Older checkpoints beyond the few newest are removed.
     *
     * @return the checkpoint folder
     */
    Path save(long position, Writer writer) throws IOException;

    /** Checkpoints that keep nothing: {@link #latest()} is empty and {@link #save} writes into a temporary folder. */
    static Checkpoints none() {
        return new Checkpoints() {
            @Override
            public Optional<Path> latest() {
                return Optional.empty();
            }

            @Override
            public Path save(long position, Writer writer) throws IOException {
                Path folder = java.nio.file.Files.createTempDirectory("tessera-checkpoint-");
                writer.write(folder);
                return folder;
            }
        };
    }
}
