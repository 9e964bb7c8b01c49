package io.tessera.api.tensor;

import io.tessera.api.tensor.ops.Access;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/** Static entry points: memory scopes and ops over several tensors. Tensors themselves come from a backend. */
@API(status = API.Status.STABLE, since = "1.0")
public final class Tensors {
    private Tensors() {
    }

    /** Opens a scope that closes, when it closes, every tensor created inside it on this thread but kept ones. */
    public static TensorScope scope() {
        return TensorScope.open();
    }

    /**
     * Runs {@code body} in a fresh scope and keeps only the tensor it returns (with the graph intermediates its
     * backward pass needs, see {@link TensorScope}).
     */
    public static Tensor inScope(Supplier<Tensor> body) {
        try (TensorScope s = scope()) {
            return s.keep(body.get());
        }
    }

    /**
     * Runs {@code body} with scope ownership suspended: the tensors it creates belong to no scope, however many
     * scopes are open around the call, so they outlive them and whoever stores them closes them. This is how
     * long-lived state is made inside a scope (parameters, buffers, optimizer state, caches):
     *
     * <pre>{@code
     * try (TensorScope step = Tensors.scope()) {
     *     Tensor ema = Tensors.unscoped(() -> backend.zeros(n));   // survives the step; close it yourself
     * }
     * }</pre>
     *
     * Temporaries the body makes are not closed for it either; a scope opened inside the body works as usual (what
     * it keeps goes to the caller). Must be called on one thread (like scopes).
     */
    public static <T> T unscoped(Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        try (TensorScope suspended = TensorScope.openSuspended()) {
            return body.get();
        }
    }

    /**
     * Takes {@code t} out of the scope that owns it, so that no scope closes it any more: the caller, or the object
     * that stores it (a module's parameter, an optimizer's state), closes it. A tensor that records gradients takes
     * the graph intermediates that scope owns with it, as with {@link TensorScope#keep}. A tensor that a graph
     * result holds (see {@link TensorScope}) no longer closes with that result. A tensor that belongs to nobody is
     * returned unchanged. Returns {@code t}.
     */
    public static <T extends Tensor> T disown(T t) {
        Objects.requireNonNull(t, "disown: tensor is null");
        return Ownership.disown(t);
    }

    /** {@code cond ? a : b} elementwise; {@code cond} is bool; all three broadcast together. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        String op = "where";
        check(op, "cond", cond, a);
        check(op, "b", b, a);
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: argument 'cond' must be bool but is " + cond.describe());
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("where: dtype mismatch: argument 'a' is " + a.describe()
                    + ", argument 'b' is " + b.describe());
        }
        Shape out = Shape.broadcast(op, Shape.broadcast(op, cond.shape(), a.shape()), b.shape());
        TensorBackend be = a.backend();
        TensorStorage lc = cond.live(op, "cond");
        TensorStorage la = a.live(op, "a");
        TensorStorage lb = b.live(op, "b");
        Tensor r = Access.out(a, out, a.dtype(), () -> be.kernels.where(lc, la, lb));
        if (!r.shape().equals(out)) {
            throw new IllegalStateException("backend " + be.name() + " where returned " + r.shape() + ", expected "
                    + out);
        }
        Shape sa = a.shape();
        Shape sb = b.shape();
        return Autograd.record(op, r, new Tensor[] {a, b}, g -> {
            Tensor zero = be.zeros(Shape.SCALAR, g.dtype());
            return new Tensor[] {
                a.requiresGrad() ? where(cond, g, zero).sumTo(sa) : null,
                b.requiresGrad() ? where(cond, zero, g).sumTo(sb) : null};
        }, cond);
    }

    /** Concatenates along {@code axis}; all tensors share dtype, backend and every other dimension. */
    public static Tensor concat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = tensors.get(0);
        int ax = first.shape().axis(axis);
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            check("concat", "tensors[" + i + "]", t, first);
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("concat: dtype mismatch: tensors[0] is " + first.describe()
                        + ", tensors[" + i + "] is " + t.describe());
            }
            if (t.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: rank mismatch: tensors[0] is " + first.describe()
                        + ", tensors[" + i + "] is " + t.describe());
            }
            for (int d = 0; d < t.rank(); d++) {
                if (d != ax && t.shape().dim(d) != first.shape().dim(d)) {
                    throw new IllegalArgumentException("concat: along axis " + ax + " every other axis must match,"
                            + " but tensors[0] has shape " + first.shape() + " and tensors[" + i + "] has "
                            + t.shape());
                }
            }
            total += t.shape().dim(ax);
        }
        TensorBackend be = first.backend();
        Tensor r = Tensor.wrap(be, be.kernels.concat(Tensor.storages("concat", tensors), ax));
        long[] offsets = new long[tensors.size() + 1];
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i + 1] = offsets[i] + tensors.get(i).shape().dim(ax);
        }
        Tensor[] ins = tensors.toArray(new Tensor[0]);
        return Autograd.record("concat", r, ins, g -> {
            Tensor[] out = new Tensor[ins.length];
            for (int i = 0; i < ins.length; i++) {
                out[i] = ins[i].requiresGrad() ? g.slice(ax, offsets[i], offsets[i + 1], 1) : null;
            }
            return out;
        });
    }

    /** Stacks equally shaped tensors along a new axis. */
    public static Tensor stack(List<Tensor> tensors, int axis) {
        // Checked here in stack's own terms: the concat below would report unsqueezed shapes (issue 22).
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        Tensor first = tensors.get(0);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            check("stack", "tensors[" + i + "]", t, first);
            if (!t.shape().equals(first.shape()) || t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("stack: every tensor must have the same shape and dtype, but"
                        + " tensors[0] is " + first.describe() + " and tensors[" + i + "] is " + t.describe());
            }
        }
        int r = first.rank();
        if (axis < -(r + 1) || axis > r) {
            throw new IllegalArgumentException("stack: axis " + axis + " is out of range for stacking tensors of"
                    + " shape " + first.shape() + " (valid axes are " + -(r + 1) + ".." + r + ")");
        }
        try (TensorScope s = scope()) {
            List<Tensor> u = new ArrayList<>();
            for (Tensor t : tensors) {
                u.add(t.unsqueeze(axis));
            }
            return s.keep(concat(u, axis < 0 ? axis : axis));
        }
    }

    /** Splits along {@code axis} into pieces of the given sizes. */
    public static List<Tensor> split(Tensor t, int axis, long... sizes) {
        long sum = Arrays.stream(sizes).sum();
        if (sum != t.size(axis)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum
                    + " but axis " + axis + " of " + t.describe() + " has " + t.size(axis));
        }
        List<Tensor> out = new ArrayList<>();
        long off = 0;
        for (long s : sizes) {
            out.add(t.narrow(axis, off, s));
            off += s;
        }
        return out;
    }

    private static void check(String op, String arg, Tensor t, Tensor ref) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' is null");
        }
        if (t.backend() != ref.backend()) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + t.describe() + " is on backend "
                    + t.backend().name() + " (" + t.device() + ") but " + ref.describe() + " is on backend "
                    + ref.backend().name() + " (" + ref.device() + "); move it with backend.copyOf(t)");
        }
        t.live(op, arg);
    }
}
