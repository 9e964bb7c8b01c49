package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/** {@code x * sigmoid(x)} elementwise, PyTorch's {@code nn.SiLU}; no parameters. */
@API(status = API.Status.STABLE, since = "1.0")
public final class SiLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.silu();
    }
}
