package io.tessera.training;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Range;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The settings of a training run, typed: what a {@link Trainer} takes, and the {@code training:} block that
 * training steps embed in their config record, so every step that trains has the same keys, defaults, checks and
 * documentation ({@code tessera describe core/train} lists them as {@code training.epochs}, ...):
 *
 * <pre>{@code
 * train:
 *   uses: core/train
 *   with:
 *     model: cnn-small
 *     training: { epochs: 3, batch_size: 64, optimizer: { type: adam, lr: 0.002 }, checkpoint_every: 100 }
 * }</pre>
 *
 * @param epochs          passes over the training set, at least 1
 * @param batchSize       examples per optimizer step, at least 1
 * @param optimizer       the optimizer and its learning rate, momentum and weight decay
 * @param schedule        the learning-rate schedule over epochs
 * @param checkpointEvery optimizer steps between checkpoints (besides the one at every epoch end); 0 checkpoints at
 *                        epoch ends only
 * @param shuffle         whether each epoch visits the examples in a new random order (from the seed and the epoch)
 * @param maxBatches      stop each epoch after this many batches (quick trials); 0 uses every batch
 * @param earlyStop       when to stop before the last epoch
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainingOptions(
        @Description("passes over the training set") @Range(min = 1, max = 100_000) int epochs,
        @Description("examples per optimizer step") @Range(min = 1, max = 65_536) int batchSize,
        @Description("the optimizer") OptimizerOptions optimizer,
        @Description("the learning-rate schedule over epochs") ScheduleOptions schedule,
        @Description("optimizer steps between checkpoints; 0 checkpoints at the end of each epoch only")
        @Range(min = 0) int checkpointEvery,
        @Description("visit the training examples in a new random order every epoch") boolean shuffle,
        @Description("stop each epoch after this many batches (quick trials); 0 uses every batch") @Range(min = 0)
        int maxBatches,
        @Description("stop when an epoch metric stops improving") EarlyStopOptions earlyStop) {

    public TrainingOptions {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(earlyStop, "earlyStop");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size must be >= 1, was " + batchSize);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpoint_every must be >= 0 (0: at epoch ends only), was "
                    + checkpointEvery);
        }
        if (maxBatches < 0) {
            throw new IllegalArgumentException("max_batches must be >= 0 (0: every batch), was " + maxBatches);
        }
        if (schedule.type() == ScheduleOptions.Type.WARMUP_COSINE && schedule.warmupEpochs() >= epochs) {
            throw new IllegalArgumentException("warmup_epochs (" + schedule.warmupEpochs() + ") must be below epochs ("
                    + epochs + ") for the warmup-cosine schedule");
        }
    }

    /**
     * The defaults of {@code core/train}: one epoch of batch 64, Adam with learning rate 1e-3, a constant rate,
     * checkpoints at epoch ends, shuffled, every batch, no early stop.
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(1, 64, OptimizerOptions.defaults(), ScheduleOptions.constant(), 0, true, 0,
                EarlyStopOptions.off());
    }

    /** These options with {@code epochs} epochs. */
    public TrainingOptions withEpochs(int epochs) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with batches of {@code batchSize}. */
    public TrainingOptions withBatchSize(int batchSize) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with {@code optimizer}. */
    public TrainingOptions withOptimizer(OptimizerOptions optimizer) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with {@code schedule}. */
    public TrainingOptions withSchedule(ScheduleOptions schedule) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with a checkpoint every {@code checkpointEvery} optimizer steps. */
    public TrainingOptions withCheckpointEvery(int checkpointEvery) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with shuffling on or off. */
    public TrainingOptions withShuffle(boolean shuffle) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with at most {@code maxBatches} batches an epoch (0: all). */
    public TrainingOptions withMaxBatches(int maxBatches) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }

    /** These options with {@code earlyStop}. */
    public TrainingOptions withEarlyStop(EarlyStopOptions earlyStop) {
        return new TrainingOptions(epochs, batchSize, optimizer, schedule, checkpointEvery, shuffle, maxBatches,
                earlyStop);
    }
}
