package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/** StarReLU, {@code s · relu(x)² + b} with learnable one-element {@code scale} (1.0) and {@code bias} (0.0). */
@API(status = API.Status.STABLE, since = "1.0")
public final class StarReLU extends Module {
    private final Tensor scale;
    private final Tensor bias;

    StarReLU(TensorBackend backend) {
        this.scale = registerParameter("scale", backend.ones(1));
        this.bias = registerParameter("bias", backend.zeros(1));
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.relu().square().mul(scale).add(bias);
    }
}
