package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Holds modules in a list, PyTorch's {@code nn.ModuleList}: children are named {@code 0}, {@code 1}, ..., so the
 * state-dict names match PyTorch's ({@code layers.0.linear1.weight}). It has no forward pass of its own; the owner
 * decides how to call its elements.
 *
 * @param <M> the element type
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.1")
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    /** A list of the given modules. */
    public ModuleList(List<? extends M> modules) {
        modules.forEach(this::add);
    }

    /** An empty list. */
    public ModuleList() {
    }

    /** Appends a module (named by its position). */
    public ModuleList<M> add(M module) {
        registerModule(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    /** The module at {@code index}. */
    public M get(int index) {
        return items.get(index);
    }

    /** Number of modules. */
    public int size() {
        return items.size();
    }

    /** The modules, in order (read-only). */
    public List<M> asList() {
        return Collections.unmodifiableList(items);
    }

    /** A module list has no forward pass (as in PyTorch); call its elements. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward pass; iterate over its modules instead");
    }
}
