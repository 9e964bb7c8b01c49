package io.tessera.api.tensor;

import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * An n-dimensional array in a backend's (off-heap or device) memory, with the autograd record of the op that made
 * it.
 *
 * <p><b>Values.</b> Every op returns a new tensor and leaves its inputs unchanged; the few in-place methods
 * ({@link #copyFrom}, {@link #fill}, {@link #addInPlace}, {@link #mulInPlace}, {@link #set}) say so in their name and
 * refuse tensors that take part in gradient recording. Binary ops broadcast with NumPy rules and require both
 * operands to share the dtype and backend; violations throw {@link IllegalArgumentException} naming the op, the
 * argument and the shapes. Axes may be negative (counted from the end).
 *
 * <p><b>Memory.</b> A tensor holds backend memory until {@link #close()}; a {@link TensorScope} closes the tensors
 * created inside it, a kept result closes the graph intermediates it holds, and {@link Tensors#unscoped} /
 * {@link Tensors#disown} make tensors that no scope closes. Using a closed tensor throws
 * {@link IllegalStateException}.
 *
 * <p><b>Gradients.</b> {@link #requiresGrad(boolean)} marks a leaf; ops on it record a graph;
 * {@link #backward()} fills {@link #grad()} of the leaves (see {@link Autograd}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Tensor implements AutoCloseable {
    private final TensorBackend backend;
    private final Shape shape;
    private final DType dtype;
    private final SharedStorage data;
    private boolean closed;

    boolean requiresGradFlag;
    Autograd.Node gradFn;
    Tensor grad;
    /** The scope that closes this tensor, or null when the caller, a module or a graph does. */
    TensorScope owner;
    /**
     * How many tensors hold this one as a graph intermediate (see {@link #attach}), plus one for an explicit
     * {@link Tensors#disown} of a held tensor. A held tensor belongs to no scope and closes when the last hold ends.
     */
    int holders;
    /** Graph intermediates this tensor holds (its backward pass reads them); each hold ends when this one closes. */
    private java.util.Set<Tensor> attached;

    /** Reference-counted storage so that {@link #detach()} shares memory without copying. */
    private static final class SharedStorage {
        final TensorStorage storage;
        int refs = 1;

        SharedStorage(TensorStorage storage) {
            this.storage = storage;
        }
    }

    private Tensor(TensorBackend backend, SharedStorage data) {
        this.backend = backend;
        this.data = data;
        this.shape = data.storage.shape();
        this.dtype = data.storage.dtype();
        TensorScope s = TensorScope.current();
        if (s != null) {
            s.adopt(this);
        }
    }

    /** Wraps a kernel result; it joins the current scope. */
    static Tensor wrap(TensorBackend backend, TensorStorage storage) {
        Objects.requireNonNull(storage, "backend " + backend.name() + " returned null storage");
        return new Tensor(backend, new SharedStorage(storage));
    }

    static Tensor create(TensorBackend backend, String op, Shape shape, DType dtype, int dataLength,
                         Function<Shape, TensorStorage> upload) {
        if (shape.size() != dataLength) {
            throw new IllegalArgumentException(op + ": " + dataLength + " values do not fill shape " + shape + " ("
                    + shape.size() + " elements)");
        }
        TensorStorage s = upload.apply(shape);
        if (s.dtype() != dtype) {
            throw new IllegalStateException("backend " + backend.name() + " uploaded " + dtype + " as " + s.dtype());
        }
        return wrap(backend, s);
    }

    // ------------------------------------------------------------------------------------------------- metadata

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** The dims, a copy. */
    public long[] dims() {
        return shape.dims();
    }

    /** Size of one axis. */
    public long size(int axis) {
        return shape.dim(axis);
    }

    /** Number of axes. */
    public int rank() {
        return shape.rank();
    }

    /** Number of elements. */
    public long numel() {
        return shape.size();
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The device of the memory. */
    public Device device() {
        return backend.device();
    }

    /** The backend whose kernels compute ops on this tensor. */
    public TensorBackend backend() {
        return backend;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /** {@code float32[2, 3] on cpu} style description. */
    String describe() {
        return dtype.name().toLowerCase() + shape + (closed ? " (closed)" : "") + " on " + backend.device();
    }

    @Override
    public String toString() {
        String g = gradFn != null ? ", grad_fn=" + gradFn.op() : requiresGradFlag ? ", requires_grad" : "";
        if (closed || numel() > 16) {
            return "Tensor(" + describe() + g + ")";
        }
        String v = switch (dtype) {
            case FLOAT32, FLOAT64 -> Arrays.toString(toDoubleArray());
            case INT64 -> Arrays.toString(toLongArray());
            case BOOL -> Arrays.toString(toBooleanArray());
        };
        return "Tensor(" + describe() + g + ", " + v + ")";
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Frees the memory (shared with {@link #detach()}ed views until the last one closes) and this leaf's grad. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (--data.refs == 0) {
            data.storage.close();
        }
        if (grad != null && gradFn == null) {
            grad.close();
            grad = null;
        }
        if (attached != null) {
            java.util.Set<Tensor> a = attached;
            attached = null;
            for (Tensor t : a) {
                t.letGo();
            }
        }
    }

    /**
     * Makes {@code t} live at least as long as this tensor: it leaves its scope (if any) and closes when the last
     * tensor holding it closes. Several results may hold the same intermediate (two outputs of one composite, or a
     * result kept at two nesting levels); each holds it once.
     */
    void attach(Tensor t) {
        if (t == this || t == null || t.closed) {
            return;
        }
        if (t.owner != null) {
            t.owner.release(t);
        }
        if (attached == null) {
            attached = new java.util.LinkedHashSet<>();
        }
        if (attached.add(t)) {
            t.holders++;
        }
    }

    /** Ends one hold on this tensor; the last one closes it. */
    private void letGo() {
        if (--holders <= 0) {
            holders = 0;
            close();
        }
    }

    TensorStorage live(String op, String arg) {
        if (closed) {
            throw new IllegalStateException(op + ": argument '" + arg + "' (" + describe() + ") is closed; it was"
                    + " closed explicitly or by the scope that created it (keep it with scope.keep(t))");
        }
        return data.storage;
    }

    /** Checks that {@code other} can meet this tensor in {@code op}: open, same backend, same dtype. */
    private TensorStorage peer(String op, String arg, Tensor other) {
        Objects.requireNonNull(other, op + ": argument '" + arg + "' is null");
        if (other.backend != backend) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + other.describe() + " is on backend "
                    + other.backend.name() + " (" + other.device() + ") but 'this' " + describe() + " is on backend "
                    + backend.name() + " (" + device() + "); move it with backend.copyOf(t)");
        }
        if (other.dtype != dtype) {
            throw new IllegalArgumentException(op + ": dtype mismatch: 'this' is " + describe() + ", argument '" + arg
                    + "' is " + other.describe() + "; convert one with to(DType)");
        }
        return other.live(op, arg);
    }

    private TensorStorage peerAnyType(String op, String arg, Tensor other, DType expected) {
        Objects.requireNonNull(other, op + ": argument '" + arg + "' is null");
        if (other.backend != backend) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + other.describe() + " is on backend "
                    + other.backend.name() + " but 'this' " + describe() + " is on backend " + backend.name());
        }
        if (expected != null && other.dtype != expected) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be " + expected + " but is "
                    + other.describe());
        }
        return other.live(op, arg);
    }

    private void requireFloat(String op) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor but 'this' is " + describe()
                    + "; convert with to(DType.FLOAT32)");
        }
    }

    private Tensor out(TensorStorage s) {
        return wrap(backend, s);
    }

    // -------------------------------------------------------------------------------------------- data transfer

    /** All elements as floats, row-major (converting other dtypes; bool is 0/1). */
    public float[] toFloatArray() {
        return backend.kernels.toFloats(live("toFloatArray", "this"));
    }

    /** All elements as doubles, row-major. */
    public double[] toDoubleArray() {
        return backend.kernels.toDoubles(live("toDoubleArray", "this"));
    }

    /** All elements as longs, row-major (floats truncate toward zero). */
    public long[] toLongArray() {
        return backend.kernels.toLongs(live("toLongArray", "this"));
    }

    /** All elements as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        long[] v = toLongArray();
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i] != 0;
        }
        return b;
    }

    /** One element as a double. */
    public double getDouble(long... index) {
        return backend.kernels.getDouble(live("getDouble", "this"), shape.flatIndex(index));
    }

    /** One element as a float. */
    public float getFloat(long... index) {
        return (float) getDouble(index);
    }

    /** One element as a long (exact for int64). */
    public long getLong(long... index) {
        return backend.kernels.getLong(live("getLong", "this"), shape.flatIndex(index));
    }

    /** One element as a boolean. */
    public boolean getBoolean(long... index) {
        return getDouble(index) != 0;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: tensor " + describe() + " has " + numel()
                    + " elements; item() needs exactly one");
        }
        return backend.kernels.getDouble(live("item", "this"), 0);
    }

    /** Writes one element in place (refused on tensors that record gradients). */
    public Tensor set(double value, long... index) {
        checkInPlace("set");
        backend.kernels.setDouble(live("set", "this"), shape.flatIndex(index), value);
        return this;
    }

    // ----------------------------------------------------------------------------------------------- in place

    private void checkInPlace(String op) {
        live(op, "this");
        if (Autograd.isGradEnabled() && (gradFn != null || requiresGradFlag)) {
            throw new IllegalStateException(op + ": in-place update of " + describe() + ", which takes part in"
                    + " gradient recording; wrap the update in try (var ng = Autograd.noGrad()) { ... }");
        }
    }

    /** Copies {@code src} (broadcast to this shape, same dtype) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        TensorStorage s = peer("copyFrom", "src", src);
        if (!src.shape.broadcastsTo(shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + src.shape + " does not broadcast to "
                    + shape);
        }
        backend.kernels.assign(data.storage, s);
        return this;
    }

    /** Sets every element to {@code value}. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        try (Tensor v = backend.full(Shape.SCALAR, dtype, value)) {
            TensorScope sc = v.owner;
            if (sc != null) {
                sc.release(v);
            }
            backend.kernels.assign(data.storage, v.live("fill", "value"));
        }
        return this;
    }

    /** {@code this += other} (broadcast to this shape). */
    public Tensor addInPlace(Tensor other) {
        return inPlace("addInPlace", BinaryOp.ADD, other);
    }

    /** {@code this += alpha * other}. */
    public Tensor addInPlace(Tensor other, double alpha) {
        if (alpha == 1) {
            return addInPlace(other);
        }
        checkInPlace("addInPlace");
        try (Tensor scaled = other.mul(alpha)) {
            if (scaled.owner != null) {
                scaled.owner.release(scaled);
            }
            return inPlace("addInPlace", BinaryOp.ADD, scaled);
        }
    }

    /** {@code this -= other}. */
    public Tensor subInPlace(Tensor other) {
        return inPlace("subInPlace", BinaryOp.SUB, other);
    }

    /** {@code this *= other}. */
    public Tensor mulInPlace(Tensor other) {
        return inPlace("mulInPlace", BinaryOp.MUL, other);
    }

    /** {@code this /= other}. */
    public Tensor divInPlace(Tensor other) {
        return inPlace("divInPlace", BinaryOp.DIV, other);
    }

    /** {@code this *= s}. */
    public Tensor mulInPlace(double s) {
        checkInPlace("mulInPlace");
        backend.kernels.scalarInPlace(ScalarOp.MUL, data.storage, s);
        return this;
    }

    /** {@code this += s}. */
    public Tensor addInPlace(double s) {
        checkInPlace("addInPlace");
        backend.kernels.scalarInPlace(ScalarOp.ADD, data.storage, s);
        return this;
    }

    /** {@code this = op(this, s)} for any scalar op that keeps the dtype. */
    public Tensor applyInPlace(ScalarOp op, double s) {
        checkInPlace(op.name().toLowerCase() + "InPlace");
        if (op.isComparison()) {
            throw new IllegalArgumentException("applyInPlace: comparison " + op + " changes the dtype");
        }
        backend.kernels.scalarInPlace(op, data.storage, s);
        return this;
    }

    private Tensor inPlace(String op, BinaryOp kind, Tensor other) {
        checkInPlace(op);
        TensorStorage o = peer(op, "other", other);
        if (!other.shape.broadcastsTo(shape)) {
            throw new IllegalArgumentException(op + ": argument 'other' of shape " + other.shape
                    + " does not broadcast to the shape " + shape + " of 'this'");
        }
        backend.kernels.binaryInPlace(kind, data.storage, o);
        return this;
    }

    // --------------------------------------------------------------------------------------------------- autograd

    /** Whether gradients flow to (leaf) or through (non-leaf) this tensor. */
    public boolean requiresGrad() {
        return requiresGradFlag;
    }

    /** Marks a leaf tensor as a parameter whose gradient {@link #backward()} accumulates. Returns this. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: " + describe() + " is the output of '" + gradFn.op()
                    + "'; only leaf tensors can be marked (use detach() for a new leaf)");
        }
        if (requires && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can have gradients, not "
                    + describe());
        }
        requiresGradFlag = requires;
        return this;
    }

    /** Whether this tensor was created by the user rather than recorded from an op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the op that produced this tensor in the autograd graph, or null for a leaf. */
    public String gradOp() {
        return gradFn == null ? null : gradFn.op();
    }

    /** The accumulated gradient of a leaf, or null when none has been computed. The leaf owns it. */
    public Tensor grad() {
        return grad == null || grad.closed ? null : grad;
    }

    /** Replaces this leaf's gradient (closing the old one); null clears it. The leaf takes ownership. */
    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + g.shape + " differs from " + shape);
        }
        if (grad != null && grad != g) {
            grad.close();
        }
        if (g != null && g.owner != null) {
            g.owner.release(g);
        }
        grad = g;
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        setGrad(null);
    }

    /** Backward pass from a one-element tensor (upstream gradient 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalArgumentException("backward: " + describe() + " has " + numel() + " elements;"
                    + " backward() without an argument needs a one-element output (pass an upstream gradient)");
        }
        try (Tensor one = backend.full(shape, dtype, 1)) {
            backward(one);
        }
    }

    /** Backward pass with an explicit upstream gradient of this tensor's shape and dtype. */
    public void backward(Tensor upstream) {
        live("backward", "this");
        if (!requiresGradFlag) {
            throw new IllegalStateException("backward: " + describe() + " does not require grad; no input of the"
                    + " ops that made it had requiresGrad(true), or it was computed in a noGrad section");
        }
        peer("backward", "upstream", upstream);
        if (!upstream.shape.equals(shape)) {
            throw new IllegalArgumentException("backward: upstream gradient shape " + upstream.shape
                    + " differs from the output shape " + shape);
        }
        Autograd.run(this, upstream);
    }

    /** A new leaf sharing this tensor's memory, cut from the graph (no gradient flows through it). */
    public Tensor detach() {
        live("detach", "this");
        data.refs++;
        return new Tensor(backend, data);
    }

    /** An independent copy; gradients flow through it. */
    public Tensor copy() {
        Tensor r = out(backend.kernels.cast(live("copy", "this"), dtype));
        return Autograd.record("copy", r, new Tensor[] {this}, g -> new Tensor[] {g});
    }

    /** Converted to {@code type} (a copy even for the same type). */
    public Tensor to(DType type) {
        Tensor r = out(backend.kernels.cast(live("to", "this"), type));
        if (!type.isFloatingPoint() || !dtype.isFloatingPoint()) {
            return r;
        }
        DType back = dtype;
        return Autograd.record("to", r, new Tensor[] {this}, g -> new Tensor[] {g.to(back)});
    }

    // --------------------------------------------------------------------------------------------- elementwise

    /** Elementwise {@code this + other}. */
    public Tensor add(Tensor other) {
        return binary("add", BinaryOp.ADD, other);
    }

    /** Elementwise {@code this - other}. */
    public Tensor sub(Tensor other) {
        return binary("sub", BinaryOp.SUB, other);
    }

    /** Elementwise {@code this * other}. */
    public Tensor mul(Tensor other) {
        return binary("mul", BinaryOp.MUL, other);
    }

    /** Elementwise {@code this / other}. */
    public Tensor div(Tensor other) {
        return binary("div", BinaryOp.DIV, other);
    }

    /** Elementwise {@code this ^ other}. */
    public Tensor pow(Tensor other) {
        return binary("pow", BinaryOp.POW, other);
    }

    /** Elementwise maximum. */
    public Tensor maximum(Tensor other) {
        return binary("maximum", BinaryOp.MAX, other);
    }

    /** Elementwise minimum. */
    public Tensor minimum(Tensor other) {
        return binary("minimum", BinaryOp.MIN, other);
    }

    /** {@code this == other} (bool). */
    public Tensor eq(Tensor other) {
        return binary("eq", BinaryOp.EQ, other);
    }

    /** {@code this != other} (bool). */
    public Tensor ne(Tensor other) {
        return binary("ne", BinaryOp.NE, other);
    }

    /** {@code this < other} (bool). */
    public Tensor lt(Tensor other) {
        return binary("lt", BinaryOp.LT, other);
    }

    /** {@code this <= other} (bool). */
    public Tensor le(Tensor other) {
        return binary("le", BinaryOp.LE, other);
    }

    /** {@code this > other} (bool). */
    public Tensor gt(Tensor other) {
        return binary("gt", BinaryOp.GT, other);
    }

    /** {@code this >= other} (bool). */
    public Tensor ge(Tensor other) {
        return binary("ge", BinaryOp.GE, other);
    }

    /** Logical and of bool tensors. */
    public Tensor and(Tensor other) {
        return binary("and", BinaryOp.AND, other);
    }

    /** Logical or of bool tensors. */
    public Tensor or(Tensor other) {
        return binary("or", BinaryOp.OR, other);
    }

    private Tensor binary(String op, BinaryOp kind, Tensor other) {
        TensorStorage a = live(op, "this");
        TensorStorage b = peer(op, "other", other);
        Shape outShape = Shape.broadcast(op, shape, other.shape);
        if ((kind == BinaryOp.AND || kind == BinaryOp.OR) && dtype != DType.BOOL) {
            throw new IllegalArgumentException(op + ": needs bool tensors but got " + describe());
        }
        if (!kind.isComparison() && dtype == DType.BOOL) {
            throw new IllegalArgumentException(op + ": arithmetic on bool tensors; convert with to(DType)");
        }
        if (kind == BinaryOp.DIV && dtype == DType.INT64) {
            // PyTorch's true division: integer operands are promoted to float32 (docs/tensor-api.md, dtype rules).
            try (TensorScope sc = Tensors.scope()) {
                return sc.keep(to(DType.FLOAT32).div(other.to(DType.FLOAT32)));
            }
        }
        Tensor r = out(binaryKernel(kind, a, shape, b, other.shape, outShape.rank()));
        if (kind.isComparison()) {
            return r;
        }
        Tensor x = this;
        Shape sa = shape;
        Shape sb = other.shape;
        return Autograd.record(op, r, new Tensor[] {this, other}, g -> switch (kind) {
            case ADD -> new Tensor[] {g.sumTo(sa), g.sumTo(sb)};
            case SUB -> new Tensor[] {g.sumTo(sa), g.neg().sumTo(sb)};
            case MUL -> new Tensor[] {
                x.requiresGrad() ? g.mul(other).sumTo(sa) : null,
                other.requiresGrad() ? g.mul(x).sumTo(sb) : null};
            case DIV -> new Tensor[] {
                x.requiresGrad() ? g.div(other).sumTo(sa) : null,
                other.requiresGrad() ? g.mul(r).div(other).neg().sumTo(sb) : null};
            // PyTorch's pow_backward_self / pow_backward_exponent: 0 where y == 0 (for x), and where x == 0 and
            // y >= 0 (for y), instead of 0 * inf or 0 * log(0) = NaN.
            case POW -> new Tensor[] {
                x.requiresGrad() ? Tensors.where(other.eq(0), zeroScalar(),
                        g.mul(other).mul(x.pow(other.sub(1)))).sumTo(sa) : null,
                other.requiresGrad() ? Tensors.where(x.eq(0).and(other.ge(0)), zeroScalar(),
                        g.mul(r).mul(x.log())).sumTo(sb) : null};
            case MAX, MIN -> {
                Tensor pick = kind == BinaryOp.MAX ? x.gt(other) : x.lt(other);
                Tensor tie = x.eq(other);
                Tensor wa = pick.to(dtype).add(tie.to(dtype).mul(0.5));
                Tensor wb = wa.rsub(1);
                yield new Tensor[] {g.mul(wa).sumTo(sa), g.mul(wb).sumTo(sb)};
            }
            default -> throw new IllegalStateException("no gradient for " + kind);
        });
    }

    /**
     * The binary kernel with both operands at the output's rank: a lower-rank operand gets leading axes of size 1
     * first, so backends only broadcast between equal ranks (ND4J fails on {@code [5, 1] + [5]}, issue 22).
     */
    private TensorStorage binaryKernel(BinaryOp kind, TensorStorage a, Shape sa, TensorStorage b, Shape sb,
                                       int outRank) {
        TensorStorage pa = sa.rank() < outRank ? backend.kernels.reshape(a, leadingOnes(sa, outRank)) : a;
        TensorStorage pb = sb.rank() < outRank ? backend.kernels.reshape(b, leadingOnes(sb, outRank)) : b;
        try {
            return backend.kernels.binary(kind, pa, pb);
        } finally {
            if (pa != a) {
                pa.close();
            }
            if (pb != b) {
                pb.close();
            }
        }
    }

    private static Shape leadingOnes(Shape s, int rank) {
        long[] d = new long[rank];
        Arrays.fill(d, 1);
        System.arraycopy(s.dims(), 0, d, rank - s.rank(), s.rank());
        return Shape.of(d);
    }

    private Tensor zeroScalar() {
        return backend.zeros(Shape.SCALAR, dtype);
    }

    /** {@code this + s}. */
    public Tensor add(double s) {
        return scalarOp("add", ScalarOp.ADD, s);
    }

    /** {@code this - s}. */
    public Tensor sub(double s) {
        return scalarOp("sub", ScalarOp.SUB, s);
    }

    /** {@code s - this}. */
    public Tensor rsub(double s) {
        return scalarOp("rsub", ScalarOp.RSUB, s);
    }

    /** {@code this * s}. */
    public Tensor mul(double s) {
        return scalarOp("mul", ScalarOp.MUL, s);
    }

    /** {@code this / s}. */
    public Tensor div(double s) {
        return scalarOp("div", ScalarOp.DIV, s);
    }

    /** {@code s / this}. */
    public Tensor rdiv(double s) {
        return scalarOp("rdiv", ScalarOp.RDIV, s);
    }

    /** {@code this ^ s}. */
    public Tensor pow(double s) {
        return scalarOp("pow", ScalarOp.POW, s);
    }

    /** {@code max(this, s)} elementwise (clamp from below). */
    public Tensor clampMin(double s) {
        return scalarOp("clampMin", ScalarOp.MAX, s);
    }

    /** {@code min(this, s)} elementwise (clamp from above). */
    public Tensor clampMax(double s) {
        return scalarOp("clampMax", ScalarOp.MIN, s);
    }

    /** Clamps into {@code [lo, hi]}. */
    public Tensor clamp(double lo, double hi) {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(clampMin(lo).clampMax(hi));
        }
    }

    /** {@code this == s} (bool). */
    public Tensor eq(double s) {
        return scalarOp("eq", ScalarOp.EQ, s);
    }

    /** {@code this != s} (bool). */
    public Tensor ne(double s) {
        return scalarOp("ne", ScalarOp.NE, s);
    }

    /** {@code this < s} (bool). */
    public Tensor lt(double s) {
        return scalarOp("lt", ScalarOp.LT, s);
    }

    /** {@code this <= s} (bool). */
    public Tensor le(double s) {
        return scalarOp("le", ScalarOp.LE, s);
    }

    /** {@code this > s} (bool). */
    public Tensor gt(double s) {
        return scalarOp("gt", ScalarOp.GT, s);
    }

    /** {@code this >= s} (bool). */
    public Tensor ge(double s) {
        return scalarOp("ge", ScalarOp.GE, s);
    }

    private Tensor scalarOp(String op, ScalarOp kind, double s) {
        TensorStorage a = live(op, "this");
        if (dtype == DType.BOOL && !kind.isComparison()) {
            throw new IllegalArgumentException(op + ": arithmetic on bool tensor " + describe()
                    + "; convert with to(DType)");
        }
        if (dtype == DType.INT64 && !kind.isComparison()) {
            // docs/tensor-api.md, dtype rules: an integral scalar acts like a Python int (the result stays int64);
            // a fractional one, and any true division, promote to float32 as in PyTorch.
            boolean integral = Double.isFinite(s) && Math.rint(s) == s;
            if (kind == ScalarOp.POW && integral && s < 0) {
                throw new IllegalArgumentException(op + ": integer " + describe() + " to the negative integer power "
                        + s + " (PyTorch refuses it too); convert with to(DType.FLOAT32) first");
            }
            if (!integral || kind == ScalarOp.DIV || kind == ScalarOp.RDIV) {
                try (TensorScope sc = Tensors.scope()) {
                    return sc.keep(to(DType.FLOAT32).scalarOp(op, kind, s));
                }
            }
        }
        Tensor r = out(backend.kernels.scalar(kind, a, s));
        if (kind.isComparison()) {
            return r;
        }
        Tensor x = this;
        return Autograd.record(op, r, new Tensor[] {this}, g -> new Tensor[] {switch (kind) {
            case ADD, SUB -> g;
            case RSUB -> g.neg();
            case MUL -> g.mul(s);
            case DIV -> g.div(s);
            case RDIV -> g.mul(-s).div(x.square());
            case POW -> s == 0 ? g.mul(0.0) : g.mul(x.pow(s - 1)).mul(s);
            case MAX -> g.mul(x.ge(s).to(dtype));
            case MIN -> g.mul(x.le(s).to(dtype));
            default -> throw new IllegalStateException("no gradient for " + kind);
        }});
    }

    /** {@code -this}. */
    public Tensor neg() {
        return unary(UnaryOp.NEG);
    }

    /** {@code |this|}. */
    public Tensor abs() {
        return unary(UnaryOp.ABS);
    }

    /** Sign (-1, 0, 1). */
    public Tensor sign() {
        return unary(UnaryOp.SIGN);
    }

    /** {@code e^this}. */
    public Tensor exp() {
        return unary(UnaryOp.EXP);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return unary(UnaryOp.LOG);
    }

    /** {@code ln(1 + this)}. */
    public Tensor log1p() {
        return unary(UnaryOp.LOG1P);
    }

    /** Square root. */
    public Tensor sqrt() {
        return unary(UnaryOp.SQRT);
    }

    /** {@code this^2}. */
    public Tensor square() {
        return unary(UnaryOp.SQUARE);
    }

    /** {@code 1 / this}. */
    public Tensor reciprocal() {
        return unary(UnaryOp.RECIPROCAL);
    }

    /** Sine. */
    public Tensor sin() {
        return unary(UnaryOp.SIN);
    }

    /** Cosine. */
    public Tensor cos() {
        return unary(UnaryOp.COS);
    }

    /** Floor (no gradient). */
    public Tensor floor() {
        return unary(UnaryOp.FLOOR);
    }

    /** Ceiling (no gradient). */
    public Tensor ceil() {
        return unary(UnaryOp.CEIL);
    }

    /** Error function. */
    public Tensor erf() {
        return unary(UnaryOp.ERF);
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return unary(UnaryOp.TANH);
    }

    /** Logistic sigmoid. */
    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID);
    }

    /** {@code max(this, 0)}. */
    public Tensor relu() {
        return unary(UnaryOp.RELU);
    }

    /** Exact (erf) GELU. */
    public Tensor gelu() {
        return unary(UnaryOp.GELU_ERF);
    }

    /** GELU, exact or with the tanh approximation. */
    public Tensor gelu(boolean tanhApproximation) {
        return unary(tanhApproximation ? UnaryOp.GELU_TANH : UnaryOp.GELU_ERF);
    }

    /** {@code x * sigmoid(x)} (SiLU / swish). */
    public Tensor silu() {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(mul(sigmoid()));
        }
    }

    /** Numerically stable {@code ln(1 + e^x)}. */
    public Tensor softplus() {
        return unary(UnaryOp.SOFTPLUS);
    }

    /** PyTorch's softplus: {@code ln(1 + e^(beta x)) / beta}, and {@code x} where {@code beta x > threshold}. */
    public Tensor softplus(double beta, double threshold) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor bx = mul(beta);
            Tensor soft = beta == 1 ? bx.softplus() : bx.softplus().div(beta);
            if (Double.isInfinite(threshold)) {
                return sc.keep(soft);
            }
            return sc.keep(Tensors.where(bx.gt(threshold), this, soft));
        }
    }

    /** Leaky ReLU with the given negative slope. */
    public Tensor leakyRelu(double slope) {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(Tensors.where(gt(0), this, mul(slope)));
        }
    }

    /** Logical not of a bool tensor. */
    public Tensor not() {
        if (dtype != DType.BOOL) {
            throw new IllegalArgumentException("not: needs a bool tensor, got " + describe());
        }
        return out(backend.kernels.unary(UnaryOp.NOT, live("not", "this")));
    }

    private Tensor unary(UnaryOp op) {
        String name = op.name().toLowerCase();
        TensorStorage a = live(name, "this");
        if (dtype == DType.BOOL || (dtype == DType.INT64 && op != UnaryOp.NEG && op != UnaryOp.ABS
                && op != UnaryOp.SIGN && op != UnaryOp.SQUARE && op != UnaryOp.RELU)) {
            requireFloat(name);
        }
        Tensor r = out(backend.kernels.unary(op, a));
        Tensor x = this;
        return Autograd.record(name, r, new Tensor[] {this}, g -> new Tensor[] {switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case SIGN, FLOOR, CEIL -> g.mul(0.0);
            case EXP -> g.mul(r);
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1));
            case SQRT -> g.div(r.mul(2));
            case SQUARE -> g.mul(x).mul(2);
            case RECIPROCAL -> g.mul(r.square()).neg();
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case ERF -> g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI));
            case TANH -> g.mul(r.square().rsub(1));
            case SIGMOID -> g.mul(r).mul(r.rsub(1));
            case RELU -> g.wrapKernel(backend.kernels.reluBackward(x.live("relu backward", "x"),
                    g.live("relu backward", "grad")));
            case SOFTPLUS -> g.mul(x.sigmoid());
            case GELU_ERF -> {
                Tensor cdf = x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
                Tensor pdf = x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
                yield g.mul(cdf.add(x.mul(pdf)));
            }
            case GELU_TANH -> {
                double c = Math.sqrt(2 / Math.PI);
                Tensor x2 = x.square();
                Tensor t = x2.mul(0.044715).add(1).mul(x).mul(c).tanh();
                Tensor dInner = x2.mul(3 * 0.044715).add(1).mul(c);
                Tensor d = t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().rsub(1)).mul(dInner));
                yield g.mul(d);
            }
            case NOT -> throw new IllegalStateException("no gradient for not");
        }});
    }

    /** {@code cond ? this : other} (see {@link Tensors#where}). */
    public Tensor where(Tensor cond, Tensor other) {
        return Tensors.where(cond, this, other);
    }

    /**
     * A copy with {@code value} where {@code mask} (bool) is true; this tensor and the mask broadcast together, so the
     * result has their broadcast shape (as PyTorch's out-of-place {@code masked_fill}).
     */
    public Tensor maskedFill(Tensor mask, double value) {
        peerAnyType("maskedFill", "mask", mask, DType.BOOL);
        Shape.broadcast("maskedFill", shape, mask.shape);
        try (TensorScope sc = Tensors.scope()) {
            Tensor v = backend.full(Shape.SCALAR, dtype, value);
            return sc.keep(Tensors.where(mask, v, this));
        }
    }

    // --------------------------------------------------------------------------------------------- reductions

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        return reduce("sum", ReduceOp.SUM, allAxes(), false);
    }

    /** Sum over {@code axes}. */
    public Tensor sum(int[] axes, boolean keepDim) {
        return reduce("sum", ReduceOp.SUM, axes, keepDim);
    }

    /** Sum over one axis. */
    public Tensor sum(int axis, boolean keepDim) {
        return reduce("sum", ReduceOp.SUM, new int[] {axis}, keepDim);
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return reduce("mean", ReduceOp.MEAN, allAxes(), false);
    }

    /** Mean over {@code axes}. */
    public Tensor mean(int[] axes, boolean keepDim) {
        return reduce("mean", ReduceOp.MEAN, axes, keepDim);
    }

    /** Mean over one axis. */
    public Tensor mean(int axis, boolean keepDim) {
        return reduce("mean", ReduceOp.MEAN, new int[] {axis}, keepDim);
    }

    /** Maximum of all elements. */
    public Tensor max() {
        return reduce("max", ReduceOp.MAX, allAxes(), false);
    }

    /** Maximum over {@code axes} (values; torch.amax). The gradient is shared among tied maxima. */
    public Tensor max(int[] axes, boolean keepDim) {
        return reduce("max", ReduceOp.MAX, axes, keepDim);
    }

    /** Maximum over one axis. */
    public Tensor max(int axis, boolean keepDim) {
        return reduce("max", ReduceOp.MAX, new int[] {axis}, keepDim);
    }

    /** Minimum of all elements. */
    public Tensor min() {
        return reduce("min", ReduceOp.MIN, allAxes(), false);
    }

    /** Minimum over {@code axes}. */
    public Tensor min(int[] axes, boolean keepDim) {
        return reduce("min", ReduceOp.MIN, axes, keepDim);
    }

    /** Product over {@code axes} (no gradient through zeros' neighbours beyond {@code out / x}). */
    public Tensor prod(int[] axes, boolean keepDim) {
        return reduce("prod", ReduceOp.PROD, axes, keepDim);
    }

    /** Variance over {@code axes}: {@code sum((x - mean)^2) / (n - correction)}. */
    public Tensor var(int[] axes, boolean keepDim, int correction) {
        requireFloat("var");
        int[] ax = resolveAxes("var", axes);
        long n = 1;
        for (int a : ax) {
            n *= shape.dim(a);
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor mu = mean(ax, true);
            Tensor d = sub(mu);
            return sc.keep(d.square().sum(ax, keepDim).div(Math.max(0, n - correction)));
        }
    }

    /** Unbiased variance of all elements. */
    public Tensor var() {
        return var(allAxes(), false, 1);
    }

    /** Standard deviation over {@code axes}. */
    public Tensor std(int[] axes, boolean keepDim, int correction) {
        requireFloat("std");
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(var(axes, keepDim, correction).sqrtZeroGradAtZero("std"));
        }
    }

    /** L2 norm over {@code axes}. */
    public Tensor norm(int[] axes, boolean keepDim) {
        requireFloat("norm");
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(square().sum(axes, keepDim).sqrtZeroGradAtZero("norm"));
        }
    }

    /**
     * {@code sqrt} whose gradient is 0 where the result is 0, as PyTorch's std and norm backward passes mask it
     * (plain {@code sqrt} gives {@code 0 * inf = NaN} at zero variance or a zero vector; issue 22).
     */
    private Tensor sqrtZeroGradAtZero(String op) {
        Tensor r = out(backend.kernels.unary(UnaryOp.SQRT, live(op, "this")));
        return Autograd.record(op, r, new Tensor[] {this}, g ->
                new Tensor[] {Tensors.where(r.eq(0), zeroScalar(), g.div(r.mul(2)))});
    }

    private int[] allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    private int[] resolveAxes(String op, int[] axes) {
        boolean[] seen = new boolean[rank()];
        for (int a : axes) {
            int r;
            try {
                r = shape.axis(a);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
            }
            if (seen[r]) {
                throw new IllegalArgumentException(op + ": axis " + a + " is listed twice in " + Arrays.toString(axes));
            }
            seen[r] = true;
        }
        int n = 0;
        int[] out = new int[axes.length];
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                out[n++] = i;
            }
        }
        return out;
    }

    private Tensor reduce(String op, ReduceOp kind, int[] axes, boolean keepDim) {
        TensorStorage a = live(op, "this");
        if (dtype == DType.BOOL) {
            throw new IllegalArgumentException(op + ": reduction of bool tensor " + describe()
                    + "; convert with to(DType.INT64) or to(DType.FLOAT32)");
        }
        if (kind == ReduceOp.MEAN && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": mean of integer tensor " + describe() + " (PyTorch refuses it"
                    + " too: the result type is ambiguous); convert with to(DType.FLOAT32) first");
        }
        int[] ax = resolveAxes(op, axes);
        if (ax.length == 0) {
            return copy();
        }
        long n = 1;
        for (int i : ax) {
            n *= shape.dim(i);
        }
        long count = n;
        Shape in = shape;
        if (numel() == 0) {
            return reduceEmpty(op, kind, ax, keepDim, count);
        }
        Tensor r = out(backend.kernels.reduce(kind, a, ax, keepDim));
        Shape kept = shape.reduce(ax, true);
        Tensor x = this;
        return Autograd.record(op, r, new Tensor[] {this}, g -> {
            Tensor gk = g.reshape(kept.dims());
            return new Tensor[] {switch (kind) {
                case SUM -> gk.expand(in);
                case MEAN -> gk.div(count).expand(in);
                case MAX, MIN, PROD -> {
                    Tensor rk = r.reshape(kept.dims());
                    if (kind == ReduceOp.PROD) {
                        yield gk.mul(prodGrad(x, ax, kept));
                    }
                    Tensor mask = x.eq(rk).to(dtype);
                    Tensor share = mask.sum(ax, true);
                    yield mask.mul(gk).div(share);
                }
            }};
        });
    }

    /**
     * d prod / d x_i, the product of the other elements of x_i's group, also where x has zeros (out / x would give
     * 0/0 = NaN there; found by the differential fuzz corpus): with no zero in the group it is p / x_i, with one zero
     * it is p at the zero and 0 elsewhere, with more it is 0, where p is the product of the group's non-zeros.
     */
    private static Tensor prodGrad(Tensor x, int[] ax, Shape kept) {
        Tensor zero = x.eq(0);
        Tensor nonZero = Tensors.where(zero, x.backend().ones(Shape.SCALAR, x.dtype), x);
        Tensor p = nonZero.prod(ax, true);
        Tensor zeros = zero.to(x.dtype).sum(ax, true);
        Tensor none = p.div(nonZero);
        Tensor one = Tensors.where(zero, p, x.backend().zeros(Shape.SCALAR, x.dtype));
        Tensor zeroScalar = x.backend().zeros(Shape.SCALAR, x.dtype);
        return Tensors.where(zeros.eq(0), none, Tensors.where(zeros.eq(1), one, zeroScalar)).reshape(x.shape);
    }

    /**
     * A reduction of an empty tensor, answered here so that no kernel sees one: the identity of the reduction (sum 0,
     * prod 1), NaN for a mean over zero elements, and PyTorch's refusal for max/min over an axis of size 0.
     */
    private Tensor reduceEmpty(String op, ReduceOp kind, int[] ax, boolean keepDim, long count) {
        if ((kind == ReduceOp.MAX || kind == ReduceOp.MIN) && count == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce " + describe() + " over axes "
                    + Arrays.toString(ax) + " of size 0 (there is no " + op + " of nothing; PyTorch refuses too)");
        }
        double identity = switch (kind) {
            case SUM, MAX, MIN -> 0;
            case PROD -> 1;
            case MEAN -> count == 0 ? Double.NaN : 0;
        };
        Tensor r = backend.full(shape.reduce(ax, keepDim), dtype, identity);
        Shape in = shape;
        return Autograd.record(op, r, new Tensor[] {this}, g -> new Tensor[] {backend.zeros(in, dtype)});
    }

    /** Index (int64) of the maximum along {@code axis}. */
    public Tensor argmax(int axis, boolean keepDim) {
        TensorStorage a = live("argmax", "this");
        int ax = axisFor("argmax", axis);
        return out(backend.kernels.argMax(a, ax, keepDim));
    }

    /** Index (int64) of the maximum over the flattened tensor. */
    public Tensor argmax() {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(reshape(numel()).argmax(0, false));
        }
    }

    /**
     * The {@code k} largest elements along {@code axis}, in descending order, and their positions.
     *
     * @param values  the values; gradients flow back to the selected positions
     * @param indices int64 positions along the axis
     */
    public record TopK(Tensor values, Tensor indices) {
    }

    /** The {@code k} largest values along {@code axis} and their int64 indices. */
    public TopK topk(int k, int axis) {
        return topk(k, axis, true);
    }

    /** The {@code k} largest (or smallest) values along {@code axis}, sorted, and their int64 indices. */
    public TopK topk(int k, int axis, boolean largest) {
        TensorStorage a = live("topk", "this");
        int ax = axisFor("topk", axis);
        if (k < 0 || k > shape.dim(ax)) {
            throw new IllegalArgumentException("topk: k=" + k + " is out of range for axis " + axis + " of size "
                    + shape.dim(ax) + " (shape " + shape + ")");
        }
        TensorKernels.StoragePair p = backend.kernels.topK(a, k, ax, largest);
        Tensor values = out(p.first());
        Tensor indices = out(p.second());
        Shape in = shape;
        Autograd.record("topk", values, new Tensor[] {this}, g -> new Tensor[] {g.scatterAddInto(in, ax, indices)},
                indices);
        return new TopK(values, indices);
    }

    /** Inclusive cumulative sum along {@code axis}. */
    public Tensor cumsum(int axis) {
        return cumsum(axis, false);
    }

    private Tensor cumsum(int axis, boolean reverse) {
        TensorStorage a = live("cumsum", "this");
        int ax = axisFor("cumsum", axis);
        Tensor r = out(backend.kernels.cumsum(a, ax, reverse));
        return Autograd.record("cumsum", r, new Tensor[] {this}, g -> new Tensor[] {g.cumsum(ax, !reverse)});
    }

    private int axisFor(String op, int axis) {
        try {
            return shape.axis(axis);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- linear algebra

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted (and the added axis removed again), the last two
     * axes multiply, leading (batch) axes broadcast.
     */
    public Tensor matmul(Tensor other) {
        live("matmul", "this");
        peer("matmul", "other", other);
        requireFloat("matmul");
        if (rank() == 0 || other.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalars cannot be multiplied as matrices ('this' "
                    + describe() + ", 'other' " + other.describe() + "); use mul");
        }
        if (rank() == 1 || other.rank() == 1) {
            long rows = other.rank() == 1 ? other.shape.dim(0) : other.shape.dim(-2);
            if (shape.dim(-1) != rows) {
                throw new IllegalArgumentException("matmul: sizes do not match: 'this' " + describe() + " has "
                        + shape.dim(-1) + (rank() == 1 ? " elements" : " columns") + ", 'other' " + other.describe()
                        + " has " + rows + (other.rank() == 1 ? " elements" : " rows"));
            }
            try (TensorScope sc = Tensors.scope()) {
                Tensor a = rank() == 1 ? unsqueeze(0) : this;
                Tensor b = other.rank() == 1 ? other.unsqueeze(-1) : other;
                Tensor p = a.matmul(b);
                if (rank() == 1) {
                    p = p.squeeze(-2);
                }
                if (other.rank() == 1) {
                    p = p.squeeze(-1);
                }
                return sc.keep(p);
            }
        }
        long k = shape.dim(-1);
        if (k != other.shape.dim(-2)) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: 'this' " + describe()
                    + " has " + k + " columns, 'other' " + other.describe() + " has " + other.shape.dim(-2) + " rows");
        }
        Shape ba = Shape.of(Arrays.copyOf(shape.dims(), rank() - 2));
        Shape bb = Shape.of(Arrays.copyOf(other.shape.dims(), other.rank() - 2));
        Shape.broadcast("matmul (batch axes)", ba, bb);
        Tensor r = out(backend.kernels.matmul(data.storage, other.data.storage));
        Tensor x = this;
        // the gradients read the operands transposed: the fused kernel takes transpose flags instead of copies
        return Autograd.record("matmul", r, new Tensor[] {this, other}, g -> new Tensor[] {
            x.requiresGrad() ? matmulKernel(g, false, other, true).sumTo(x.shape) : null,
            other.requiresGrad() ? matmulKernel(x, true, g, false).sumTo(other.shape) : null});
    }

    /** {@code op(a) @ op(b)} by the fused kernel, {@code op} transposing the last two axes when flagged (unrecorded). */
    static Tensor matmulKernel(Tensor a, boolean ta, Tensor b, boolean tb) {
        return a.out(a.backend.kernels.matmul(a.live("matmul", "a"), ta, b.live("matmul", "b"), tb));
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("t: needs a 2-D tensor, got " + describe() + "; use transpose(a, b)");
        }
        return transpose(0, 1);
    }

    // -------------------------------------------------------------------------------------------------- shapes

    /** The same elements (row-major) in a new shape; one dimension may be -1 (inferred). */
    public Tensor reshape(long... newShape) {
        TensorStorage a = live("reshape", "this");
        Shape s = inferShape(newShape);
        if (s.equals(shape)) {
            Tensor r = out(backend.kernels.cast(a, dtype));
            return Autograd.record("reshape", r, new Tensor[] {this}, g -> new Tensor[] {g});
        }
        Tensor r = out(backend.kernels.reshape(a, s));
        long[] back = shape.dims();
        return Autograd.record("reshape", r, new Tensor[] {this}, g -> new Tensor[] {g.reshape(back)});
    }

    /** Reshape to a {@link Shape}. */
    public Tensor reshape(Shape s) {
        return reshape(s.dims());
    }

    private Shape inferShape(long[] ns) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < ns.length; i++) {
            if (ns[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(ns));
                }
                infer = i;
            } else if (ns[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(ns));
            } else {
                known *= ns[i];
            }
        }
        long[] d = ns.clone();
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(ns) + " for "
                        + numel() + " elements of shape " + shape);
            }
            d[infer] = numel() / known;
        }
        Shape s = Shape.of(d);
        if (s.size() != numel()) {
            throw new IllegalArgumentException("reshape: shape " + s + " (" + s.size() + " elements) does not fit "
                    + describe() + " (" + numel() + " elements)");
        }
        return s;
    }

    /** Flattens axes {@code startAxis..end} into one. */
    public Tensor flatten(int startAxis) {
        int s = rank() == 0 ? 0 : axisFor("flatten", startAxis);
        long[] d = new long[s + 1];
        long rest = 1;
        for (int i = 0; i < rank(); i++) {
            if (i < s) {
                d[i] = shape.dim(i);
            } else {
                rest *= shape.dim(i);
            }
        }
        d[s] = rest;
        return reshape(d);
    }

    /** Inserts an axis of size 1 at {@code axis} (negative counts from the end of the result). */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + rank() + 1 : axis;
        if (a < 0 || a > rank()) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for " + describe());
        }
        long[] d = new long[rank() + 1];
        for (int i = 0, j = 0; i < d.length; i++) {
            d[i] = i == a ? 1 : shape.dim(j++);
        }
        return reshape(d);
    }

    /** Removes axis {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) {
        int a = axisFor("squeeze", axis);
        if (shape.dim(a) != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of " + describe() + " has size "
                    + shape.dim(a) + ", not 1");
        }
        long[] d = new long[rank() - 1];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (i != a) {
                d[j++] = shape.dim(i);
            }
        }
        return reshape(d);
    }

    /** Reorders axes: output axis {@code i} is input axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        TensorStorage a = live("permute", "this");
        if (perm.length != rank()) {
            throw new IllegalArgumentException("permute: permutation " + Arrays.toString(perm) + " has "
                    + perm.length + " axes but " + describe() + " has " + rank());
        }
        int[] p = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            p[i] = axisFor("permute", perm[i]);
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[p[i]] = true;
        }
        Tensor r = out(backend.kernels.permute(a, p));
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            inv[p[i]] = i;
        }
        return Autograd.record("permute", r, new Tensor[] {this}, g -> new Tensor[] {g.permute(inv)});
    }

    /** Swaps two axes. */
    public Tensor transpose(int axis0, int axis1) {
        int a = axisFor("transpose", axis0);
        int b = axisFor("transpose", axis1);
        int[] p = allAxes();
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Broadcasts to {@code target} (materialised); gradients are summed back. */
    public Tensor expand(Shape target) {
        TensorStorage a = live("expand", "this");
        if (!shape.broadcastsTo(target)) {
            throw new IllegalArgumentException("expand: shape " + shape + " cannot be broadcast to " + target);
        }
        if (target.equals(shape)) {
            return copy();
        }
        Tensor r = out(backend.kernels.broadcastTo(a, target));
        Shape in = shape;
        return Autograd.record("expand", r, new Tensor[] {this}, g -> new Tensor[] {g.sumTo(in)});
    }

    /** The sum of this (broadcast) gradient down to {@code target}, the inverse of broadcasting. */
    public Tensor sumTo(Shape target) {
        if (shape.equals(target)) {
            return this;
        }
        if (!target.broadcastsTo(shape)) {
            throw new IllegalArgumentException("sumTo: shape " + target + " does not broadcast to " + shape);
        }
        int lead = rank() - target.rank();
        int n = 0;
        int[] axes = new int[rank()];
        for (int i = 0; i < rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && shape.dim(i) != 1)) {
                axes[n++] = i;
            }
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor s = n == 0 ? this : sum(Arrays.copyOf(axes, n), true);
            return sc.keep(s.reshape(target.dims()));
        }
    }

    /**
     * Strided slice along every axis: {@code ranges[d] = {start, stop, step}} (Python semantics, stop exclusive,
     * {@code step >= 1}); a null row keeps the whole axis.
     */
    public Tensor slice(long[][] ranges) {
        TensorStorage a = live("slice", "this");
        if (ranges.length != rank()) {
            throw new IllegalArgumentException("slice: " + ranges.length + " ranges for " + describe());
        }
        long[] start = new long[rank()];
        long[] stop = new long[rank()];
        long[] step = new long[rank()];
        long[] outDims = new long[rank()];
        for (int d = 0; d < rank(); d++) {
            long n = shape.dim(d);
            long[] r = ranges[d] == null ? new long[] {0, n, 1} : ranges[d];
            long st = r.length > 2 ? r[2] : 1;
            long s0 = clampIndex(r[0], n);
            long s1 = r.length > 1 ? clampIndex(r[1], n) : n;
            if (st < 1) {
                throw new IllegalArgumentException("slice: step " + st + " on axis " + d + " must be >= 1");
            }
            start[d] = s0;
            step[d] = st;
            outDims[d] = (Math.max(s0, s1) - s0 + st - 1) / st;
            // The tight stop (one past the last element taken), so kernels never see a stop beyond the last step:
            // x[0:1:3] reaches the kernel as [0, 1) step 3 (ND4J rejects a stop past the end; issue 22).
            stop[d] = outDims[d] == 0 ? s0 : s0 + (outDims[d] - 1) * st + 1;
        }
        Tensor r = out(backend.kernels.slice(a, start, stop, step));
        Shape in = shape;
        return Autograd.record("slice", r, new Tensor[] {this}, g -> new Tensor[] {g.embed(in, start, step, 0)});
    }

    private static long clampIndex(long i, long n) {
        long v = i < 0 ? i + n : i;
        return Math.max(0, Math.min(n, v));
    }

    /** Slice {@code [start, stop)} with {@code step} along one axis. */
    public Tensor slice(int axis, long start, long stop, long step) {
        int a = axisFor("slice", axis);
        long[][] r = new long[rank()][];
        r[a] = new long[] {start, stop, step};
        return slice(r);
    }

    /** Elements {@code [start, start + length)} along {@code axis}. */
    public Tensor narrow(int axis, long start, long length) {
        int a = axisFor("narrow", axis);
        if (start < 0 || length < 0 || start + length > shape.dim(a)) {
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") is out of range"
                    + " for axis " + axis + " of size " + shape.dim(a) + " (" + describe() + ")");
        }
        return slice(a, start, start + length, 1);
    }

    /** Places this tensor into a new one of {@code outShape} filled with {@code fill} (see TensorBackend#embed). */
    Tensor embed(Shape outShape, long[] start, long[] step, double fill) {
        Tensor r = out(backend.kernels.embed(live("embed", "this"), outShape, start, step, fill));
        long[][] ranges = new long[rank()][];
        for (int d = 0; d < rank(); d++) {
            ranges[d] = new long[] {start[d], start[d] + (shape.dim(d) - 1) * step[d] + 1, step[d]};
        }
        return Autograd.record("embed", r, new Tensor[] {this}, g -> new Tensor[] {g.slice(ranges)});
    }

    /** Constant padding: {@code pads[d] = {before, after}} for every axis (all axes listed, in order). */
    public Tensor pad(long[][] pads, double value) {
        live("pad", "this");
        if (pads.length != rank()) {
            throw new IllegalArgumentException("pad: " + pads.length + " [before, after] pairs for " + describe()
                    + "; list every axis");
        }
        long[] d = new long[rank()];
        long[] start = new long[rank()];
        long[] step = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            if (pads[i].length != 2 || pads[i][0] < 0 || pads[i][1] < 0) {
                throw new IllegalArgumentException("pad: axis " + i + " needs [before, after] >= 0, got "
                        + Arrays.toString(pads[i]));
            }
            d[i] = shape.dim(i) + pads[i][0] + pads[i][1];
            start[i] = pads[i][0];
            step[i] = 1;
        }
        return embed(Shape.of(d), start, step, value);
    }

    // ------------------------------------------------------------------------------------------------ indexing

    /** torch.gather: {@code out[..i..] = this[..index[..i..]..]} along {@code axis}; int64 {@code index}. */
    public Tensor gather(int axis, Tensor index) {
        TensorStorage a = live("gather", "this");
        TensorStorage i = peerAnyType("gather", "index", index, DType.INT64);
        int ax = axisFor("gather", axis);
        if (index.rank() != rank()) {
            throw new IllegalArgumentException("gather: index " + index.describe() + " must have the rank of "
                    + describe());
        }
        Tensor r = out(backend.kernels.gather(a, ax, i));
        Shape in = shape;
        return Autograd.record("gather", r, new Tensor[] {this}, g -> new Tensor[] {g.scatterAddInto(in, ax, index)},
                index);
    }

    /** Zeros of {@code target}, then this tensor added at {@code index} along {@code axis} (scatter-add). */
    public Tensor scatterAddInto(Shape target, int axis, Tensor index) {
        TensorStorage s = live("scatterAdd", "this");
        TensorStorage i = peerAnyType("scatterAdd", "index", index, DType.INT64);
        if (!index.shape.equals(shape)) {
            throw new IllegalArgumentException("scatterAdd: index " + index.describe() + " and source " + describe()
                    + " must have the same shape");
        }
        int ax = target.axis(axis);
        Tensor r = out(backend.kernels.scatterAdd(target, ax, i, s));
        return Autograd.record("scatterAdd", r, new Tensor[] {this}, g -> new Tensor[] {g.gather(ax, index)}, index);
    }

    /** The slices {@code index[k]} (int64, 1-D) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) {
        TensorStorage a = live("indexSelect", "this");
        TensorStorage i = peerAnyType("indexSelect", "index", index, DType.INT64);
        int ax = axisFor("indexSelect", axis);
        if (index.rank() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + index.describe());
        }
        Tensor r = out(backend.kernels.indexSelect(a, ax, i));
        Shape in = shape;
        return Autograd.record("indexSelect", r, new Tensor[] {this}, g -> new Tensor[] {
            g.wrapKernel(backend.kernels.indexAdd(in, ax, index.live("indexSelect backward", "index"),
                    g.live("indexSelect backward", "grad")))}, index);
    }

    private Tensor wrapKernel(TensorStorage s) {
        return out(s);
    }

    // ----------------------------------------------------------------------------------------------- softmax

    /** Softmax along {@code axis}. */
    public Tensor softmax(int axis) {
        requireFloat("softmax");
        int ax = axisFor("softmax", axis);
        Tensor r = out(backend.kernels.softmax(live("softmax", "this"), ax, false));
        return Autograd.record("softmax", r, new Tensor[] {this}, g -> {
            Tensor gr = g.mul(r);
            return new Tensor[] {gr.sub(r.mul(gr.sum(ax, true)))};
        });
    }

    /** Log-softmax along {@code axis}. */
    public Tensor logSoftmax(int axis) {
        requireFloat("logSoftmax");
        int ax = axisFor("logSoftmax", axis);
        Tensor r = out(backend.kernels.softmax(live("logSoftmax", "this"), ax, true));
        return Autograd.record("logSoftmax", r, new Tensor[] {this}, g ->
                new Tensor[] {g.sub(r.exp().mul(g.sum(ax, true)))});
    }

    /** {@code ln(sum(exp(x)))} along {@code axis}, computed stably. */
    public Tensor logSumExp(int axis, boolean keepDim) {
        int ax = axisFor("logSumExp", axis);
        try (TensorScope sc = Tensors.scope()) {
            Tensor m;
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                m = max(ax, true);
            }
            Tensor s = sub(m).exp().sum(ax, true).log().add(m);
            return sc.keep(keepDim ? s : s.squeeze(ax));
        }
    }

    /** Cast-free view helper for kernels in this package. */
    static List<TensorStorage> storages(String op, List<Tensor> ts) {
        return ts.stream().map(t -> t.live(op, "tensors")).toList();
    }
}
