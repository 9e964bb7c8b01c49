package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/** Flattens axes {@code startDim..} into one, PyTorch's {@code nn.Flatten} (default {@code startDim = 1}). */
@API(status = API.Status.STABLE, since = "1.0")
public final class Flatten extends Module {
    private final int startDim;

    /** Keeps the batch axis and flattens the rest. */
    public Flatten() {
        this(1);
    }

    /** Flattens from {@code startDim} on. */
    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim;
    }
}
