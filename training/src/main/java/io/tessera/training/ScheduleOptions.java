package io.tessera.training;

import io.tessera.api.optim.LrScheduler;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Range;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The learning-rate schedule over epochs; in a pipeline the {@code schedule:} block of {@code training:}
 * ({@code schedule: { type: step, step_size: 2, gamma: 0.5 }}). The rate changes at epoch boundaries only.
 *
 * @param type         the shape of the schedule
 * @param stepSize     epochs between decays of {@code step}, at least 1
 * @param gamma        decay factor of {@code step}, in (0, 1]
 * @param warmupEpochs linear warm-up epochs of {@code warmup-cosine} (from 0.1 × lr), at least 0 and below the number
 *                     of epochs (checked by {@link TrainingOptions})
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ScheduleOptions(
        @Description("learning-rate schedule over epochs") Type type,
        @Description("epochs between decays of the step schedule") @Range(min = 1) int stepSize,
        @Description("decay factor of the step schedule") @Range(min = 0, minExclusive = true, max = 1) double gamma,
        @Description("warm-up epochs of the warmup-cosine schedule") @Range(min = 0) int warmupEpochs) {

    /** The schedule shapes. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Type {
        /** The base rate throughout. */
        CONSTANT,
        /** The rate times {@code gamma} every {@code stepSize} epochs. */
        STEP,
        /** Cosine annealing from the base rate to 0 over the run. */
        COSINE,
        /** Linear warm-up from 0.1 × the base rate over {@code warmupEpochs}, then cosine annealing to 0. */
        WARMUP_COSINE
    }

    public ScheduleOptions {
        Objects.requireNonNull(type, "schedule type");
        if (stepSize < 1) {
            throw new IllegalArgumentException("step_size must be >= 1, was " + stepSize);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1], was " + gamma);
        }
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("warmup_epochs must be >= 0, was " + warmupEpochs);
        }
    }

    /** A constant rate. */
    public static ScheduleOptions constant() {
        return new ScheduleOptions(Type.CONSTANT, 1, 0.1, 0);
    }

    /** The rate times {@code gamma} every {@code stepSize} epochs. */
    public static ScheduleOptions step(int stepSize, double gamma) {
        return new ScheduleOptions(Type.STEP, stepSize, gamma, 0);
    }

    /** Cosine annealing to 0. */
    public static ScheduleOptions cosine() {
        return new ScheduleOptions(Type.COSINE, 1, 0.1, 0);
    }

    /** Warm-up over {@code warmupEpochs}, then cosine annealing to 0. */
    public static ScheduleOptions warmupCosine(int warmupEpochs) {
        return new ScheduleOptions(Type.WARMUP_COSINE, 1, 0.1, warmupEpochs);
    }

    /** The scheduler of {@code optimizer} over {@code epochs} epochs, or null for a constant rate. */
    LrScheduler create(Optimizer optimizer, int epochs) {
        return switch (type) {
            case CONSTANT -> null;
            case STEP -> LrScheduler.stepLr(optimizer, stepSize, gamma);
            case COSINE -> LrScheduler.cosineAnnealing(optimizer, epochs, 0);
            case WARMUP_COSINE -> LrScheduler.warmupCosine(optimizer, warmupEpochs, epochs, 0.1, 0);
        };
    }
}
