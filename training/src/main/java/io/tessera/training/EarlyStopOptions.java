package io.tessera.training;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Range;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * When to stop before the last epoch; in a pipeline the {@code early_stop:} block of {@code training:}
 * ({@code early_stop: { metric: val_loss, patience: 2 }}). Off with {@code patience} 0.
 *
 * @param metric   the epoch metric watched, e.g. {@code val_loss}, {@code val_accuracy}, {@code train_loss}
 * @param goal     whether lower ({@code min}) or higher ({@code max}) values of the metric are better
 * @param patience epochs without improvement after which training stops; 0 never stops early
 * @param minDelta the smallest change that counts as an improvement, at least 0
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record EarlyStopOptions(
        @Description("the epoch metric to watch: val_loss, val_accuracy, train_loss, ...") String metric,
        @Description("whether lower (min) or higher (max) values are better") Goal goal,
        @Description("epochs without improvement before training stops; 0 never stops early") @Range(min = 0)
        int patience,
        @Description("the smallest change that counts as an improvement") @Range(min = 0) double minDelta) {

    /** Which direction of a metric is better. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Goal {
        /** Lower is better (losses). */
        MIN,
        /** Higher is better (accuracies). */
        MAX
    }

    public EarlyStopOptions {
        Objects.requireNonNull(metric, "early-stop metric");
        Objects.requireNonNull(goal, "early-stop goal");
        if (metric.isBlank()) {
            throw new IllegalArgumentException("the early-stop metric is empty; name an epoch metric such as val_loss");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0 (0: never stop early), was " + patience);
        }
        if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
            throw new IllegalArgumentException("min_delta must be a finite number >= 0, was " + minDelta);
        }
    }

    /** Never stop early. */
    public static EarlyStopOptions off() {
        return new EarlyStopOptions("val_loss", Goal.MIN, 0, 0);
    }

    /** Stop after {@code patience} epochs in which {@code metric} did not improve towards {@code goal}. */
    public static EarlyStopOptions on(String metric, Goal goal, int patience) {
        return new EarlyStopOptions(metric, goal, patience, 0);
    }

    /** Whether these options ever stop training. */
    public boolean enabled() {
        return patience > 0;
    }
}
