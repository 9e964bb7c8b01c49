package io.tessera.api.tensor;

import io.tessera.api.tensor.ops.Access;
import io.tessera.api.tensor.ops.Checks;
import io.tessera.api.tensor.ops.ElementwiseOps;
import io.tessera.api.tensor.ops.IndexOps;
import io.tessera.api.tensor.ops.ProductOps;
import io.tessera.api.tensor.ops.ReductionOps;
import io.tessera.api.tensor.ops.ShapeOps;
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
    /** Who closes this tensor (its scope, or graph results holding it) and what it holds: see {@link Ownership}. */
    private final Ownership ownership;

    /** Reference-counted storage so that {@link #detach()} shares memory without copying. */
    private static final class SharedStorage {
        final TensorStorage storage;
        int refs = 1;

        SharedStorage(TensorStorage storage) {
            this.storage = storage;
        }
    }

    static {
        // the op families (io.tessera.api.tensor.ops, not exported) reach storages and kernels only through this
        Access.install(new Access.Bridge() {
            @Override
            public TensorKernels kernels(Tensor t) {
                return t.backend.kernels;
            }

            @Override
            public TensorStorage live(Tensor t, String op, String arg) {
                return t.live(op, arg);
            }

            @Override
            public Tensor wrap(TensorBackend b, TensorStorage s) {
                return Tensor.wrap(b, s);
            }

            @Override
            public String describe(Tensor t) {
                return t.describe();
            }
        });
    }

    private Tensor(TensorBackend backend, SharedStorage data) {
        this.backend = backend;
        this.data = data;
        this.shape = data.storage.shape();
        this.dtype = data.storage.dtype();
        this.ownership = new Ownership(this);
        ownership.joinCurrentScope();
    }

    /** This tensor's ownership (scope, holds); read by {@link TensorScope}, {@link Tensors} and {@link Autograd}. */
    Ownership ownership() {
        return ownership;
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
        ownership.releaseHolds();
    }

    /**
     * Makes {@code t} live at least as long as this tensor: it leaves its scope (if any) and closes when the last
     * tensor holding it closes. Several results may hold the same intermediate (two outputs of one composite, or a
     * result kept at two nesting levels); each holds it once.
     */
    void attach(Tensor t) {
        ownership.hold(t);
    }

    TensorStorage live(String op, String arg) {
        if (closed) {
            throw new IllegalStateException(op + ": argument '" + arg + "' (" + describe() + ") is closed; it was"
                    + " closed explicitly or by the scope that created it (keep it with scope.keep(t))");
        }
        return data.storage;
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
        TensorStorage s = Checks.peer(this, "copyFrom", "src", src);
        if (!src.shape.broadcastsTo(shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + src.shape + " does not broadcast to "
                    + shape);
        }
        if (numel() > 0) { // an empty tensor has nothing to update, and kernels never see one
            backend.kernels.assign(data.storage, s);
        }
        return this;
    }

    /** Sets every element to {@code value}. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        try (Tensor v = backend.full(Shape.SCALAR, dtype, value)) {
            v.ownership.leaveScope();
            if (numel() > 0) {
                backend.kernels.assign(data.storage, v.live("fill", "value"));
            }
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
            scaled.ownership.leaveScope();
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
        if (numel() > 0) {
            backend.kernels.scalarInPlace(ScalarOp.MUL, data.storage, s);
        }
        return this;
    }

    /** {@code this += s}. */
    public Tensor addInPlace(double s) {
        checkInPlace("addInPlace");
        if (numel() > 0) {
            backend.kernels.scalarInPlace(ScalarOp.ADD, data.storage, s);
        }
        return this;
    }

    /** {@code this = op(this, s)} for any scalar op that keeps the dtype. */
    public Tensor applyInPlace(ScalarOp op, double s) {
        checkInPlace(op.name().toLowerCase() + "InPlace");
        if (op.isComparison()) {
            throw new IllegalArgumentException("applyInPlace: comparison " + op + " changes the dtype");
        }
        if (numel() > 0) {
            backend.kernels.scalarInPlace(op, data.storage, s);
        }
        return this;
    }

    private Tensor inPlace(String op, BinaryOp kind, Tensor other) {
        checkInPlace(op);
        TensorStorage o = Checks.peer(this, op, "other", other);
        if (!other.shape.broadcastsTo(shape)) {
            throw new IllegalArgumentException(op + ": argument 'other' of shape " + other.shape
                    + " does not broadcast to the shape " + shape + " of 'this'");
        }
        if (numel() > 0) {
            backend.kernels.binaryInPlace(kind, data.storage, o);
        }
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
        if (g != null) {
            g.ownership.leaveScope();
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
        Checks.peer(this, "backward", "upstream", upstream);
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
        TensorStorage a = live("copy", "this");
        Tensor r = Access.out(this, shape, dtype, () -> backend.kernels.cast(a, dtype));
        return Autograd.record("copy", r, new Tensor[] {this}, g -> new Tensor[] {g});
    }

    /** Converted to {@code type} (a copy even for the same type). */
    public Tensor to(DType type) {
        TensorStorage a = live("to", "this");
        Tensor r = Access.out(this, shape, type, () -> backend.kernels.cast(a, type));
        if (!type.isFloatingPoint() || !dtype.isFloatingPoint()) {
            return r;
        }
        DType back = dtype;
        return Autograd.record("to", r, new Tensor[] {this}, g -> new Tensor[] {g.to(back)});
    }

    // --------------------------------------------------------------------------------------------- elementwise

    /** Elementwise {@code this + other}. */
    public Tensor add(Tensor other) {
        return ElementwiseOps.binary(this, "add", BinaryOp.ADD, other);
    }

    /** Elementwise {@code this - other}. */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.binary(this, "sub", BinaryOp.SUB, other);
    }

    /** Elementwise {@code this * other}. */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.binary(this, "mul", BinaryOp.MUL, other);
    }

    /** Elementwise {@code this / other}. */
    public Tensor div(Tensor other) {
        return ElementwiseOps.binary(this, "div", BinaryOp.DIV, other);
    }

    /** Elementwise {@code this ^ other}. */
    public Tensor pow(Tensor other) {
        return ElementwiseOps.binary(this, "pow", BinaryOp.POW, other);
    }

    /** Elementwise maximum. */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.binary(this, "maximum", BinaryOp.MAX, other);
    }

    /** Elementwise minimum. */
    public Tensor minimum(Tensor other) {
        return ElementwiseOps.binary(this, "minimum", BinaryOp.MIN, other);
    }

    /** {@code this == other} (bool). */
    public Tensor eq(Tensor other) {
        return ElementwiseOps.binary(this, "eq", BinaryOp.EQ, other);
    }

    /** {@code this != other} (bool). */
    public Tensor ne(Tensor other) {
        return ElementwiseOps.binary(this, "ne", BinaryOp.NE, other);
    }

    /** {@code this < other} (bool). */
    public Tensor lt(Tensor other) {
        return ElementwiseOps.binary(this, "lt", BinaryOp.LT, other);
    }

    /** {@code this <= other} (bool). */
    public Tensor le(Tensor other) {
        return ElementwiseOps.binary(this, "le", BinaryOp.LE, other);
    }

    /** {@code this > other} (bool). */
    public Tensor gt(Tensor other) {
        return ElementwiseOps.binary(this, "gt", BinaryOp.GT, other);
    }

    /** {@code this >= other} (bool). */
    public Tensor ge(Tensor other) {
        return ElementwiseOps.binary(this, "ge", BinaryOp.GE, other);
    }

    /** Logical and of bool tensors. */
    public Tensor and(Tensor other) {
        return ElementwiseOps.binary(this, "and", BinaryOp.AND, other);
    }

    /** Logical or of bool tensors. */
    public Tensor or(Tensor other) {
        return ElementwiseOps.binary(this, "or", BinaryOp.OR, other);
    }





    /** {@code this + s}. */
    public Tensor add(double s) {
        return ElementwiseOps.scalarOp(this, "add", ScalarOp.ADD, s);
    }

    /** {@code this - s}. */
    public Tensor sub(double s) {
        return ElementwiseOps.scalarOp(this, "sub", ScalarOp.SUB, s);
    }

    /** {@code s - this}. */
    public Tensor rsub(double s) {
        return ElementwiseOps.scalarOp(this, "rsub", ScalarOp.RSUB, s);
    }

    /** {@code this * s}. */
    public Tensor mul(double s) {
        return ElementwiseOps.scalarOp(this, "mul", ScalarOp.MUL, s);
    }

    /** {@code this / s}. */
    public Tensor div(double s) {
        return ElementwiseOps.scalarOp(this, "div", ScalarOp.DIV, s);
    }

    /** {@code s / this}. */
    public Tensor rdiv(double s) {
        return ElementwiseOps.scalarOp(this, "rdiv", ScalarOp.RDIV, s);
    }

    /** {@code this ^ s}. */
    public Tensor pow(double s) {
        return ElementwiseOps.scalarOp(this, "pow", ScalarOp.POW, s);
    }

    /** {@code max(this, s)} elementwise (clamp from below). */
    public Tensor clampMin(double s) {
        return ElementwiseOps.scalarOp(this, "clampMin", ScalarOp.MAX, s);
    }

    /** {@code min(this, s)} elementwise (clamp from above). */
    public Tensor clampMax(double s) {
        return ElementwiseOps.scalarOp(this, "clampMax", ScalarOp.MIN, s);
    }

    /** Clamps into {@code [lo, hi]}. */
    public Tensor clamp(double lo, double hi) {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(clampMin(lo).clampMax(hi));
        }
    }

    /** {@code this == s} (bool). */
    public Tensor eq(double s) {
        return ElementwiseOps.scalarOp(this, "eq", ScalarOp.EQ, s);
    }

    /** {@code this != s} (bool). */
    public Tensor ne(double s) {
        return ElementwiseOps.scalarOp(this, "ne", ScalarOp.NE, s);
    }

    /** {@code this < s} (bool). */
    public Tensor lt(double s) {
        return ElementwiseOps.scalarOp(this, "lt", ScalarOp.LT, s);
    }

    /** {@code this <= s} (bool). */
    public Tensor le(double s) {
        return ElementwiseOps.scalarOp(this, "le", ScalarOp.LE, s);
    }

    /** {@code this > s} (bool). */
    public Tensor gt(double s) {
        return ElementwiseOps.scalarOp(this, "gt", ScalarOp.GT, s);
    }

    /** {@code this >= s} (bool). */
    public Tensor ge(double s) {
        return ElementwiseOps.scalarOp(this, "ge", ScalarOp.GE, s);
    }


    /** {@code -this}. */
    public Tensor neg() {
        return ElementwiseOps.unary(this, UnaryOp.NEG);
    }

    /** {@code |this|}. */
    public Tensor abs() {
        return ElementwiseOps.unary(this, UnaryOp.ABS);
    }

    /** Sign (-1, 0, 1). */
    public Tensor sign() {
        return ElementwiseOps.unary(this, UnaryOp.SIGN);
    }

    /** {@code e^this}. */
    public Tensor exp() {
        return ElementwiseOps.unary(this, UnaryOp.EXP);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return ElementwiseOps.unary(this, UnaryOp.LOG);
    }

    /** {@code ln(1 + this)}. */
    public Tensor log1p() {
        return ElementwiseOps.unary(this, UnaryOp.LOG1P);
    }

    /** Square root. */
    public Tensor sqrt() {
        return ElementwiseOps.unary(this, UnaryOp.SQRT);
    }

    /** {@code this^2}. */
    public Tensor square() {
        return ElementwiseOps.unary(this, UnaryOp.SQUARE);
    }

    /** {@code 1 / this}. */
    public Tensor reciprocal() {
        return ElementwiseOps.unary(this, UnaryOp.RECIPROCAL);
    }

    /** Sine. */
    public Tensor sin() {
        return ElementwiseOps.unary(this, UnaryOp.SIN);
    }

    /** Cosine. */
    public Tensor cos() {
        return ElementwiseOps.unary(this, UnaryOp.COS);
    }

    /** Floor (no gradient). */
    public Tensor floor() {
        return ElementwiseOps.unary(this, UnaryOp.FLOOR);
    }

    /** Ceiling (no gradient). */
    public Tensor ceil() {
        return ElementwiseOps.unary(this, UnaryOp.CEIL);
    }

    /** Error function. */
    public Tensor erf() {
        return ElementwiseOps.unary(this, UnaryOp.ERF);
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return ElementwiseOps.unary(this, UnaryOp.TANH);
    }

    /** Logistic sigmoid. */
    public Tensor sigmoid() {
        return ElementwiseOps.unary(this, UnaryOp.SIGMOID);
    }

    /** {@code max(this, 0)}. */
    public Tensor relu() {
        return ElementwiseOps.unary(this, UnaryOp.RELU);
    }

    /** Exact (erf) GELU. */
    public Tensor gelu() {
        return ElementwiseOps.unary(this, UnaryOp.GELU_ERF);
    }

    /** GELU, exact or with the tanh approximation. */
    public Tensor gelu(boolean tanhApproximation) {
        return ElementwiseOps.unary(this, tanhApproximation ? UnaryOp.GELU_TANH : UnaryOp.GELU_ERF);
    }

    /** {@code x * sigmoid(x)} (SiLU / swish). */
    public Tensor silu() {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(mul(sigmoid()));
        }
    }

    /** Numerically stable {@code ln(1 + e^x)}. */
    public Tensor softplus() {
        return ElementwiseOps.unary(this, UnaryOp.SOFTPLUS);
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
        return ElementwiseOps.not(this);
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
        return ElementwiseOps.maskedFill(this, mask, value);
    }

    // --------------------------------------------------------------------------------------------- reductions

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        return ReductionOps.reduce(this, "sum", ReduceOp.SUM, Checks.allAxes(this), false);
    }

    /** Sum over {@code axes}. */
    public Tensor sum(int[] axes, boolean keepDim) {
        return ReductionOps.reduce(this, "sum", ReduceOp.SUM, axes, keepDim);
    }

    /** Sum over one axis. */
    public Tensor sum(int axis, boolean keepDim) {
        return ReductionOps.reduce(this, "sum", ReduceOp.SUM, new int[] {axis}, keepDim);
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return ReductionOps.reduce(this, "mean", ReduceOp.MEAN, Checks.allAxes(this), false);
    }

    /** Mean over {@code axes}. */
    public Tensor mean(int[] axes, boolean keepDim) {
        return ReductionOps.reduce(this, "mean", ReduceOp.MEAN, axes, keepDim);
    }

    /** Mean over one axis. */
    public Tensor mean(int axis, boolean keepDim) {
        return ReductionOps.reduce(this, "mean", ReduceOp.MEAN, new int[] {axis}, keepDim);
    }

    /** Maximum of all elements. */
    public Tensor max() {
        return ReductionOps.reduce(this, "max", ReduceOp.MAX, Checks.allAxes(this), false);
    }

    /** Maximum over {@code axes} (values; torch.amax). The gradient is shared among tied maxima. */
    public Tensor max(int[] axes, boolean keepDim) {
        return ReductionOps.reduce(this, "max", ReduceOp.MAX, axes, keepDim);
    }

    /** Maximum over one axis. */
    public Tensor max(int axis, boolean keepDim) {
        return ReductionOps.reduce(this, "max", ReduceOp.MAX, new int[] {axis}, keepDim);
    }

    /** Minimum of all elements. */
    public Tensor min() {
        return ReductionOps.reduce(this, "min", ReduceOp.MIN, Checks.allAxes(this), false);
    }

    /** Minimum over {@code axes}. */
    public Tensor min(int[] axes, boolean keepDim) {
        return ReductionOps.reduce(this, "min", ReduceOp.MIN, axes, keepDim);
    }

    /** Product over {@code axes} (no gradient through zeros' neighbours beyond {@code out / x}). */
    public Tensor prod(int[] axes, boolean keepDim) {
        return ReductionOps.reduce(this, "prod", ReduceOp.PROD, axes, keepDim);
    }

    /** Variance over {@code axes}: {@code sum((x - mean)^2) / (n - correction)}. */
    public Tensor var(int[] axes, boolean keepDim, int correction) {
        return ReductionOps.var(this, axes, keepDim, correction);
    }

    /** Unbiased variance of all elements. */
    public Tensor var() {
        return var(Checks.allAxes(this), false, 1);
    }

    /** Standard deviation over {@code axes}. */
    public Tensor std(int[] axes, boolean keepDim, int correction) {
        Checks.requireFloat(this, "std");
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(ReductionOps.sqrtZeroGradAtZero(var(axes, keepDim, correction), "std"));
        }
    }

    /** L2 norm over {@code axes}. */
    public Tensor norm(int[] axes, boolean keepDim) {
        Checks.requireFloat(this, "norm");
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(ReductionOps.sqrtZeroGradAtZero(square().sum(axes, keepDim), "norm"));
        }
    }







    /** Index (int64) of the maximum along {@code axis}. */
    public Tensor argmax(int axis, boolean keepDim) {
        return ReductionOps.argmax(this, axis, keepDim);
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
        return ReductionOps.topk(this, k, axis, largest);
    }

    /** Inclusive cumulative sum along {@code axis}. */
    public Tensor cumsum(int axis) {
        return ReductionOps.cumsum(this, axis, false);
    }



    // ---------------------------------------------------------------------------------------------- linear algebra

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted (and the added axis removed again), the last two
     * axes multiply, leading (batch) axes broadcast.
     */
    public Tensor matmul(Tensor other) {
        return ProductOps.matmul(this, other);
    }

    /** {@code op(a) @ op(b)} by the fused kernel, {@code op} transposing the last two axes when flagged (unrecorded). */
    static Tensor matmulKernel(Tensor a, boolean ta, Tensor b, boolean tb) {
        return ProductOps.matmulKernel(a, ta, b, tb);
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
        return ShapeOps.reshape(this, newShape);
    }

    /** Reshape to a {@link Shape}. */
    public Tensor reshape(Shape s) {
        return reshape(s.dims());
    }


    /** Flattens axes {@code startAxis..end} into one. */
    public Tensor flatten(int startAxis) {
        int s = rank() == 0 ? 0 : Checks.axisFor(this, "flatten", startAxis);
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
        int a = Checks.axisFor(this, "squeeze", axis);
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
        return ShapeOps.permute(this, perm);
    }

    /** Swaps two axes. */
    public Tensor transpose(int axis0, int axis1) {
        int a = Checks.axisFor(this, "transpose", axis0);
        int b = Checks.axisFor(this, "transpose", axis1);
        int[] p = Checks.allAxes(this);
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Broadcasts to {@code target} (materialised); gradients are summed back. */
    public Tensor expand(Shape target) {
        return ShapeOps.expand(this, target);
    }

    /** The sum of this (broadcast) gradient down to {@code target}, the inverse of broadcasting. */
    public Tensor sumTo(Shape target) {
        return ShapeOps.sumTo(this, target);
    }

    /**
     * Strided slice along every axis: {@code ranges[d] = {start, stop, step}} (Python semantics, stop exclusive,
     * {@code step >= 1}); a null row keeps the whole axis.
     */
    public Tensor slice(long[][] ranges) {
        return ShapeOps.slice(this, ranges);
    }


    /** Slice {@code [start, stop)} with {@code step} along one axis. */
    public Tensor slice(int axis, long start, long stop, long step) {
        int a = Checks.axisFor(this, "slice", axis);
        long[][] r = new long[rank()][];
        r[a] = new long[] {start, stop, step};
        return slice(r);
    }

    /** Elements {@code [start, start + length)} along {@code axis}. */
    public Tensor narrow(int axis, long start, long length) {
        int a = Checks.axisFor(this, "narrow", axis);
        if (start < 0 || length < 0 || start + length > shape.dim(a)) {
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") is out of range"
                    + " for axis " + axis + " of size " + shape.dim(a) + " (" + describe() + ")");
        }
        return slice(a, start, start + length, 1);
    }

    /** Places this tensor into a new one of {@code outShape} filled with {@code fill} (see TensorBackend#embed). */
    Tensor embed(Shape outShape, long[] start, long[] step, double fill) {
        return ShapeOps.embed(this, outShape, start, step, fill);
    }

    /** Constant padding: {@code pads[d] = {before, after}} for every axis (all axes listed, in order). */
    public Tensor pad(long[][] pads, double value) {
        return ShapeOps.pad(this, pads, value);
    }

    // ------------------------------------------------------------------------------------------------ indexing

    /** torch.gather: {@code out[..i..] = this[..index[..i..]..]} along {@code axis}; int64 {@code index}. */
    public Tensor gather(int axis, Tensor index) {
        return IndexOps.gather(this, axis, index);
    }

    /** Zeros of {@code target}, then this tensor added at {@code index} along {@code axis} (scatter-add). */
    public Tensor scatterAddInto(Shape target, int axis, Tensor index) {
        return IndexOps.scatterAddInto(this, target, axis, index);
    }

    /** The slices {@code index[k]} (int64, 1-D) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) {
        return IndexOps.indexSelect(this, axis, index);
    }

    // ----------------------------------------------------------------------------------------------- softmax

    /** Softmax along {@code axis}. */
    public Tensor softmax(int axis) {
        return ReductionOps.softmax(this, axis);
    }

    /** Log-softmax along {@code axis}. */
    public Tensor logSoftmax(int axis) {
        return ReductionOps.logSoftmax(this, axis);
    }

    /** {@code ln(sum(exp(x)))} along {@code axis}, computed stably. */
    public Tensor logSumExp(int axis, boolean keepDim) {
        return ReductionOps.logSumExp(this, axis, keepDim);
    }

    /** Cast-free view helper for kernels in this package. */
    static List<TensorStorage> storages(String op, List<Tensor> ts) {
        return ts.stream().map(t -> t.live(op, "tensors")).toList();
    }
}
