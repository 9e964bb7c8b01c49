package io.tessera.api.nn;

import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Base of every layer and model, after PyTorch's {@code nn.Module}: it owns named parameters (trainable leaf tensors),
 * named buffers (state such as batch-norm running statistics) and named child modules, and derives from them the
 * dotted names of its state dict ({@code conv1.weight}, {@code bn.running_mean}), so PyTorch checkpoints load by
 * name.
 *
 * <p>A subclass registers everything in its constructor, in the order PyTorch would:
 *
 * <pre>{@code
 * final class Net extends Module {
 *     private final Conv2d conv1;
 *     private final Linear fc;
 *     Net(TensorBackend b, Generator g) {
 *         conv1 = registerModule("conv1", new Conv2d(b, 1, 8, 3, g));
 *         fc = registerModule("fc", new Linear(b, 8 * 26 * 26, 10, g));
 *     }
 *     public Tensor forward(Tensor x) {
 *         return fc.forward(conv1.forward(x).relu().flatten(1));
 *     }
 * }
 * }</pre>
 *
 * <p>Parameters and buffers live as long as the module, wherever it is built: registering takes them out of the
 * current {@link TensorScope} (so a model may be built inside a training step's scope), and {@link #close()} frees
 * them. A subclass that keeps other long-lived tensors creates them with {@link Tensors#unscoped} and closes them in
 * its own {@code close()}. The state-dict order is PyTorch's: a module's own
 * parameters, then its buffers, then each child's entries.
 */
@API(status = API.Status.STABLE, since = "1.0")
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> transientBuffers = new HashSet<>();
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output for one input. */
    public abstract Tensor forward(Tensor input);

    // ------------------------------------------------------------------------------------------- registration

    /**
     * Registers a parameter: the tensor becomes a leaf that requires grad and belongs to this module, which closes it
     * (it leaves the scope it was created in, see {@link Tensors#disown}). A null value records an absent parameter
     * (PyTorch's {@code bias=None}): it appears nowhere, as in PyTorch.
     *
     * @return {@code value}
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value != null) {
            value.requiresGrad(true);
            Tensors.disown(value);
        }
        parameters.put(name, value);
        return value;
    }

    /** Registers a persistent buffer (part of the state dict); see {@link #registerBuffer(String, Tensor, boolean)}. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        return registerBuffer(name, value, true);
    }

    /**
     * Registers a buffer: state that is not trained but belongs to the module (running statistics, masks), which
     * closes it (it leaves the scope it was created in, see {@link Tensors#disown}). Non-persistent buffers are left
     * out of the state dict.
     *
     * @return {@code value}
     */
    protected final Tensor registerBuffer(String name, Tensor value, boolean persistent) {
        checkName(name);
        if (value != null) {
            Tensors.disown(value);
        }
        buffers.put(name, value);
        if (!persistent) {
            transientBuffers.add(name);
        }
        return value;
    }

    /** Registers a child module; its entries appear under {@code name.}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        modules.put(name, Objects.requireNonNull(module, "module"));
        return module;
    }

    /** Replaces the value of a registered buffer, closing the old tensor; the module takes the new one. */
    protected final void replaceBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        if (value != null) {
            Tensors.disown(value);
        }
        Tensor old = buffers.get(name);
        buffers.put(name, value);
        if (old != null && old != value) {
            old.close();
        }
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a parameter, buffer or module name must be non-empty and without '.',"
                    + " got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || modules.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has an entry named '" + name
                    + "'");
        }
    }

    // ------------------------------------------------------------------------------------------------ access

    /** The parameter {@code name} of this module (not of children), or null when registered as absent. */
    protected final Tensor parameter(String name) {
        return parameters.get(name);
    }

    /** The buffer {@code name} of this module. */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Every parameter of this module and its descendants, by dotted name, in state-dict order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false, false);
        return Collections.unmodifiableMap(out);
    }

    /** Every parameter, in state-dict order (what an optimizer takes). */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer (persistent or not), by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true, true);
        return Collections.unmodifiableMap(out);
    }

    /**
     * The state dict: every parameter and persistent buffer by dotted name, in PyTorch's order. The tensors are the
     * module's own (not copies): do not close them.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true, false);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs,
            boolean includeTransient) {
        if (params) {
            parameters.forEach((n, t) -> {
                if (t != null) {
                    out.put(prefix + n, t);
                }
            });
        }
        if (bufs) {
            buffers.forEach((n, t) -> {
                if (t != null && (includeTransient || !transientBuffers.contains(n))) {
                    out.put(prefix + n, t);
                }
            });
        }
        modules.forEach((n, m) -> m.collect(prefix + n + ".", out, params, bufs, includeTransient));
    }

    /** The direct children, by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(modules);
    }

    /** Every descendant module by dotted name ({@code layer1.0.conv1}), parents before children; not this one. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        modules.forEach((n, m) -> {
            out.put(n, m);
            m.namedModules().forEach((cn, cm) -> out.put(n + "." + cn, cm));
        });
        return Collections.unmodifiableMap(out);
    }

    /** Total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.numel();
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------- modes

    /** Sets training mode on this module and every descendant (dropout active, batch norm uses batch statistics). */
    public Module train(boolean mode) {
        training = mode;
        modules.values().forEach(m -> m.train(mode));
        return this;
    }

    /** Training mode. */
    public Module train() {
        return train(true);
    }

    /** Evaluation mode. */
    public Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor p : namedParameters().values()) {
            p.zeroGrad();
        }
    }

    // --------------------------------------------------------------------------------------------- state dicts

    /**
     * Copies the values of {@code state} into this model's parameters and buffers, matched by dotted name. Values
     * are converted to the model's dtype and backend. Shape mismatches always fail; missing and unexpected keys fail
     * only when {@code strict}. Nothing is copied when it fails.
     *
     * @return what matched and what did not
     * @throws StateDictException listing every problem by name
     */
    public LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.shape().equals(e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.dims()) + ", model "
                        + Arrays.toString(e.getValue().dims()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (!mismatched.isEmpty() || (strict && !report.isComplete())) {
            throw new StateDictException(getClass().getSimpleName(), report, strict);
        }
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope scope = Tensors.scope()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src == null) {
                    continue;
                }
                Tensor dst = e.getValue();
                Tensor v = src.backend() == dst.backend() ? src : dst.backend().copyOf(src);
                if (v.dtype() != dst.dtype()) {
                    v = v.to(dst.dtype());
                }
                dst.copyFrom(v);
            }
        }
        return report;
    }

    /** Saves the state dict to a safetensors file (atomically), with optional string metadata. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        TensorWeights.save(file, stateDict(), metadata);
    }

    /** Saves the state dict to a safetensors file (atomically). */
    public void save(Path file) throws IOException {
        save(file, Map.of());
    }

    /** Loads a safetensors file into this model (see {@link #loadStateDict}). */
    public LoadReport load(Path file, boolean strict) throws IOException {
        SafetensorsFile f = Safetensors.read(file);
        Tensor any = stateDict().values().stream().findFirst().orElse(null);
        if (any == null) {
            return loadStateDict(Map.of(), strict && !f.tensors().isEmpty());
        }
        try (TensorScope scope = Tensors.scope()) {
            Map<String, Tensor> state = TensorWeights.toTensors(any.backend(), f.tensors());
            return loadStateDict(state, strict);
        }
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /** Closes every parameter, gradient and buffer of this module and its descendants. */
    @Override
    public void close() {
        modules.values().forEach(Module::close);
        parameters.values().forEach(t -> {
            if (t != null) {
                t.close();
            }
        });
        buffers.values().forEach(t -> {
            if (t != null) {
                t.close();
            }
        });
    }

    /** One line for leaf modules ({@code Linear(in=784, out=10, bias=true)}); override {@link #extraRepr()}. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        String head = getClass().getSimpleName() + "(" + extraRepr();
        if (modules.isEmpty()) {
            return head + ")";
        }
        StringBuilder sb = new StringBuilder(head).append('\n');
        modules.forEach((n, m) -> sb.append("  (").append(n).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }
}
