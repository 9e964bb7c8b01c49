package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/** {@code 1 / (1 + exp(-x))} elementwise, PyTorch's {@code nn.Sigmoid}; no parameters. */
@API(status = API.Status.STABLE, since = "1.0")
public final class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
