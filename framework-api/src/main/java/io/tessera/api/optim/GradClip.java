package io.tessera.api.optim;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.List;
import org.apiguardian.api.API;

/** Gradient clipping as PyTorch's {@code clip_grad_norm_} and {@code clip_grad_value_}; parameters without grad are skipped. */
@API(status = API.Status.STABLE, since = "1.0")
public final class GradClip {
    private GradClip() {
    }

    /**
     * Scales all gradients together so their joint L2 norm is at most {@code maxNorm}: with
     * {@code total = sqrt(sum of squared norms)}, every gradient is multiplied by
     * {@code min(1, maxNorm / (total + 1e-6))}.
     *
     * @return the total norm before clipping
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * As {@link #clipGradNorm(List, double)} with an {@code normType}-norm ({@code Double.POSITIVE_INFINITY} for the
     * largest absolute value).
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: max norm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: norm type must be > 0, got " + normType);
        }
        double total = 0;
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (Double.isInfinite(normType)) {
                    total = Math.max(total, g.abs().max().item());
                } else {
                    total += g.abs().pow(normType).sum().item();
                }
            }
            if (!Double.isInfinite(normType)) {
                total = Math.pow(total, 1 / normType);
            }
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Tensor p : params) {
                    Tensor g = p.grad();
                    if (g != null) {
                        g.mulInPlace(coef);
                    }
                }
            }
        }
        return total;
    }

    /** Clamps every gradient element into {@code [-clip, clip]}. */
    public static void clipGradValue(List<Tensor> params, double clip) {
        if (!(clip >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clip value must be >= 0, got " + clip);
        }
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    g.applyInPlace(ScalarOp.MIN, clip).applyInPlace(ScalarOp.MAX, -clip);
                }
            }
        }
    }
}
