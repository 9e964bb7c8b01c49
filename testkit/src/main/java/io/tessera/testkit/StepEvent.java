package io.tessera.testkit;

import java.util.Map;
import org.apiguardian.api.API;

/** What a step reported through its {@link io.tessera.api.pipeline.StepContext} while a {@link StepHarness} ran it. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public sealed interface StepEvent {

    /** {@code context.progress(done, total, message)}. */
    record Progress(long done, long total, String message) implements StepEvent {
    }

    /** {@code context.metric(name, value)}. */
    record Metric(String name, double value) implements StepEvent {
    }

    /** {@code context.timing(name, value)}. */
    record Timing(String name, double value) implements StepEvent {
    }

    /** An epoch recorded through the training module's {@code EpochLog} step service (the training loop's). */
    record EpochEnd(int epoch, int epochs, Map<String, Double> metrics) implements StepEvent {
        public EpochEnd {
            metrics = Map.copyOf(metrics);
        }
    }

    /** {@code context.series(series, x, value)}. */
    record SeriesPoint(String series, long x, double value) implements StepEvent {
    }

    /** A line the step logged through {@code context.logger()}. */
    record Log(System.Logger.Level level, String message) implements StepEvent {
    }
}
