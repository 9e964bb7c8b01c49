package io.tessera.plugin.dcd;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The student's score of a dual encoder (docs/methods/dcd.md, spec §5): {@code s[i, j] = scale · cos(img_i, txt_ij)},
 * each vector L2-normalised before the dot product. Differentiable in both embeddings; with
 * {@link #selected(Tensor, Tensor, HardNegatives.Selection, double)} only the selected candidates enter the score, so
 * the others get an exactly-zero gradient.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CosineScores {
    private CosineScores() {
    }

    /** {@code [B, C]} scores of images {@code [B, D]} against their candidate texts {@code [B, C, D]}. */
    public static Tensor pairs(Tensor img, Tensor txt, double scale) {
        if (img.rank() != 2 || txt.rank() != 3 || txt.size(0) != img.size(0) || txt.size(2) != img.size(1)) {
            throw new IllegalArgumentException("CosineScores: expected images [B, D] and texts [B, C, D], got "
                    + img.shape() + " and " + txt.shape());
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor u = normalise(img, 1).unsqueeze(1);    // [B, 1, D]
            Tensor v = normalise(txt, 2);                 // [B, C, D]
            return sc.keep(u.mul(v).sum(2, false).mul(scale));
        }
    }

    /**
     * {@code [B, K+1]} scores of images {@code [B, D]} against the selected candidates of their pools
     * {@code txt [B, N, D]}.
     */
    public static Tensor selected(Tensor img, Tensor txt, HardNegatives.Selection sel, double scale) {
        if (txt.rank() != 3 || txt.size(0) != sel.rows() || txt.size(1) != sel.pool()) {
            throw new IllegalArgumentException("CosineScores: texts " + txt.shape() + " do not match the selection's"
                    + " " + sel.rows() + " rows of " + sel.pool() + " candidates");
        }
        try (TensorScope sc = Tensors.scope()) {
            long d = txt.size(2);
            Tensor picked = txt.reshape(sel.rows() * (long) sel.pool(), d).indexSelect(0, sel.flatIndex(txt.backend()))
                    .reshape(sel.rows(), sel.width(), d);
            return sc.keep(pairs(img, picked, scale));
        }
    }

    /** Every image against every text: {@code [I, D] × [T, D] → [I, T]} (retrieval over a gallery). */
    public static Tensor matrix(Tensor img, Tensor txt, double scale) {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(normalise(img, 1).matmul(normalise(txt, 1).t()).mul(scale));
        }
    }

    static Tensor normalise(Tensor x, int axis) {
        return x.div(x.norm(new int[] {axis}, true).clampMin(1e-12));
    }
}
