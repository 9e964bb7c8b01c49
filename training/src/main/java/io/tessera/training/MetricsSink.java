package io.tessera.training;

import java.util.Map;
import org.apiguardian.api.API;

/**
 * Where a {@link MetricsListener} puts what a training run measures; a pipeline step's sink writes to the run's
 * {@code metrics.json}, {@code events.jsonl} and report ({@code io.tessera.training.pipeline.StepTraining}).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface MetricsSink {

    /** The metrics of a finished epoch (from 1), for training curves. */
    void epoch(int epoch, int epochs, Map<String, Double> metrics);

    /** One point of a curve, e.g. {@code batch_loss} at an optimizer step. */
    void point(String series, long x, double value);

    /** A final, reproducible metric ({@code val_accuracy}, {@code parameters}). */
    void metric(String name, double value);

    /** A measurement that depends on the machine ({@code ms_per_step}, {@code images_per_s}). */
    void timing(String name, double value);
}
