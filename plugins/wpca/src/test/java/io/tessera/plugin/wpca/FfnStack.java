package io.tessera.plugin.wpca;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden cases' network (spec §5): per layer {@code H = X W1^T + b1} (the pre-activation W-PCA measures) and
 * {@code X' = LayerNorm(X + GELU(H) W2^T + b2)}, eps 1e-12, no affine parameters; computed in float64.
 */
final class FfnStack {
    private FfnStack() {
    }

    /** The pre-activations {@code [B·L, d_l]} of every layer, or their GELU when {@code activated}. */
    static List<Tensor> preActivations(TensorBackend be, WpcaGolden g, boolean activated) {
        Tensor x = g.tensor(be, "X0");
        long hidden = x.size(-1);
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < g.layers(); l++) {
            Tensor w1 = g.tensor(be, "layer" + l + "_W1");
            Tensor b1 = g.tensor(be, "layer" + l + "_b1");
            Tensor w2 = g.tensor(be, "layer" + l + "_W2");
            Tensor b2 = g.tensor(be, "layer" + l + "_b2");
            Tensor h = Functional.linear(x, w1, b1);
            Tensor act = h.gelu();
            out.add((activated ? act : h).reshape(-1, w1.size(0)));
            x = Functional.layerNorm(x.add(Functional.linear(act, w2, b2)), new long[] {hidden}, null, null, 1e-12);
        }
        return out;
    }

    /** {@code n_extra_params + Σ_l (|W1| + |b1| + |W2| + |b2| + 2·hidden)} (spec §5). */
    static long params(WpcaGolden g) {
        long hidden = g.array("X0").shape()[2];
        long n = g.manifest().path("hyperparameters").path("n_extra_params").asLong();
        for (int l = 0; l < g.layers(); l++) {
            for (String p : new String[] {"_W1", "_b1", "_W2", "_b2"}) {
                n += g.array("layer" + l + p).size();
            }
            n += 2 * hidden;
        }
        return n;
    }
}
