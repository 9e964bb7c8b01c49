package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.apiguardian.api.API;

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final {@link LayerNorm}, PyTorch's
 * {@code nn.TransformerEncoder}; state-dict names {@code layers.<i>.*} and {@code norm.*}. PyTorch deep-copies one
 * layer; here a factory builds each layer (so each gets its own initialisation).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.1")
public final class TransformerEncoder extends Module {
    private final ModuleList<TransformerEncoderLayer> layers;
    private final LayerNorm norm;

    /** {@code numLayers} layers made by {@code layer} (called with 0, 1, ...), then {@code norm} (may be null). */
    public TransformerEncoder(IntFunction<TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: num_layers must be >= 1, got " + numLayers);
        }
        List<TransformerEncoderLayer> ls = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            ls.add(layer.apply(i));
        }
        this.layers = registerModule("layers", new ModuleList<>(ls));
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /** Runs every layer with the same optional masks (see {@link TransformerEncoderLayer#forward(Tensor, Tensor,
     * Tensor)}), then the norm. */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return Tensors.inScope(() -> {
            Tensor x = src;
            for (TransformerEncoderLayer l : layers.asList()) {
                x = l.forward(x, mask, srcKeyPaddingMask);
            }
            return norm == null ? x : norm.forward(x);
        });
    }

    /** The layers. */
    public ModuleList<TransformerEncoderLayer> layers() {
        return layers;
    }

    /** The final norm, or null. */
    public LayerNorm norm() {
        return norm;
    }
}
