package io.tessera.training;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * A metric a {@link Trainer} sums over the batches of an epoch and divides by the number of examples:
 * {@code train_<name>} after each epoch and {@code val_<name>} on the validation set. It is computed without
 * gradients from the model's output.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface BatchMetric {

    /** The metric's name, e.g. {@code accuracy}. */
    String name();

    /** The metric summed over the examples of one batch (e.g. the number of correct predictions). */
    double sum(Tensor output, Tensor target);

    /** Top-1 accuracy of logits {@code [N, C]} against int64 class indices {@code [N]}. */
    static BatchMetric accuracy() {
        return new BatchMetric() {
            @Override
            public String name() {
                return "accuracy";
            }

            @Override
            public double sum(Tensor output, Tensor target) {
                long[] predicted = output.argmax(1, false).toLongArray();
                long[] labels = target.toLongArray();
                long correct = 0;
                for (int i = 0; i < labels.length; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
                return correct;
            }
        };
    }
}
