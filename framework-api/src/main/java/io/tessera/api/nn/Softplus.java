package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * Softplus, PyTorch's {@code nn.Softplus}: {@code ln(1 + exp(beta x)) / beta}, linear where {@code beta x > threshold}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Softplus extends Module {
    private final double beta;
    private final double threshold;

    /** PyTorch's defaults: beta 1, threshold 20. */
    public Softplus() {
        this(1, 20);
    }

    /** Softplus with explicit beta and threshold. */
    public Softplus(double beta, double threshold) {
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.softplus(beta, threshold);
    }

    @Override
    protected String extraRepr() {
        return "beta=" + beta + ", threshold=" + threshold;
    }
}
