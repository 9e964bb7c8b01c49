package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/** {@code max(x, 0)} elementwise, PyTorch's {@code nn.ReLU}; no parameters. */
@API(status = API.Status.STABLE, since = "1.0")
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
