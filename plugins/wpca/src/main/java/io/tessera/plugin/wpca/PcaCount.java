package io.tessera.plugin.wpca;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The number of principal components that explain more than a fraction {@code eta} of the variance of a matrix
 * {@code H [N, d]} (rows are samples, here tokens; columns are units), W-PCA's per-layer measure (spec §2 step 3,
 * {@code docs/methods/wpca.md} §2):
 *
 * <ol>
 *   <li>covariance {@code C = Hc^T Hc / (N - 1)} of the column-centred matrix, in double precision;</li>
 *   <li>its eigenvalues {@code λ1 ≥ … ≥ λd} (a double-precision symmetric solver, {@link SymmetricEigenvalues}),
 *       round-off negatives clamped to 0,
 *       {@code total = Σλ};</li>
 *   <li>the smallest {@code k} with {@code Σ_{i≤k} λi / total > eta}, the ratios accumulated one by one (the official
 *       {@code while accum <= eta} loop, so the inequality is strict).</li>
 * </ol>
 *
 * Edge rules (the official code is undefined there): {@code N == 1} or {@code total == 0} gives 1; {@code eta ≥ 1}
 * gives {@code d}; when rounding keeps every prefix at or below {@code eta}, {@code d}.
 *
 * <p>The columns are shifted by the first row before centring: the covariance is the same, and a constant column
 * becomes exactly zero, so constant activations give {@code total == 0} exactly rather than round-off noise.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PcaCount {
    /** The official threshold, hard-coded {@code (0.99,)} in the searched blocks. */
    public static final double DEFAULT_ETA = 0.99;

    private PcaCount() {
    }

    /** The count of a 2-D {@code [N, d]} tensor (any float dtype; computed in float64). */
    public static int count(Tensor h, double eta) {
        return countFromEigenvalues(eigenvaluesDescending(h), eta, h.rank() == 2 ? h.size(0) : 0);
    }

    /**
     * The covariance eigenvalues of {@code h [N, d]} in descending order, negatives clamped to 0 (all zeros when
     * {@code N == 1}).
     */
    public static double[] eigenvaluesDescending(Tensor h) {
        if (h.rank() != 2 || h.size(0) < 1 || h.size(1) < 1) {
            throw new IllegalArgumentException("PCA count: needs a matrix [N tokens, d units] with N, d >= 1, got "
                    + h.shape() + "; reshape [B, L, d] pre-activations to [B*L, d] first");
        }
        if (!h.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("PCA count: needs floating-point activations, got " + h.dtype());
        }
        long n = h.size(0);
        int d = (int) h.size(1);
        if (n == 1) {
            return new double[d]; // spec §2: C = 0 for a single row
        }
        double[] asc;
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = h.dtype() == DType.FLOAT64 ? h : h.to(DType.FLOAT64);
            Tensor shifted = x.sub(x.narrow(0, 0, 1));
            Tensor hc = shifted.sub(shifted.mean(0, true));
            Tensor cov = hc.transpose(0, 1).matmul(hc).div(n - 1);
            asc = SymmetricEigenvalues.ascending(cov.toDoubleArray(), d);
        }
        double[] desc = new double[d];
        for (int i = 0; i < d; i++) {
            desc[i] = Math.max(0.0, asc[d - 1 - i]);
        }
        return desc;
    }

    /**
     * The count from descending, non-negative eigenvalues (see the class comment); {@code rows} is {@code N} (a value
     * of 1 gives 1).
     */
    public static int countFromEigenvalues(double[] eigenvaluesDesc, double eta, long rows) {
        if (Double.isNaN(eta)) {
            throw new IllegalArgumentException("PCA count: eta is NaN");
        }
        int d = eigenvaluesDesc.length;
        double total = 0;
        for (double l : eigenvaluesDesc) {
            total += Math.max(0.0, l);
        }
        if (rows == 1 || total == 0 || d == 0) {
            return 1;
        }
        if (eta >= 1) {
            return d;
        }
        double accum = 0;
        for (int k = 0; k < d; k++) {
            accum += Math.max(0.0, eigenvaluesDesc[k]) / total;
            if (accum > eta) {
                return k + 1;
            }
        }
        return d;
    }

    /** The cumulative explained-variance ratios {@code Σ_{i≤k} λi / total}, accumulated one by one. */
    public static double[] cumulativeRatios(double[] eigenvaluesDesc) {
        double total = 0;
        for (double l : eigenvaluesDesc) {
            total += l;
        }
        double[] out = new double[eigenvaluesDesc.length];
        double accum = 0;
        for (int k = 0; k < out.length; k++) {
            accum += eigenvaluesDesc[k] / total;
            out[k] = accum;
        }
        return out;
    }
}
