package io.tessera.training;

import io.tessera.api.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/** Where a {@link Trainer} stands, as its {@link TrainingListener listeners} see it. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface TrainingState {

    /** One point of the per-step loss curve. */
    record LossPoint(long step, double loss) {
    }

    /** The model being trained. */
    Module model();

    /** The number of epochs the run is set to. */
    int epochs();

    /** Completed epochs: while an epoch runs, its 0-based index; in {@code onEpochEnd}, the epoch just finished. */
    int epoch();

    /** Batches done in the current epoch. */
    int batch();

    /** Batches an epoch has (after {@code max_batches}). */
    int batchesPerEpoch();

    /** Optimizer steps taken over the whole run. */
    long step();

    /** Examples seen in the current epoch. */
    long seen();

    /** Examples an epoch visits. */
    long examplesPerEpoch();

    /** The optimizer's current learning rate. */
    double learningRate();

    /** Every finished epoch's metrics, from epoch 1. */
    List<Map<String, Double>> history();

    /** The loss of every optimizer step so far. */
    List<LossPoint> lossCurve();

    /** Whether the run continued from a checkpoint. */
    boolean resumed();

    /**
     * Writes a checkpoint of the run into {@code folder}: the model's state dict ({@code model.safetensors}), the
     * optimizer's state ({@code optimizer.safetensors}) and the position, running sums, history and loss curve
     * ({@code progress.safetensors}); {@link Trainer} resumes from such a folder.
     */
    void save(Path folder) throws IOException;

    /** Asks the trainer to stop after the current epoch (early stopping); {@code reason} goes to the log. */
    void requestStop(String reason);

    /** Whether a listener asked to stop. */
    boolean stopRequested();
}
