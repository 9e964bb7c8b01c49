package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Init;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * A linear layer {@code y = x Wᵀ + b} in the nn.Linear layout ({@code weight (out, in)}, {@code bias (out)}) whose
 * parameters have a chosen dtype, so that the spec's float64 goldens and gradient checks run in float64; initialised
 * as PyTorch does ({@code U(−1/√in, 1/√in)}).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Dense extends Module {
    private final int in;
    private final int out;

    public Dense(TensorBackend backend, int in, int out, DType dtype, Generator gen) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Dense: features must be >= 1, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        try (TensorScope s = Tensors.scope()) {
            registerParameter("weight", s.keep(Init.defaultWeight(backend, new long[] {out, in}, gen).to(dtype)));
            registerParameter("bias", s.keep(Init.defaultBias(backend, out, in, gen).to(dtype)));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.size(-1) != in) {
            throw new IllegalArgumentException("Dense(" + in + " -> " + out + "): input shape " + x.shape()
                    + " must end in " + in);
        }
        return Functional.linear(x, weight(), bias());
    }

    /** {@code x W[:, :k]ᵀ + b}: the official "super linear" that uses the first {@code k} input columns. */
    public Tensor forwardFirstColumns(Tensor x, int k) {
        if (k == in) {
            return forward(x);
        }
        if (k < 1 || k > in || x.size(-1) != k) {
            throw new IllegalArgumentException("Dense(" + in + " -> " + out + "): cannot use the first " + k
                    + " input columns for an input of shape " + x.shape() + "; at most " + in + " columns exist");
        }
        try (TensorScope s = Tensors.scope()) {
            return s.keep(Functional.linear(x, weight().narrow(1, 0, k), bias()));
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
