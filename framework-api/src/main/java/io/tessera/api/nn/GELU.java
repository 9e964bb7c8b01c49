package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * GELU, PyTorch's {@code nn.GELU}: exact {@code x * Phi(x)} by default, or the tanh approximation
 * ({@code approximate='tanh'}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GELU extends Module {
    private final boolean tanhApproximation;

    /** Exact GELU. */
    public GELU() {
        this(false);
    }

    /** GELU, exact or tanh-approximated. */
    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.gelu(tanhApproximation);
    }

    @Override
    protected String extraRepr() {
        return "approximate='" + (tanhApproximation ? "tanh" : "none") + "'";
    }
}
