package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/** {@code tanh(x)} elementwise, PyTorch's {@code nn.Tanh}; no parameters. */
@API(status = API.Status.STABLE, since = "1.0")
public final class Tanh extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
