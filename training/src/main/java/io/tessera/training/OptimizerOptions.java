package io.tessera.training;

import io.tessera.api.optim.Adam;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Range;
import io.tessera.api.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The optimizer of a training run and its settings; in a pipeline the {@code optimizer:} block of
 * {@code training:} ({@code optimizer: { type: sgd, lr: 0.05, momentum: 0.9 }}).
 *
 * @param type        the algorithm
 * @param lr          the base learning rate (a schedule scales it per epoch), finite and above 0
 * @param momentum    SGD momentum in [0, 1); the Adam variants use β = (0.9, 0.999) and ignore it
 * @param weightDecay weight decay, at least 0: L2 added to the gradient for {@code adam} and {@code sgd}, decoupled
 *                    for {@code adamw}
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record OptimizerOptions(
        @Description("the optimizer: adam, adamw or sgd") Type type,
        @Description("base learning rate") @Range(min = 0, minExclusive = true, max = 10) double lr,
        @Description("momentum of sgd") @Range(min = 0, max = 1, maxExclusive = true) double momentum,
        @Description("weight decay (L2 for adam and sgd, decoupled for adamw)") @Range(min = 0, max = 1)
        double weightDecay) {

    /** The optimization algorithms. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Type {
        /** Adam (Kingma and Ba), β = (0.9, 0.999), ε = 1e-8. */
        ADAM,
        /** AdamW: Adam with decoupled weight decay. */
        ADAMW,
        /** Stochastic gradient descent with optional (heavy-ball) momentum. */
        SGD
    }

    public OptimizerOptions {
        Objects.requireNonNull(type, "optimizer type");
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("lr must be a finite number above 0, was " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight_decay must be a finite number >= 0, was " + weightDecay);
        }
    }

    /** Adam with learning rate 1e-3, no weight decay: the default of {@code core/train}. */
    public static OptimizerOptions defaults() {
        return adam(1e-3);
    }

    /** Adam with learning rate {@code lr}. */
    public static OptimizerOptions adam(double lr) {
        return new OptimizerOptions(Type.ADAM, lr, 0.9, 0);
    }

    /** SGD with learning rate {@code lr} and {@code momentum}. */
    public static OptimizerOptions sgd(double lr, double momentum) {
        return new OptimizerOptions(Type.SGD, lr, momentum, 0);
    }

    /** These options with learning rate {@code lr}. */
    public OptimizerOptions withLr(double lr) {
        return new OptimizerOptions(type, lr, momentum, weightDecay);
    }

    /** These options with weight decay {@code weightDecay}. */
    public OptimizerOptions withWeightDecay(double weightDecay) {
        return new OptimizerOptions(type, lr, momentum, weightDecay);
    }

    /** A new optimizer of {@code parameters} with these settings. */
    public Optimizer create(List<Tensor> parameters) {
        return switch (type) {
            case ADAM -> new Adam(parameters, lr, 0.9, 0.999, 1e-8, weightDecay, false);
            case ADAMW -> new AdamW(parameters, lr, 0.9, 0.999, 1e-8, weightDecay, false);
            case SGD -> new Sgd(parameters, lr, momentum, 0, weightDecay, false);
        };
    }
}
