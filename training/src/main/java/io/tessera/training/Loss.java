package io.tessera.training;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * What a {@link Trainer} minimises: a scalar tensor from the model's output and the batch's target, differentiable
 * through autograd. The built-in losses are those of {@link Functional}, which the op goldens check on every backend
 * (the conformance suite), so training optimises exactly the function the goldens define.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@FunctionalInterface
public interface Loss {

    /**
     * The mean loss of one batch.
     *
     * @param output the model's output, e.g. logits {@code [N, C]}
     * @param target the batch's target, e.g. int64 class indices {@code [N]}
     * @return a scalar tensor
     */
    Tensor compute(Tensor output, Tensor target);

    /** Mean cross-entropy of logits {@code [N, C, ...]} and int64 class indices ({@link Functional#crossEntropy}). */
    static Loss crossEntropy() {
        return Functional::crossEntropy;
    }

    /**
     * Mean cross-entropy with label smoothing ({@link Functional#crossEntropy(Tensor, Tensor, double)}).
     *
     * @throws IllegalArgumentException when {@code labelSmoothing} is outside [0, 1]
     */
    static Loss crossEntropy(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], was " + labelSmoothing);
        }
        return (output, target) -> Functional.crossEntropy(output, target, labelSmoothing);
    }

    /** Mean squared error ({@link Functional#mseLoss}). */
    static Loss mse() {
        return Functional::mseLoss;
    }

    /** Mean absolute error ({@link Functional#l1Loss}). */
    static Loss l1() {
        return Functional::l1Loss;
    }

    /** Mean binary cross-entropy of logits and targets in [0, 1] ({@link Functional#bceWithLogits}). */
    static Loss bceWithLogits() {
        return Functional::bceWithLogits;
    }
}
