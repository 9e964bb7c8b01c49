package io.tessera.training.pipeline;

import java.util.Map;
import org.apiguardian.api.API;

/**
 * The pipeline run's record of training epochs: each finished epoch's metrics go to {@code events.jsonl} (an
 * {@code epoch} event), {@code metrics.json} and the report's training curves. A pipeline engine offers it to a step
 * as {@code StepContext.service(EpochLog.class)}; {@link StepTraining} feeds it from the {@link
 * io.tessera.training.Trainer}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@FunctionalInterface
public interface EpochLog {

    /**
     * Records the metrics of one finished epoch.
     *
     * @param epoch   the epoch just finished, from 1
     * @param epochs  the number of epochs
     * @param metrics metric name to value ({@code train_loss}, {@code val_accuracy}, {@code lr})
     */
    void epochEnd(int epoch, int epochs, Map<String, Double> metrics);
}
