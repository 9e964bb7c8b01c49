package io.tessera.plugin.dcd;

import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The dynamic distillation loss of DCD (docs/methods/dcd.md, spec §3 steps 5-10) on the score matrices of the
 * selected candidates: teacher {@code t [B, K+1]} (no gradient) and student {@code s [B, K+1]} (column 0 the
 * positive).
 *
 * <ul>
 *   <li>Teacher certainty, without gradient: {@code p_i = softmax(t_i)}, the negative entropy
 *       {@code h_i = Σ_j p_ij log p_ij} (computed as {@code Σ p · log_softmax(t)}, so {@code 0 · log 0 = 0} and
 *       teacher rows with huge gaps stay finite), {@code w_i = h_i / Σ_b h_b} (uniform {@code 1/B} when every row is
 *       one-hot) and {@code r = softmax_over_batch((1 − w)^2)}.</li>
 *   <li>KD term with temperature {@code T}: {@link Mode#OFFICIAL} is the released code,
 *       {@code T² · Σ_i r_i · mean_all(((t − s)/T)²)}, in which the weights cancel ({@code Σ r = 1}) so it equals
 *       {@code mean((t − s)²)}; {@link Mode#PER_SAMPLE} is the paper's evident intent,
 *       {@code T² · Σ_i r_i · mean_j(((t_ij − s_ij)/T)²)}.</li>
 *   <li>Hard-label term {@code ce = Σ_i w_i · mean_j BCEWithLogits(s_ij, y_j)}, {@code y = [1, 0, …, 0]}.</li>
 *   <li>Total {@code α·kd + (1 − α)·ce}; the official α is 0.2 and T is 1.</li>
 * </ul>
 * Only {@code s} carries a gradient; autograd differentiates the total through whatever produced {@code s}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class DcdLoss {
    /** The official KD weight (hard-coded in {@code objectives.py}). */
    public static final double OFFICIAL_ALPHA = 0.2;
    /** The official KD temperature. */
    public static final double OFFICIAL_T = 1.0;

    private DcdLoss() {
    }

    /** Which KD term. */
    public enum Mode {
        /** The released code: a scalar MSE over all entries, which the batch weights cannot change. */
        OFFICIAL,
        /** Each row's MSE weighted by {@code r_i}. */
        PER_SAMPLE
    }

    /**
     * Loss options.
     *
     * @param mode        the KD term
     * @param alpha       weight of the KD term in [0, 1]
     * @param temperature KD temperature, positive
     */
    public record Options(Mode mode, double alpha, double temperature) {
        public Options {
            Objects.requireNonNull(mode, "mode");
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("DCD alpha (KD weight) must be in [0, 1], got " + alpha);
            }
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("DCD temperature must be positive and finite, got "
                        + temperature);
            }
        }

        /** The official setting in the given mode: α 0.2, T 1. */
        public static Options of(Mode mode) {
            return new Options(mode, OFFICIAL_ALPHA, OFFICIAL_T);
        }
    }

    /**
     * The teacher-certainty weights, none with a gradient.
     *
     * @param probs      {@code p = softmax(t)} per row, {@code [B, K+1]}
     * @param negEntropy {@code h}, {@code [B]}, each ≤ 0
     * @param w          hard-label weights, {@code [B]}, ≥ 0, summing to 1
     * @param r          KD weights, {@code [B]}, > 0, summing to 1
     */
    public record Weights(Tensor probs, Tensor negEntropy, Tensor w, Tensor r) {
    }

    /**
     * The loss and its parts.
     *
     * @param kd      the KD term (scalar)
     * @param ce      the weighted hard-label term (scalar)
     * @param ceRows  each row's mean BCE, {@code [B]}
     * @param total   {@code α·kd + (1 − α)·ce} (scalar)
     * @param weights p, h, w and r
     */
    public record Terms(Tensor kd, Tensor ce, Tensor ceRows, Tensor total, Weights weights) {
    }

    /** p, h, w and r of the teacher scores {@code t [B, K+1]} (spec §3 step 5), without gradient. */
    public static Weights weights(Tensor teacher) {
        checkScores("teacher", teacher);
        TensorBackend be = teacher.backend();
        int rows = (int) teacher.size(0);
        try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            Tensor t = teacher.detach();
            Tensor logp = t.logSoftmax(1);
            Tensor p = logp.exp();
            Tensor h = p.mul(logp).sum(1, false);
            double[] hv = h.toDoubleArray();
            double total = 0;
            for (double v : hv) {
                total += v;
            }
            double[] w = new double[rows];
            for (int i = 0; i < rows; i++) {
                w[i] = total == 0 ? 1.0 / rows : hv[i] / total;
            }
            Tensor wt = be.tensor(w, rows).to(teacher.dtype());
            Tensor r = wt.rsub(1).square().softmax(0);
            return new Weights(sc.keep(p), sc.keep(h), sc.keep(wt), sc.keep(r));
        }
    }

    /** The DCD loss of student scores {@code s} against teacher targets {@code t}, both {@code [B, K+1]}. */
    public static Terms compute(Tensor teacher, Tensor student, Options o) {
        Objects.requireNonNull(o, "options");
        checkScores("teacher", teacher);
        checkScores("student", student);
        if (!teacher.shape().equals(student.shape())) {
            throw new IllegalArgumentException("DcdLoss: teacher " + teacher.shape() + " and student "
                    + student.shape() + " scores must have the same shape [B, K+1]");
        }
        if (teacher.dtype() != student.dtype()) {
            throw new IllegalArgumentException("DcdLoss: teacher scores are " + teacher.dtype() + " but student"
                    + " scores are " + student.dtype() + "; convert the teacher's with to(" + student.dtype() + ")");
        }
        Weights wts = weights(teacher);
        try (TensorScope sc = Tensors.scope()) {
            double temp = o.temperature();
            Tensor t = teacher.detach();
            Tensor sq = t.div(temp).sub(student.div(temp)).square(); // [B, K+1]
            Tensor kd;
            if (o.mode() == Mode.OFFICIAL) {
                kd = wts.r().sum().mul(sq.mean()).mul(temp * temp);
            } else {
                kd = wts.r().mul(sq.mean(1, false)).sum().mul(temp * temp);
            }
            Tensor y = Functional.oneHot(student.backend().tensor(new long[(int) student.size(0)],
                    student.size(0)), (int) student.size(1)).to(student.dtype());
            Tensor ceRows = Losses.bceWithLogits(student, y, null, Reduction.NONE).mean(1, false);
            Tensor ce = wts.w().mul(ceRows).sum();
            Tensor total = kd.mul(o.alpha()).add(ce.mul(1 - o.alpha()));
            return new Terms(sc.keep(kd), sc.keep(ce), sc.keep(ceRows), sc.keep(total), wts);
        }
    }

    /**
     * The loss without a teacher (spec §3 step 9, and the hard-label baseline): cross-entropy of each row of
     * {@code s [B, N]} with the positive in column 0, averaged over rows.
     */
    public static Tensor hardLabelLoss(Tensor student) {
        checkScores("student", student);
        try (TensorScope sc = Tensors.scope()) {
            Tensor target = student.backend().tensor(new long[(int) student.size(0)], student.size(0));
            return sc.keep(Functional.crossEntropy(student, target));
        }
    }

    private static void checkScores(String what, Tensor s) {
        Objects.requireNonNull(s, what);
        if (s.rank() != 2 || s.size(0) < 1 || s.size(1) < 2) {
            throw new IllegalArgumentException("DcdLoss: " + what + " scores must be [B, K+1] with B >= 1 and at"
                    + " least the positive and one negative, got " + s.shape());
        }
        if (s.dtype() != DType.FLOAT32 && s.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("DcdLoss: " + what + " scores must be float32 or float64, got "
                    + s.dtype());
        }
    }
}
