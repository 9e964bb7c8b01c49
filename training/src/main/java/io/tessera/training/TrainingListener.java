package io.tessera.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Told by a {@link Trainer} what happens during training; the built-in ones checkpoint ({@link CheckpointListener}),
 * record metrics ({@link MetricsListener}), report progress ({@link ProgressListener}) and stop early
 * ({@link EarlyStopping}). Listeners run in the order they were added, on the training thread.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface TrainingListener {

    /**
     * A checkpoint folder the run should continue from (the newest one a checkpoint listener kept); the trainer asks
     * every listener before it starts and resumes from the first answer.
     */
    default Optional<Path> resumeFrom() {
        return Optional.empty();
    }

    /**
     * Training starts; on a resumed run {@link TrainingState#resumed()} is true and the state holds the history and
     * loss curve of the epochs before, so a listener can replay them.
     */
    default void onStart(TrainingState state) throws IOException {
    }

    /** One optimizer step finished with mean batch loss {@code loss}. */
    default void onBatchEnd(TrainingState state, double loss) throws IOException {
    }

    /**
     * Epoch {@link TrainingState#epoch()} finished (and the schedule stepped) with {@code metrics}
     * ({@code train_loss}, {@code train_accuracy}, {@code val_loss}, {@code val_accuracy}, {@code lr}).
     */
    default void onEpochEnd(TrainingState state, Map<String, Double> metrics) throws IOException {
    }

    /** Training finished (after the last epoch or an early stop). */
    default void onEnd(TrainingState state, TrainingResult result) throws IOException {
    }
}
