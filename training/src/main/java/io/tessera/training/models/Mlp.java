package io.tessera.training.models;

import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * A two-layer perceptron: flatten, linear {@code in→hidden}, ReLU, linear {@code hidden→classes}; parameter names
 * {@code fc1.weight}, ..., {@code fc2.bias}. The layers are drawn in order from the generator.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Mlp extends Module {
    private final Linear fc1;
    private final Linear fc2;

    /**
     * @param in      input features (e.g. channels × height × width of an image)
     * @param hidden  hidden width
     * @param classes outputs
     */
    public Mlp(TensorBackend b, Generator g, int in, int hidden, int classes) {
        fc1 = registerModule("fc1", new Linear(b, in, hidden, g));
        fc2 = registerModule("fc2", new Linear(b, hidden, classes, g));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fc2.forward(fc1.forward(x.flatten(1)).relu());
    }
}
