package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The CLIP-style alignment loss of the official {@code clips} code (spec §4, docs/methods/d2nwg.md §4), exactly as
 * written there: {@code logits = W·Dᵀ/τ} on unnormalised embeddings,
 * {@code targets = softmax((D·Dᵀ + W·Wᵀ)/2 · τ)} (the code multiplies by τ), and
 * {@code L = mean_i [CE(logits_i, targets_i) + CE(logitsᵀ_i, targetsᵀ_i)]/2} with soft cross-entropy.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ClipLoss {
    private ClipLoss() {
    }

    /** The loss for weight embeddings {@code we (B, E)} and dataset embeddings {@code de (B, E)}. */
    public static Tensor loss(Tensor we, Tensor de, double tau) {
        if (we.rank() != 2 || !we.shape().equals(de.shape())) {
            throw new IllegalArgumentException("CLIP loss: weight embeddings " + we.shape() + " and dataset embeddings "
                    + de.shape() + " must both be (B, E)");
        }
        if (!(tau > 0)) {
            throw new IllegalArgumentException("CLIP loss: temperature must be > 0, got " + tau);
        }
        try (TensorScope s = Tensors.scope()) {
            Tensor logits = we.matmul(de.t()).div(tau);
            Tensor targets = de.matmul(de.t()).add(we.matmul(we.t())).div(2).mul(tau).softmax(-1);
            Tensor rows = softCe(logits, targets);
            Tensor cols = softCe(logits.t(), targets.t());
            return s.keep(rows.add(cols).div(2).mean());
        }
    }

    private static Tensor softCe(Tensor logits, Tensor targets) {
        return targets.mul(logits.logSoftmax(-1)).sum(1, false).neg();
    }
}
