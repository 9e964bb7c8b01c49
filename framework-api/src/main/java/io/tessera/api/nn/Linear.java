package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * {@code y = x W^T + b}, PyTorch's {@code nn.Linear}: weight {@code [out, in]}, bias {@code [out]}. Initialised as in
 * PyTorch: weight {@code kaiming_uniform(a=sqrt(5))} (uniform in {@code ±1/sqrt(in)}), bias uniform in
 * {@code ±1/sqrt(in)}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    /** A linear layer with bias, initialised from {@code gen}. */
    public Linear(TensorBackend backend, int inFeatures, int outFeatures, Generator gen) {
        this(backend, inFeatures, outFeatures, true, gen);
    }

    /** A linear layer with bias and an unseeded initialisation. */
    public Linear(TensorBackend backend, int inFeatures, int outFeatures) {
        this(backend, inFeatures, outFeatures, true, Init.unseeded());
    }

    /** A linear layer, with or without bias, initialised from {@code gen}. */
    public Linear(TensorBackend backend, int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: features must be >= 1, got in=" + inFeatures + ", out="
                    + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        long[] shape = {outFeatures, inFeatures};
        this.weight = registerParameter("weight", Init.defaultWeight(backend, shape, gen));
        this.bias = registerParameter("bias", bias ? Init.defaultBias(backend, outFeatures, inFeatures, gen) : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() < 1 || input.size(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + ", " + outFeatures + "): input shape "
                    + input.shape() + " must end in " + inFeatures);
        }
        return Functional.linear(input, weight, bias);
    }

    /** The weight {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** Input features. */
    public int inFeatures() {
        return inFeatures;
    }

    /** Output features. */
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null);
    }
}
