package io.tessera.training;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * What a training run measured.
 *
 * @param metrics      the last epoch's metrics without {@code lr} ({@code train_loss}, {@code train_accuracy},
 *                     {@code val_loss}, {@code val_accuracy}), {@code parameters}, and, when steps were taken,
 *                     {@code ms_per_step} (mean wall time of an optimizer step: forward, loss, backward, update) and
 *                     {@code images_per_s}; the last two depend on the machine and its load
 * @param history      every epoch's metrics, from epoch 1 (including the learning rate {@code lr})
 * @param steps        optimizer steps taken, over every epoch
 * @param msPerStep    the mean wall time of an optimizer step in milliseconds (NaN without any step)
 * @param stoppedEarly whether an early stop ended the run before its last epoch
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainingResult(Map<String, Double> metrics, List<Map<String, Double>> history, long steps,
                             double msPerStep, boolean stoppedEarly) {
    public TrainingResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        history = history.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
    }

    /** The metrics that do not depend on the machine: {@link #metrics()} without the step time and throughput. */
    public Map<String, Double> reproducibleMetrics() {
        Map<String, Double> out = new LinkedHashMap<>(metrics);
        out.remove("ms_per_step");
        out.remove("images_per_s");
        return Collections.unmodifiableMap(out);
    }
}
