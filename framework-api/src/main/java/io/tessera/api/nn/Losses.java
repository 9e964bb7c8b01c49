package io.tessera.api.nn;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * Loss functions with PyTorch's semantics and options ({@code reduction}, {@code ignore_index},
 * {@code label_smoothing}). All are compositions of tensor ops and differentiate through autograd; {@code MEAN} losses match
 * {@code io.tessera.api.tensor.Functional}'s.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Losses {
    /** PyTorch's default {@code ignore_index}: no real class has it. */
    public static final long NO_IGNORE = -100;

    private Losses() {
    }

    /** Mean cross-entropy of logits {@code [N, C, ...]} and int64 class indices {@code [N, ...]}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, 0, NO_IGNORE, Reduction.MEAN);
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
        try (TensorScope sc = Tensors.scope()) {
            Tensor counted = target.ne(ignoreIndex);
            long bad = (long) counted.and(target.lt(0).or(target.ge(classes))).to(DType.INT64).sum().item();
            if (bad > 0) {
                throw new IllegalArgumentException("crossEntropy: " + bad + " target(s) outside [0, " + classes
                        + ") and not equal to ignore_index " + ignoreIndex);
            }
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

    /** Mean binary cross-entropy of logits and targets in [0, 1]. */
    public static Tensor bceWithLogits(Tensor logits, Tensor target) {
        return bceWithLogits(logits, target, null, Reduction.MEAN);
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

    /** Mean squared error. */
    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** Squared error with a reduction. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mse", input, target);
        return Composite.apply(() -> reduce(input.sub(target).square(), reduction));
    }

    /** Mean absolute error. */
    public static Tensor l1(Tensor input, Tensor target) {
        return l1(input, target, Reduction.MEAN);
    }

    /** Absolute error with a reduction. */
    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("l1", input, target);
        return Composite.apply(() -> reduce(input.sub(target).abs(), reduction));
    }

    /**
     * KL divergence {@code F.kl_div(input, target, reduction='batchmean')}: {@code input} log-probabilities,
     * {@code target} probabilities; {@code sum(t (ln t - input)) / N}.
     */
    public static Tensor klDiv(Tensor input, Tensor target) {
        if (input.rank() == 0) {
            return klDiv(input, target, false, Reduction.SUM);
        }
        long n = input.size(0);
        return Composite.apply(() -> klDiv(input, target, false, Reduction.SUM).div(n));
    }

    /**
     * KL divergence with an element reduction ({@code MEAN} averages over all elements, which PyTorch warns is not
     * the mathematical KL; use {@link #klDiv(Tensor, Tensor)} for {@code batchmean}). With {@code logTarget} the
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

    /** Cosine similarity along {@code axis} (removed), eps 1e-8 as in PyTorch. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int axis) {
        return cosineSimilarity(x1, x2, axis, 1e-8);
    }

    /** Cosine similarity along {@code axis} with an explicit eps. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int axis, double eps) {
        return Functional.cosineSimilarity(x1, x2, axis, eps);
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
