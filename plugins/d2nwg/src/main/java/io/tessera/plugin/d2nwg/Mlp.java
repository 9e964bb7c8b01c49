package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The zoo's target architecture: an MLP of {@link Dense} layers ({@code fc0, fc1, ...}) with ReLU between them. Its
 * state-dict order is {@code fc0.weight, fc0.bias, fc1.weight, ...}, so {@link WeightVectors#flatten} gives the spec
 * layout {@code concat_i(W_i.flatten(), b_i)} (spec §2).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Mlp extends Module {
    private final List<Dense> layers = new ArrayList<>();
    private final int[] widths;

    /** An MLP with layer widths {@code widths} (input first, classes last), initialised from {@code gen}. */
    public Mlp(TensorBackend backend, int[] widths, DType dtype, Generator gen) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got "
                    + java.util.Arrays.toString(widths));
        }
        this.widths = widths.clone();
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(registerModule("fc" + i, new Dense(backend, widths[i], widths[i + 1], dtype, gen)));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        try (TensorScope s = Tensors.scope()) {
            Tensor h = x;
            for (int i = 0; i < layers.size(); i++) {
                h = layers.get(i).forward(h);
                if (i + 1 < layers.size()) {
                    h = h.relu();
                }
            }
            return s.keep(h);
        }
    }

    /** The layer widths, input first. */
    public int[] widths() {
        return widths.clone();
    }

    /** The number of parameters for the widths, i.e. the unpadded weight-vector length. */
    public static int vectorLength(int[] widths) {
        int n = 0;
        for (int i = 0; i + 1 < widths.length; i++) {
            n += widths[i] * widths[i + 1] + widths[i + 1];
        }
        return n;
    }
}
