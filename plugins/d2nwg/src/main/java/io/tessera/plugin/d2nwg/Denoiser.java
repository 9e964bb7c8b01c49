package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The CPU-sized eps-prediction network (spec §7.3, standing in for the official UNet of §5): an MLP on
 * {@code [z_t ⊕ cond ⊕ temb(t)]} (the "concat" conditioning key: the condition is concatenated to the noisy latent)
 * with two SiLU hidden layers, predicting ε of the latent's size.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Denoiser extends Module {
    private final int latent;
    private final int condDim;
    private final int tembDim;
    private final Dense in;
    private final Dense mid;
    private final Dense out;

    public Denoiser(TensorBackend backend, int latent, int condDim, int tembDim, int hidden, DType dtype,
            Generator gen) {
        this.latent = latent;
        this.condDim = condDim;
        this.tembDim = tembDim;
        in = registerModule("in", new Dense(backend, latent + condDim + tembDim, hidden, dtype, gen));
        mid = registerModule("mid", new Dense(backend, hidden, hidden, dtype, gen));
        out = registerModule("out", new Dense(backend, hidden, latent, dtype, gen));
    }

    /** ε_θ(z_t, t, c) for latents {@code (B, Z)}, timesteps {@code t} and conditions {@code (B, cond)}. */
    public Tensor predict(Tensor zt, long[] t, Tensor cond) {
        if (zt.rank() != 2 || zt.size(1) != latent || cond.rank() != 2 || cond.size(1) != condDim
                || cond.size(0) != zt.size(0) || t.length != zt.size(0)) {
            throw new IllegalArgumentException("denoiser: latents " + zt.shape() + ", conditions " + cond.shape()
                    + " and " + t.length + " timesteps must be (B, " + latent + "), (B, " + condDim + ") and B");
        }
        try (TensorScope s = Tensors.scope()) {
            Tensor temb = TimeEmbedding.of(zt.backend(), t, tembDim, zt.dtype());
            return s.keep(forward(Tensors.concat(List.of(zt, cond, temb), 1)));
        }
    }

    /** The network on an already concatenated input {@code [z_t ⊕ cond ⊕ temb]}. */
    @Override
    public Tensor forward(Tensor x) {
        try (TensorScope s = Tensors.scope()) {
            return s.keep(out.forward(mid.forward(in.forward(x).silu()).silu()));
        }
    }

    public int latent() {
        return latent;
    }

    public int condDim() {
        return condDim;
    }

    public int tembDim() {
        return tembDim;
    }
}
