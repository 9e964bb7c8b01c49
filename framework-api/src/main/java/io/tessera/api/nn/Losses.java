package io.tessera.api.nn;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The options PyTorch's losses have beyond {@link Functional}'s mean losses: {@code reduction} ({@code NONE},
 * {@code SUM}), {@code ignore_index}, {@code pos_weight}, {@code log_target}, and the negative log-likelihood. The
 * losses themselves are {@link Functional}'s, which the op goldens check on every backend: with a {@code MEAN}
 * reduction and nothing ignored or weighted, each method here returns {@link Functional}'s result (after its own
 * checks); only the other options are computed here, as compositions of tensor ops that differentiate through
 * autograd. Training ({@code io.tessera.training.Loss}) uses {@link Functional} directly.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Losses {
    /** PyTorch's default {@code ignore_index}: no real class has it. */
    public static final long NO_IGNORE = -100;

    private Losses() {
    }

    /**
     * Cross-entropy as {@code F.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)}: per
     * counted sample {@code -(1-ls) logp[target] - ls/C sum_c logp[c]}; samples whose target is {@code ignoreIndex}
     * count for nothing, and {@code MEAN} divides by the number of counted samples (NaN when there are none, as in
     * PyTorch).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, double labelSmoothing, long ignoreIndex,
            Reduction reduction) {
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got "
                    + labelSmoothing);
        }
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException("crossEntropy: target must be int64 class indices, got "
                    + target.dtype() + target.shape());
        }
        Functional.checkClassTarget("crossEntropy", logits, target);
        long classes = logits.size(1);
        long ignored;
        try (TensorScope sc = Tensors.scope()) {
            Tensor counted = target.ne(ignoreIndex);
            long bad = (long) counted.and(target.lt(0).or(target.ge(classes))).to(DType.INT64).sum().item();
            if (bad > 0) {
                throw new IllegalArgumentException("crossEntropy: " + bad + " target(s) outside [0, " + classes
                        + ") and not equal to ignore_index " + ignoreIndex);
            }
            ignored = target.numel() - (long) counted.to(DType.INT64).sum().item();
        }
        if (reduction == Reduction.MEAN && ignored == 0) {
            return Functional.crossEntropy(logits, target, labelSmoothing);
        }
        return Composite.apply(() -> {
            Tensor valid = target.ne(ignoreIndex);
            Tensor safeTarget = Tensors.where(valid, target, logits.backend().zeros(Shape.SCALAR, DType.INT64));
            Tensor logp = logits.logSoftmax(1);
            Tensor loss = logp.gather(1, safeTarget.unsqueeze(1)).squeeze(1).mul(-(1 - labelSmoothing));
            if (labelSmoothing != 0) {
                loss = loss.sub(logp.sum(1, false).mul(labelSmoothing / classes));
            }
            Tensor mask = valid.to(logits.dtype());
            loss = loss.mul(mask);
            return switch (reduction) {
                case NONE -> loss;
                case SUM -> loss.sum();
                case MEAN -> meanOverCounted(loss, mask);
            };
        });
    }

    /**
     * Negative log-likelihood of log-probabilities {@code [N, C, ...]}, PyTorch's {@code F.nll_loss}, with
     * {@code ignore_index} and reduction as in {@link #crossEntropy(Tensor, Tensor, double, long, Reduction)}.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, long ignoreIndex, Reduction reduction) {
        Functional.checkClassTarget("nllLoss", logProbs, target);
        return Composite.apply(() -> {
            Tensor valid = target.ne(ignoreIndex);
            Tensor safeTarget = Tensors.where(valid, target, logProbs.backend().zeros(Shape.SCALAR, DType.INT64));
            Tensor mask = valid.to(logProbs.dtype());
            Tensor loss = logProbs.gather(1, safeTarget.unsqueeze(1)).squeeze(1).neg().mul(mask);
            return switch (reduction) {
                case NONE -> loss;
                case SUM -> loss.sum();
                case MEAN -> meanOverCounted(loss, mask);
            };
        });
    }

    /**
     * {@code sum(loss) / sum(mask)}: NaN when no sample counts, as in PyTorch, but with zero gradients then (PyTorch's
     * nll_loss backward) instead of {@code 0 * inf = NaN} from dividing by a zero count (issue 22).
     */
    private static Tensor meanOverCounted(Tensor loss, Tensor mask) {
        Tensor count = mask.sum();
        Tensor counted = count.gt(0);
        Tensor nan = loss.backend().full(Shape.SCALAR, loss.dtype(), Double.NaN);
        return Tensors.where(counted, loss.sum().div(count.clampMin(1)), nan);
    }

    /**
     * Binary cross-entropy with logits, {@code max(x,0) - x t + ln(1 + e^-|x|)} per element, optionally with
     * {@code posWeight} (broadcast over the last axis, or null) scaling the positive term as in PyTorch:
     * {@code (1 - t) x + (1 + (pw - 1) t) ln(1 + e^-x)}.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Tensor posWeight, Reduction reduction) {
        if (!logits.shape().equals(target.shape())) {
            throw new IllegalArgumentException("bceWithLogits: target " + target.shape() + " must have the logits'"
                    + " shape " + logits.shape());
        }
        if (posWeight == null && reduction == Reduction.MEAN) {
            return Functional.bceWithLogits(logits, target);
        }
        return Composite.apply(() -> {
            // ln(1 + e^-x) computed stably as softplus(-x).
            Tensor logSigNeg = logits.neg().softplus();
            Tensor loss;
            if (posWeight == null) {
                loss = logits.mul(target.rsub(1)).add(logSigNeg);
            } else {
                Tensor lw = posWeight.sub(1).mul(target).add(1);
                loss = logits.mul(target.rsub(1)).add(lw.mul(logSigNeg));
            }
            return reduce(loss, reduction);
        });
    }

    /** Squared error with a reduction. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mse", input, target);
        if (reduction == Reduction.MEAN) {
            return Functional.mseLoss(input, target);
        }
        return Composite.apply(() -> reduce(input.sub(target).square(), reduction));
    }

    /** Absolute error with a reduction. */
    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("l1", input, target);
        if (reduction == Reduction.MEAN) {
            return Functional.l1Loss(input, target);
        }
        return Composite.apply(() -> reduce(input.sub(target).abs(), reduction));
    }

    /**
     * KL divergence with an element reduction ({@code MEAN} averages over all elements, which PyTorch warns is not
     * the mathematical KL; use {@link Functional#klDiv(Tensor, Tensor)} for {@code batchmean}). With {@code logTarget} the
     * target holds log-probabilities.
     */
    public static Tensor klDiv(Tensor input, Tensor target, boolean logTarget, Reduction reduction) {
        checkSameShape("klDiv", input, target);
        return Composite.apply(() -> {
            Tensor pw;
            if (logTarget) {
                pw = target.exp().mul(target.sub(input));
            } else {
                Tensor pos = target.gt(0);
                Tensor safeLog = Tensors.where(pos, target, input.backend().ones(Shape.SCALAR, target.dtype())).log();
                pw = target.mul(safeLog.sub(input));
            }
            return reduce(pw, reduction);
        });
    }

    /** Applies a reduction to per-element values (the result is new; {@code NONE} returns a copy). */
    public static Tensor reduce(Tensor values, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> values.mean();
            case SUM -> values.sum();
            case NONE -> values.copy();
        };
    }

    private static void checkSameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": target " + b.shape() + " must have the input's shape "
                    + a.shape());
        }
    }
}
