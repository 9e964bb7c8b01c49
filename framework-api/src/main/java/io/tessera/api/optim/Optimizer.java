package io.tessera.api.optim;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Base of the optimizers: a list of parameters (leaf tensors that require grad), a learning rate that schedules may
 * change, and per-parameter state tensors allocated up front. {@link #step()} updates every parameter that has a
 * gradient, in place and without recording gradients; {@link #zeroGrad()} clears the gradients.
 *
 * <p>An optimizer owns its state tensors, which belong to no {@link TensorScope} (it may be built inside one), and
 * frees them on {@link #close()}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public abstract class Optimizer implements AutoCloseable {
    private final List<Tensor> params;
    private final List<Tensor> state = new ArrayList<>();
    private double learningRate;
    private long steps;

    protected Optimizer(List<Tensor> params, double learningRate) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (!p.requiresGrad() || !p.isLeaf()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i + " " + p
                        + " is not a leaf that requires grad");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i
                        + " appears more than once");
            }
        }
        this.params = List.copyOf(params);
        setLearningRate(learningRate);
    }

    /** The parameters, in the order given. */
    public List<Tensor> parameters() {
        return params;
    }

    /** The current learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate (schedules call this). */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be >= 0 and finite,"
                    + " got " + lr);
        }
        this.learningRate = lr;
    }

    /** Number of {@link #step()} calls so far. */
    public long steps() {
        return steps;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                try (TensorScope scope = Tensors.scope()) {
                    update(i, p, g);
                }
            }
        }
    }

    /**
     * Updates parameter {@code index} in place from its gradient. Runs without gradient recording, inside a scope
     * that closes every temporary tensor.
     */
    protected abstract void update(int index, Tensor param, Tensor grad);

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /**
     * A zero tensor shaped like {@code param} that this optimizer owns and closes; it belongs to no scope, so an
     * optimizer built inside a scope keeps its state.
     */
    protected final Tensor newState(Tensor param) {
        Tensor t = Tensors.unscoped(() -> param.backend().zeros(param.shape(), param.dtype()));
        state.add(t);
        return t;
    }

    /**
     * The optimizer's state for a checkpoint: its state tensors by name ({@code state.0}, {@code state.1}, ... in
     * creation order; these are the optimizer's own tensors, do not close them), its counters ({@code steps} plus
     * what a subclass keeps, such as Adam's per-parameter step counts) and the learning rate. {@link #loadState}
     * restores it into an optimizer built the same way over the same parameters, so that training resumed from a
     * checkpoint continues exactly as if it had not stopped.
     */
    public State state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < state.size(); i++) {
            tensors.put("state." + i, state.get(i));
        }
        Map<String, long[]> counters = new LinkedHashMap<>();
        counters.put("steps", new long[] {steps});
        saveCounters(counters);
        return new State(tensors, counters, learningRate);
    }

    /**
     * Restores a {@link #state()} (the tensors are copied, not kept).
     *
     * @throws IllegalArgumentException when it does not fit this optimizer (other tensors, shapes or counters),
     *                                  naming what differs; nothing is changed then
     */
    public void loadState(State saved) {
        Objects.requireNonNull(saved, "saved");
        String name = getClass().getSimpleName();
        if (saved.tensors().size() != state.size()) {
            throw new IllegalArgumentException(name + ": the saved state has " + saved.tensors().size()
                    + " tensors but this optimizer has " + state.size() + "; was it built with other options?");
        }
        for (int i = 0; i < state.size(); i++) {
            Tensor src = saved.tensors().get("state." + i);
            if (src == null || !src.shape().equals(state.get(i).shape())) {
                throw new IllegalArgumentException(name + ": saved state tensor state." + i + " is "
                        + (src == null ? "missing" : src.shape() + ", expected " + state.get(i).shape()));
            }
        }
        long[] savedSteps = saved.counters().get("steps");
        if (savedSteps == null || savedSteps.length != 1) {
            throw new IllegalArgumentException(name + ": the saved state has no 'steps' counter");
        }
        checkCounters(saved.counters());
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope scope = Tensors.scope()) {
            for (int i = 0; i < state.size(); i++) {
                Tensor dst = state.get(i);
                Tensor src = saved.tensors().get("state." + i);
                Tensor v = src.backend() == dst.backend() ? src : dst.backend().copyOf(src);
                dst.copyFrom(v.dtype() == dst.dtype() ? v : v.to(dst.dtype()));
            }
        }
        steps = savedSteps[0];
        loadCounters(saved.counters());
        setLearningRate(saved.learningRate());
    }

    /** Adds the subclass's counters (non-tensor state) to {@code out}; the base class keeps none besides steps. */
    protected void saveCounters(Map<String, long[]> out) {
    }

    /**
     * Checks that {@code counters} fit this optimizer before anything is restored.
     *
     * @throws IllegalArgumentException naming the counter that does not fit
     */
    protected void checkCounters(Map<String, long[]> counters) {
    }

    /** Restores the subclass's counters from {@code counters}, already checked by {@link #checkCounters}. */
    protected void loadCounters(Map<String, long[]> counters) {
    }

    /** Requires counter {@code key} of {@code length} values; for {@link #checkCounters}. */
    protected final void requireCounter(Map<String, long[]> counters, String key, int length) {
        long[] v = counters.get(key);
        if (v == null || v.length != length) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the saved state's counter '" + key
                    + "' is " + (v == null ? "missing" : v.length + " values long") + ", expected " + length
                    + " values");
        }
    }

    /**
     * A snapshot of an optimizer's state (see {@link #state()}).
     *
     * @param tensors      state tensors by name
     * @param counters     integer counters by name
     * @param learningRate the learning rate in force
     */
    public record State(Map<String, Tensor> tensors, Map<String, long[]> counters, double learningRate) {
        public State {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        }
    }

    /** Frees the optimizer's state tensors (not the parameters). */
    @Override
    public void close() {
        state.forEach(Tensor::close);
        state.clear();
    }

    static void checkNonNegative(String optimizer, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be >= 0 and finite, got " + v);
        }
    }

    static void checkBeta(String optimizer, String name, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be in [0, 1), got " + v);
        }
    }
}
