package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The dataset-conditioning encoder, the official {@code MyMLPEncoder} (spec §4, docs/methods/d2nwg.md §4): per
 * dataset, features {@code (C, n, d)} are rearranged {@code c n d → d (n c)} (column {@code n_idx·C + c_idx}),
 * {@code dense1} (a "super linear" over the first {@code n·C} input columns of its weight) and LeakyReLU give
 * {@code (d, out)}, which is flattened d-major and mapped by {@code dense2} to the condition vector. It depends on
 * the class order (it is not permutation-invariant over classes, spec §9.10).
 * Parameters: {@code dense1 (out, maxSamples·maxClasses)}, {@code dense2 (cond, d·out)}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ConditionEncoder extends Module {
    private final int featureDim;
    private final int hiddenOut;
    private final Dense dense1;
    private final Dense dense2;

    /**
     * @param maxColumns {@code num_samples · num_classes}, the widest {@code n·C} the encoder takes
     * @param featureDim d, the feature size
     * @param hiddenOut  {@code out_dim} of dense1
     * @param condDim    the condition vector size
     */
    public ConditionEncoder(TensorBackend backend, int maxColumns, int featureDim, int hiddenOut, int condDim,
            DType dtype, Generator gen) {
        this.featureDim = featureDim;
        this.hiddenOut = hiddenOut;
        dense1 = registerModule("dense1", new Dense(backend, maxColumns, hiddenOut, dtype, gen));
        dense2 = registerModule("dense2", new Dense(backend, featureDim * hiddenOut, condDim, dtype, gen));
    }

    /** Encodes a batch of datasets {@code (B, C, n, d)} to condition vectors {@code (B, cond)}. */
    @Override
    public Tensor forward(Tensor feats) {
        if (feats.rank() != 4 || feats.size(3) != featureDim) {
            throw new IllegalArgumentException("condition encoder: features of shape " + feats.shape()
                    + " must be (B, classes, samples per class, " + featureDim + ")");
        }
        long b = feats.size(0);
        int cols = (int) (feats.size(1) * feats.size(2));
        try (TensorScope s = Tensors.scope()) {
            Tensor x = feats.permute(0, 3, 2, 1).reshape(b, featureDim, cols);
            Tensor h = dense1.forwardFirstColumns(x, cols).leakyRelu(0.01);
            return s.keep(dense2.forward(h.reshape(b, (long) featureDim * hiddenOut)));
        }
    }

    public Dense dense1() {
        return dense1;
    }

    public Dense dense2() {
        return dense2;
    }
}
