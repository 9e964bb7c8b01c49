package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * Group normalisation, PyTorch's {@code nn.GroupNorm}: channels split into {@code numGroups} groups, each normalised
 * over its channels and spatial positions (biased variance); per-channel {@code weight} ones and {@code bias} zeros.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** PyTorch's defaults: eps 1e-5, affine. */
    public GroupNorm(TensorBackend backend, int numGroups, int numChannels) {
        this(backend, numGroups, numChannels, 1e-5, true);
    }

    /** A group norm with explicit eps and affine setting. */
    public GroupNorm(TensorBackend backend, int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups < 1 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels (" + numChannels
                    + ") must be divisible by num_groups (" + numGroups + ")");
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.weight = registerParameter("weight", affine ? backend.ones(numChannels) : null);
        this.bias = registerParameter("bias", affine ? backend.zeros(numChannels) : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() < 2 || input.size(1) != numChannels) {
            throw new IllegalArgumentException("GroupNorm(" + numGroups + ", " + numChannels + "): expected an input"
                    + " [N, " + numChannels + ", ...], got shape " + input.shape());
        }
        return Functional.groupNorm(input, numGroups, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null);
    }
}
