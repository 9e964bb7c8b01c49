package io.tessera.training;

import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Records a training run's measurements into a {@link MetricsSink}: every epoch's metrics, the {@code batch_loss}
 * curve, and at the end the last epoch's metrics (without {@code lr}) and {@code parameters} as metrics and the step
 * time and throughput as timings. On a resumed run it first replays the history and curve of the checkpoint, so the
 * sink sees what an uninterrupted run would have given it.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class MetricsListener implements TrainingListener {
    /** The curve of per-step losses. */
    public static final String BATCH_LOSS = "batch_loss";

    private final MetricsSink sink;

    public MetricsListener(MetricsSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void onStart(TrainingState state) {
        for (int i = 0; i < state.history().size(); i++) {
            sink.epoch(i + 1, state.epochs(), state.history().get(i));
        }
        for (TrainingState.LossPoint p : state.lossCurve()) {
            sink.point(BATCH_LOSS, p.step(), p.loss());
        }
    }

    @Override
    public void onBatchEnd(TrainingState state, double loss) {
        sink.point(BATCH_LOSS, state.step(), loss);
    }

    @Override
    public void onEpochEnd(TrainingState state, Map<String, Double> metrics) {
        sink.epoch(state.epoch(), state.epochs(), metrics);
    }

    @Override
    public void onEnd(TrainingState state, TrainingResult result) {
        result.reproducibleMetrics().forEach(sink::metric);
        result.metrics().forEach((k, v) -> {
            if (!result.reproducibleMetrics().containsKey(k)) {
                sink.timing(k, v);
            }
        });
    }
}
