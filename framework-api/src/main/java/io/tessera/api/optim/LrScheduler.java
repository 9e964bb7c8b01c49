package io.tessera.api.optim;

import java.util.function.LongToDoubleFunction;
import org.apiguardian.api.API;

/**
 * A learning-rate schedule: a function of the epoch (or step) counter applied to an optimizer, in the closed forms
 * of PyTorch's {@code lr_scheduler}. As there, creating a scheduler sets the rate for epoch 0 and each
 * {@link #step()} advances one epoch; call it after {@code optimizer.step()}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public abstract class LrScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private long epoch;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.learningRate();
    }

    /** Sets the rate of epoch 0; subclasses call it at the end of their constructor. */
    protected final void start() {
        optimizer.setLearningRate(rateAt(0));
    }

    /** The learning rate the optimizer had when the schedule was created. */
    public double baseLr() {
        return baseLr;
    }

    /** The learning rate of {@code epoch}. */
    public abstract double rateAt(long epoch);

    /** Advances one epoch and sets the optimizer's rate. */
    public void step() {
        epoch++;
        optimizer.setLearningRate(rateAt(epoch));
    }

    /** The current epoch (0 before the first {@link #step()}). */
    public long epoch() {
        return epoch;
    }

    /** The rate in force now. */
    public double currentLr() {
        return optimizer.learningRate();
    }

    /** PyTorch's {@code StepLR}: {@code base * gamma^floor(epoch / stepSize)}. */
    public static LrScheduler stepLr(Optimizer optimizer, long stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: step size must be >= 1, got " + stepSize);
        }
        return of(optimizer, (base, e) -> base * Math.pow(gamma, Math.floorDiv(e, stepSize)));
    }

    /**
     * PyTorch's {@code CosineAnnealingLR} (closed form):
     * {@code etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2}.
     */
    public static LrScheduler cosineAnnealing(Optimizer optimizer, long tMax, double etaMin) {
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be >= 1, got " + tMax);
        }
        return of(optimizer, (base, e) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2);
    }

    /**
     * PyTorch's {@code LinearLR}, the usual linear warm-up: the factor goes linearly from {@code startFactor} to
     * {@code endFactor} over {@code totalIters} epochs, then stays.
     */
    public static LrScheduler linear(Optimizer optimizer, double startFactor, double endFactor, long totalIters) {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: need 0 < start_factor <= 1, 0 <= end_factor <= 1 and"
                    + " total_iters >= 1, got " + startFactor + ", " + endFactor + ", " + totalIters);
        }
        return of(optimizer, (base, e) -> base * (startFactor
                + (endFactor - startFactor) * Math.min(e, totalIters) / (double) totalIters));
    }

    /**
     * Linear warm-up from {@code startFactor * base} to {@code base} over {@code warmup} epochs, then cosine
     * annealing to {@code etaMin} at epoch {@code total} (the common transformer schedule; PyTorch composes it from
     * {@code LinearLR} and {@code CosineAnnealingLR} with {@code SequentialLR}).
     */
    public static LrScheduler warmupCosine(Optimizer optimizer, long warmup, long total, double startFactor,
            double etaMin) {
        if (warmup < 0 || total <= warmup) {
            throw new IllegalArgumentException("warmupCosine: need 0 <= warmup < total, got warmup " + warmup
                    + ", total " + total);
        }
        return of(optimizer, (base, e) -> {
            if (e < warmup) {
                return base * (startFactor + (1 - startFactor) * e / (double) warmup);
            }
            long t = Math.min(e, total) - warmup;
            return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / (total - warmup))) / 2;
        });
    }

    /** PyTorch's {@code LambdaLR}: {@code base * factor(epoch)}. */
    public static LrScheduler lambda(Optimizer optimizer, LongToDoubleFunction factor) {
        return of(optimizer, (base, e) -> base * factor.applyAsDouble(e));
    }

    /** A rate as a function of the base rate and the epoch. */
    @FunctionalInterface
    public interface Rule {
        /** The rate at {@code epoch} for base rate {@code base}. */
        double rate(double base, long epoch);
    }

    /** A schedule from a rule. */
    public static LrScheduler of(Optimizer optimizer, Rule rule) {
        LrScheduler s = new LrScheduler(optimizer) {
            @Override
            public double rateAt(long epoch) {
                return rule.rate(baseLr(), epoch);
            }
        };
        s.start();
        return s;
    }
}
