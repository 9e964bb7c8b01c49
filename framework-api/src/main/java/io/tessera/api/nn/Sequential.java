package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Applies modules in order, PyTorch's {@code nn.Sequential}. Children are named {@code 0}, {@code 1}, ..., so the
 * state-dict names match PyTorch's ({@code 0.weight}, {@code 3.bias}). The forward pass runs in its own scope:
 * without gradient recording the intermediate outputs close when it returns; with recording the result holds the
 * ones backward needs and they close with it.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** A sequence of the given modules. */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module (named by its position). */
    public Sequential add(Module module) {
        registerModule(Integer.toString(layers.size()), module);
        layers.add(module);
        return this;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        return layers.get(index);
    }

    /** Number of modules. */
    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        return Composite.apply(() -> {
            Tensor x = input;
            for (Module m : layers) {
                x = m.forward(x);
            }
            return x == input ? x.copy() : x;
        });
    }
}
