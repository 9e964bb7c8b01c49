package io.tessera.backend.cpu;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.api.tensor.UnaryOp;
import io.tessera.backend.cpu.kernels.Broadcast;
import io.tessera.backend.cpu.kernels.Buffers;
import io.tessera.backend.cpu.kernels.ComplexPair;
import io.tessera.backend.cpu.kernels.Conv2dGrads;
import io.tessera.backend.cpu.kernels.Conv2dKernels;
import io.tessera.backend.cpu.kernels.ConvTranspose2dKernels;
import io.tessera.backend.cpu.kernels.Elementwise;
import io.tessera.backend.cpu.kernels.FftKernels;
import io.tessera.backend.cpu.kernels.InterpolateKernels;
import io.tessera.backend.cpu.kernels.LinalgKernels;
import io.tessera.backend.cpu.kernels.NormKernels;
import io.tessera.backend.cpu.kernels.PoolKernels;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarEquals;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarGreaterThan;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarGreaterThanOrEqual;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarLessThan;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarLessThanOrEqual;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarNotEquals;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The ND4J implementation of the tensor kernels. float32/float64 data computes through ND4J's native ops (OpenBLAS
 * GEMM for matmul); int64 and bool data, gathers/scatters and the few functions ND4J lacks compute in Java over
 * index maps. Every result is a fresh, dense, C-order array that its {@link CpuStorage} frees on close.
 */
final class CpuBackend implements TensorKernels {
    static {
        // ND4J lives on the class path (its module descriptors are broken); when this backend runs as a named module
        // it must read the unnamed module to see ND4J's classes (ARCHITECTURE §3).
        Module self = CpuBackend.class.getModule();
        if (self.isNamed()) {
            self.addReads(CpuBackend.class.getClassLoader().getUnnamedModule());
        }
    }

    private final String name;
    private volatile boolean closed;
    /** Storages created and not yet closed; tests read it to prove that scopes and graphs free everything. */
    final AtomicLong openStorages = new AtomicLong();
    /** How often each fused override ran, by kernel name; tests read it to prove the override (not the default) ran. */
    final java.util.Map<String, java.util.concurrent.atomic.LongAdder> fusedCalls =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void fused(String kernel) {
        fusedCalls.computeIfAbsent(kernel, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    CpuBackend(String name) {
        this.name = name;
        Nd4j.getBackend();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "CpuBackend(" + name + ")";
    }

    // ------------------------------------------------------------------------------------------------- plumbing

    private INDArray a(TensorStorage s) {
        return storage(s).array();
    }

    /** {@code s} as this backend's open storage, without computing it if it is deferred. */
    private CpuStorage storage(TensorStorage s) {
        if (!(s instanceof CpuStorage c) || c.backend != this) {
            throw new IllegalArgumentException("storage " + s + " does not belong to backend " + name);
        }
        if (c.isClosed()) {
            throw new IllegalStateException("storage " + s + " is closed");
        }
        return c;
    }

    /** {@code s}'s array, about to be modified in place: deferred results that read it are computed first. */
    private INDArray writable(TensorStorage s) {
        CpuStorage c = storage(s);
        c.materializeDependents();
        return c.array();
    }

    // ------------------------------------------------------------------------------------ deferred results
    //
    // Two large float32 results are deferred (CpuStorage's deferred form) and computed on first read: a ReLU, which
    // max pooling reads through (pooling the input, the ReLU output is never written), and a max-pooling input
    // gradient, which the fused reluBackward kernel reads through (routing and masking in one pass). Fusion is
    // explicit otherwise: the API calls the named kernels reluBackward and matmul with transpose flags, which this
    // backend overrides; it never recognises a formula.

    /** Below this many elements results are computed at once. */
    private static final long DEFER_MIN = 1 << 14;

    /** A deferred {@code relu(x)}: max pooling reads x directly. */
    private record Relu(CpuStorage x) {
    }

    /** A deferred max-pooling input gradient. */
    private record MaxPoolGrad(CpuStorage gradOut, CpuStorage indices, long[] inputShape) {
    }

    private INDArray opt(TensorStorage s) {
        return s == null ? null : a(s);
    }

    /** Wraps a result, copying it when it is a view or shares memory with an input. */
    private CpuStorage st(INDArray r, INDArray... inputs) {
        boolean copy = r.isView() || r.ordering() != 'c' && r.rank() > 1;
        for (INDArray in : inputs) {
            if (in != null && (r == in || r.data().address() == in.data().address())) {
                copy = true;
            }
        }
        return new CpuStorage(this, copy ? r.dup('c') : r);
    }

    private static boolean isFloat(INDArray x) {
        return x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE;
    }

    /** {@code x} materialised to {@code target} (same or lower rank, broadcastable); a new array. */
    private static INDArray expand(INDArray x, long[] target) {
        long[] s = x.shape();
        long[] padded = new long[target.length];
        Arrays.fill(padded, 1);
        System.arraycopy(s, 0, padded, target.length - s.length, s.length);
        INDArray v = Arrays.equals(padded, s) ? x : x.reshape('c', padded);
        if (Arrays.equals(padded, target)) {
            return v.dup('c');
        }
        return v.broadcast(target);
    }

    private static long[] bshape(INDArray a, INDArray b) {
        return Shape.broadcast("broadcast", Shape.of(a.shape()), Shape.of(b.shape())).dims();
    }

    // ------------------------------------------------------------------------------------------------- storage

    @Override
    public TensorStorage fromFloats(float[] data, Shape shape) {
        return new CpuStorage(this, HostArrays.floats(data, shape.dims()));
    }

    @Override
    public TensorStorage fromDoubles(double[] data, Shape shape, DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> new CpuStorage(this, HostArrays.doubles(data, shape.dims()));
            case FLOAT32 -> new CpuStorage(this, HostArrays.fromDoubles(data, shape.dims(), DataType.FLOAT));
            case BOOL -> new CpuStorage(this, HostArrays.fromDoubles(data, shape.dims(), DataType.BOOL));
            case INT64 -> new CpuStorage(this, HostArrays.fromDoubles(data, shape.dims(), DataType.LONG));
        };
    }

    @Override
    public TensorStorage fromLongs(long[] data, Shape shape) {
        return new CpuStorage(this, HostArrays.longs(data, shape.dims()));
    }

    @Override
    public TensorStorage fromBooleans(boolean[] data, Shape shape) {
        return new CpuStorage(this, HostArrays.booleans(data, shape.dims()));
    }

    @Override
    public TensorStorage filled(Shape shape, DType dtype, double value) {
        DataType t = CpuStorage.nd4j(dtype);
        if (shape.size() == 0) {
            return new CpuStorage(this, Nd4j.create(t, shape.dims()));
        }
        if (dtype == DType.BOOL) {
            boolean[] b = new boolean[shape.intSize()];
            Arrays.fill(b, value != 0);
            return fromBooleans(b, shape);
        }
        if (dtype == DType.INT64) {
            long[] l = new long[shape.intSize()];
            Arrays.fill(l, (long) value);
            return fromLongs(l, shape);
        }
        if (shape.rank() == 0) {
            return new CpuStorage(this, t == DataType.FLOAT ? Nd4j.scalar((float) value) : Nd4j.scalar(value));
        }
        return new CpuStorage(this, Nd4j.valueArrayOf(shape.dims(), value, t));
    }

    @Override
    public float[] toFloats(TensorStorage s) {
        return HostArrays.toFloats(a(s));
    }

    @Override
    public double[] toDoubles(TensorStorage s) {
        return HostArrays.toDoubles(a(s));
    }

    @Override
    public long[] toLongs(TensorStorage s) {
        return HostArrays.toLongs(a(s));
    }

    @Override
    public double getDouble(TensorStorage s, long flatIndex) {
        INDArray x = a(s);
        if (x.dataType() == DataType.BOOL) {
            return x.getDouble(flatIndex);
        }
        return x.getDouble(flatIndex);
    }

    @Override
    public long getLong(TensorStorage s, long flatIndex) {
        return a(s).getLong(flatIndex);
    }

    @Override
    public void setDouble(TensorStorage s, long flatIndex, double value) {
        INDArray x = writable(s);
        if (x.dataType() == DataType.BOOL) {
            x.putScalar(flatIndex, value != 0 ? 1 : 0);
        } else {
            x.putScalar(flatIndex, value);
        }
    }

    @Override
    public void assign(TensorStorage dst, TensorStorage src) {
        INDArray d = writable(dst);
        INDArray s = a(src);
        if (Arrays.equals(d.shape(), s.shape())) {
            d.assign(s);
            return;
        }
        INDArray e = expand(s, d.shape());
        d.assign(e);
        e.close();
    }

    @Override
    public TensorStorage cast(TensorStorage s, DType dtype) {
        DataType t = CpuStorage.nd4j(dtype);
        INDArray x = storage(s).array();
        if (x.dataType() == t) {
            return new CpuStorage(this, x.dup('c'));
        }
        if (x.dataType() == DataType.BOOL && (t == DataType.FLOAT || t == DataType.DOUBLE)) {
            // native cast (0/1) into a pooled buffer; the masks of ReLU's gradient take this path on every step
            if (x.rank() == 0 || x.length() == 0) {
                return st(x.castTo(t), x);
            }
            INDArray z = Buffers.uninitialized(t, x.shape());
            z.assign(x);
            return new CpuStorage(this, z);
        }
        if (t == DataType.BOOL || x.dataType() == DataType.BOOL || t == DataType.LONG) {
            return new CpuStorage(this, x.dataType() == DataType.BOOL || t == DataType.BOOL
                    ? boolCast(x, t) : HostArrays.fromLongs(HostArrays.toLongs(x), x.shape(), t));
        }
        return st(x.castTo(t), x);
    }

    private static INDArray boolCast(INDArray x, DataType t) {
        if (t == DataType.BOOL) {
            double[] d = HostArrays.toDoubles(x);
            return HostArrays.fromDoubles(d, x.shape(), DataType.BOOL);
        }
        return HostArrays.fromLongs(HostArrays.toLongs(x), x.shape(), t);
    }

    // ----------------------------------------------------------------------------------------------- elementwise

    @Override
    public TensorStorage unary(UnaryOp op, TensorStorage s) {
        INDArray x = a(s);
        if (!isFloat(x)) {
            return new CpuStorage(this, unaryIntegral(op, x));
        }
        if (x.length() == 0) {
            return new CpuStorage(this, Nd4j.create(x.dataType(), x.shape()));
        }
        if (op == UnaryOp.RELU && x.dataType() == DataType.FLOAT && x.length() >= DEFER_MIN) {
            CpuStorage xs = storage(s);
            return new CpuStorage(this, xs.shape(), DType.FLOAT32, new Relu(xs), () -> {
                INDArray z = Buffers.uninitialized(DataType.FLOAT, xs.shape().dims());
                Nd4j.exec(new RectifiedLinear(xs.array(), z, 0.0));
                return z;
            }, xs);
        }
        INDArray r = switch (op) {
            case NEG -> x.neg();
            case ABS -> Transforms.abs(x, true);
            case SIGN -> Transforms.sign(x, true);
            case EXP -> Transforms.exp(x, true);
            case LOG -> Transforms.log(x, true);
            case LOG1P -> Transforms.log1p(x, true);
            case SQRT -> x.dataType() == DataType.FLOAT ? Elementwise.sqrt(x) : Transforms.sqrt(x, true);
            case SQUARE -> x.mul(x, Buffers.uninitialized(x.dataType(), x.shape()));
            case RECIPROCAL -> x.rdiv(1.0);
            case SIN -> Transforms.sin(x, true);
            case COS -> Transforms.cos(x, true);
            case FLOOR -> Transforms.floor(x, true);
            case CEIL -> Transforms.ceil(x, true);
            case TANH -> Transforms.tanh(x, true);
            case SIGMOID -> Transforms.sigmoid(x, true);
            case RELU -> {
                INDArray z = Buffers.uninitialized(x.dataType(), x.shape());
                Nd4j.exec(new RectifiedLinear(x, z, 0.0));
                yield z;
            }
            case ERF -> map(x, MathFunctions::erf);
            case GELU_ERF -> map(x, v -> 0.5 * v * (1 + MathFunctions.erf(v / Math.sqrt(2))));
            case GELU_TANH -> map(x, v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI)
                    * (v + 0.044715 * v * v * v))));
            case SOFTPLUS -> map(x, v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
            case NOT -> throw new IllegalArgumentException("not: needs a bool tensor");
        };
        return st(r, x);
    }

    private static INDArray map(INDArray x, DoubleUnaryOperator f) {
        if (x.dataType() == DataType.FLOAT) {
            float[] v = x.data().asFloat();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) f.applyAsDouble(v[i]);
            }
            return HostArrays.floats(v, x.shape());
        }
        double[] v = x.data().asDouble();
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(v[i]);
        }
        return HostArrays.doubles(v, x.shape());
    }

    private static INDArray unaryIntegral(UnaryOp op, INDArray x) {
        long[] v = HostArrays.toLongs(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (op) {
                case NEG -> -v[i];
                case ABS -> Math.abs(v[i]);
                case SIGN -> Long.signum(v[i]);
                case SQUARE -> v[i] * v[i];
                case RELU -> Math.max(v[i], 0);
                case NOT -> v[i] == 0 ? 1 : 0;
                default -> throw new IllegalArgumentException(op + " needs a floating-point tensor");
            };
        }
        return HostArrays.fromLongs(v, x.shape(), x.dataType());
    }

    @Override
    public TensorStorage scalar(ScalarOp op, TensorStorage s, double value) {
        INDArray x = a(s);
        if (!isFloat(x) || Double.isNaN(value)) {
            // ND4J's scalar ops lose a NaN operand (x + NaN came back as x - 1e-5): computed in Java, IEEE as in PyTorch
            return new CpuStorage(this, scalarInJava(op, x, value));
        }
        if (x.length() == 0) {
            return new CpuStorage(this, Nd4j.create(op.isComparison() ? DataType.BOOL : x.dataType(), x.shape()));
        }
        INDArray r = switch (op) {
            case ADD -> x.add(value, like(x));
            case SUB -> x.sub(value, like(x));
            case RSUB -> x.rsub(value, like(x));
            case MUL -> x.mul(value, like(x));
            case DIV -> x.div(value, like(x));
            case RDIV -> x.rdiv(value, like(x));
            case POW -> value == 2 ? x.mul(x) : value == 1 ? x.dup('c') : Transforms.pow(x, value, true);
            case MAX -> Transforms.max(x, value, true);
            case MIN -> Transforms.min(x, value, true);
            case EQ, NE, LT, LE, GT, GE -> compareNow(op, x, value);
        };
        return st(r, x);
    }

    /** A new uninitialised array of the type and shape of {@code x} (pooled when large; see {@link Buffers}). */
    private static INDArray like(INDArray x) {
        return Buffers.uninitialized(x.dataType(), x.shape());
    }

    private static INDArray mask(INDArray x) {
        return Buffers.uninitialized(DataType.BOOL, x.shape());
    }

    private static INDArray compareNow(ScalarOp op, INDArray x, double value) {
        INDArray m = mask(x);
        Nd4j.exec(switch (op) {
            case EQ -> new ScalarEquals(x, m, value);
            case NE -> new ScalarNotEquals(x, m, value);
            case LT -> new ScalarLessThan(x, m, value);
            case LE -> new ScalarLessThanOrEqual(x, m, value);
            case GT -> new ScalarGreaterThan(x, m, value);
            case GE -> new ScalarGreaterThanOrEqual(x, m, value);
            default -> throw new IllegalStateException("not a comparison: " + op);
        });
        return m;
    }

    private static INDArray scalarInJava(ScalarOp op, INDArray x, double s) {
        double[] v = HostArrays.toDoubles(x);
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = MathFunctions.scalar(op, v[i], s);
        }
        DataType t = op.isComparison() ? DataType.BOOL : x.dataType();
        return HostArrays.fromDoubles(o, x.shape(), t);
    }

    @Override
    public TensorStorage binary(BinaryOp op, TensorStorage sa, TensorStorage sb) {
        INDArray x = a(sa);
        INDArray y = a(sb);
        long[] out = bshape(x, y);
        if (!isFloat(x) || op == BinaryOp.AND || op == BinaryOp.OR || op == BinaryOp.LE || op == BinaryOp.GE) {
            return new CpuStorage(this, binaryHost(op, x, y, out));
        }
        boolean same = Arrays.equals(x.shape(), y.shape()) && x.length() > 0;
        if (!same && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV)) {
            // ND4J's native broadcasting is slow at higher ranks (FDConv's [B,Cout,Cin,k,k] x [B,1,1,k,k]): run loops
            INDArray fast = Broadcast.binary(Broadcast.Op.valueOf(op.name()), x, y, out);
            if (fast != null) {
                return new CpuStorage(this, fast);
            }
        }
        INDArray r = switch (op) {
            case ADD -> same ? x.add(y, like(x)) : x.add(y);
            case SUB -> same ? x.sub(y, like(x)) : x.sub(y);
            case MUL -> same ? x.mul(y, like(x)) : x.mul(y);
            case DIV -> same ? x.div(y, like(x)) : x.div(y);
            case EQ, NE, LT, GT -> {
                // ND4J's comparisons broadcast one side only: [n, 1] against [1, n] is materialised first
                INDArray ex = Arrays.equals(x.shape(), out) ? x : expand(x, out);
                INDArray ey = Arrays.equals(y.shape(), out) ? y : expand(y, out);
                INDArray res = switch (op) {
                    case EQ -> ex.eq(ey);
                    case NE -> ex.neq(ey);
                    case LT -> ex.lt(ey);
                    default -> ex.gt(ey);
                };
                if (ex != x) {
                    ex.close();
                }
                if (ey != y) {
                    ey.close();
                }
                yield res;
            }
            case POW, MAX, MIN -> {
                // ND4J's pairwise pow/max/min do not broadcast correctly (measured: pow of [2,3] by [1,3]
                // repeats row 0), so both sides are materialised to the output shape first.
                INDArray ex = Arrays.equals(x.shape(), out) ? x : expand(x, out);
                INDArray ey = Arrays.equals(y.shape(), out) ? y : expand(y, out);
                INDArray res = switch (op) {
                    case POW -> Transforms.pow(ex, ey, true);
                    case MAX -> Transforms.max(ex, ey, true);
                    default -> Transforms.min(ex, ey, true);
                };
                if (ex != x) {
                    ex.close();
                }
                if (ey != y) {
                    ey.close();
                }
                yield res;
            }
            default -> throw new IllegalStateException("unhandled " + op);
        };
        if (!Arrays.equals(r.shape(), out)) {
            throw new IllegalStateException("ND4J " + op + " of " + Arrays.toString(x.shape()) + " and "
                    + Arrays.toString(y.shape()) + " gave " + Arrays.toString(r.shape()) + ", expected "
                    + Arrays.toString(out));
        }
        return st(r, x, y);
    }

    private static INDArray binaryHost(BinaryOp op, INDArray x, INDArray y, long[] out) {
        Shape os = Shape.of(out);
        int[] mx = HostArrays.broadcastMap(Shape.of(x.shape()), os);
        int[] my = HostArrays.broadcastMap(Shape.of(y.shape()), os);
        boolean integral = x.dataType() == DataType.LONG || x.dataType() == DataType.BOOL;
        if (integral) {
            long[] xs = HostArrays.toLongs(x);
            long[] ys = HostArrays.toLongs(y);
            long[] o = new long[mx.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = MathFunctions.binary(op, xs[mx[i]], ys[my[i]]);
            }
            DataType t = op.isComparison() ? DataType.BOOL : x.dataType();
            return HostArrays.fromLongs(o, out, t);
        }
        double[] xs = HostArrays.toDoubles(x);
        double[] ys = HostArrays.toDoubles(y);
        double[] o = new double[mx.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = MathFunctions.binary(op, xs[mx[i]], ys[my[i]]);
        }
        return HostArrays.fromDoubles(o, out, op.isComparison() ? DataType.BOOL : x.dataType());
    }

    @Override
    public void binaryInPlace(BinaryOp op, TensorStorage target, TensorStorage other) {
        INDArray t = writable(target);
        INDArray o = a(other);
        if (!isFloat(t) || op.isComparison() || op == BinaryOp.POW || op == BinaryOp.MAX || op == BinaryOp.MIN) {
            TensorStorage r = binary(op, target, other);
            t.assign(a(r));
            r.close();
            return;
        }
        INDArray e = Arrays.equals(t.shape(), o.shape()) ? o : expand(o, t.shape());
        switch (op) {
            case ADD -> t.addi(e);
            case SUB -> t.subi(e);
            case MUL -> t.muli(e);
            case DIV -> t.divi(e);
            default -> throw new IllegalStateException("unhandled " + op);
        }
        if (e != o) {
            e.close();
        }
    }

    @Override
    public void scalarInPlace(ScalarOp op, TensorStorage target, double value) {
        INDArray t = writable(target);
        if (!isFloat(t) || op.isComparison()) {
            TensorStorage r = scalar(op, target, value);
            t.assign(a(r));
            r.close();
            return;
        }
        switch (op) {
            case ADD -> t.addi(value);
            case SUB -> t.subi(value);
            case RSUB -> t.rsubi(value);
            case MUL -> t.muli(value);
            case DIV -> t.divi(value);
            case RDIV -> t.rdivi(value);
            case POW -> Transforms.pow(t, value, false);
            case MAX -> Transforms.max(t, value, false);
            case MIN -> Transforms.min(t, value, false);
            default -> throw new IllegalStateException("unhandled " + op);
        }
    }

    @Override
    public TensorStorage where(TensorStorage cond, TensorStorage sa, TensorStorage sb) {
        INDArray c = a(cond);
        INDArray x = a(sa);
        INDArray y = a(sb);
        long[] out = Shape.broadcast("where", Shape.broadcast("where", Shape.of(c.shape()), Shape.of(x.shape())),
                Shape.of(y.shape())).dims();
        Shape os = Shape.of(out);
        int[] mc = HostArrays.broadcastMap(Shape.of(c.shape()), os);
        int[] mx = HostArrays.broadcastMap(Shape.of(x.shape()), os);
        int[] my = HostArrays.broadcastMap(Shape.of(y.shape()), os);
        long[] cs = HostArrays.toLongs(c);
        int[] map = new int[mc.length];
        boolean[] fromX = new boolean[mc.length];
        for (int i = 0; i < map.length; i++) {
            fromX[i] = cs[mc[i]] != 0;
        }
        // take from x where the condition holds, from y elsewhere, without arithmetic (so inf/NaN never leak).
        if (x.dataType() == DataType.FLOAT) {
            float[] xs = x.data().asFloat();
            float[] ys = y.data().asFloat();
            float[] o = new float[map.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = fromX[i] ? xs[mx[i]] : ys[my[i]];
            }
            return new CpuStorage(this, HostArrays.floats(o, out));
        }
        if (x.dataType() == DataType.DOUBLE) {
            double[] xs = x.data().asDouble();
            double[] ys = y.data().asDouble();
            double[] o = new double[map.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = fromX[i] ? xs[mx[i]] : ys[my[i]];
            }
            return new CpuStorage(this, HostArrays.doubles(o, out));
        }
        long[] xs = HostArrays.toLongs(x);
        long[] ys = HostArrays.toLongs(y);
        long[] o = new long[map.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = fromX[i] ? xs[mx[i]] : ys[my[i]];
        }
        return new CpuStorage(this, HostArrays.fromLongs(o, out, x.dataType()));
    }

    // ---------------------------------------------------------------------------------------------- reductions

    @Override
    public TensorStorage reduce(ReduceOp op, TensorStorage s, int[] axes, boolean keepDim) {
        INDArray x = a(s);
        if (!isFloat(x)) {
            return new CpuStorage(this, reduceHost(op, x, axes, keepDim));
        }
        INDArray r = switch (op) {
            case SUM -> x.sum(keepDim, axes);
            case MEAN -> x.mean(keepDim, axes);
            case MAX -> x.max(keepDim, axes);
            case MIN -> x.min(keepDim, axes);
            case PROD -> x.prod(keepDim, axes);
        };
        long[] expect = Shape.of(x.shape()).reduce(axes, keepDim).dims();
        if (!Arrays.equals(r.shape(), expect)) {
            INDArray fixed = r.reshape('c', expect);
            return st(fixed, x);
        }
        return st(r, x);
    }

    private static INDArray reduceHost(ReduceOp op, INDArray x, int[] axes, boolean keepDim) {
        // Integer reductions are rare (counts, index arithmetic): move the reduced axes last and fold in Java.
        Shape s = Shape.of(x.shape());
        boolean[] red = new boolean[s.rank()];
        for (int ax : axes) {
            red[ax] = true;
        }
        int[] perm = new int[s.rank()];
        int p = 0;
        long groups = 1;
        long len = 1;
        for (int i = 0; i < s.rank(); i++) {
            if (!red[i]) {
                perm[p++] = i;
                groups *= s.dim(i);
            }
        }
        for (int i = 0; i < s.rank(); i++) {
            if (red[i]) {
                perm[p++] = i;
                len *= s.dim(i);
            }
        }
        INDArray t = x.permute(perm).dup('c');
        long[] v = HostArrays.toLongs(t);
        t.close();
        long[] o = new long[(int) groups];
        for (int g = 0; g < groups; g++) {
            long acc = switch (op) {
                case SUM, MEAN -> 0;
                case PROD -> 1;
                case MAX -> Long.MIN_VALUE;
                case MIN -> Long.MAX_VALUE;
            };
            for (int k = 0; k < len; k++) {
                long e = v[(int) (g * len + k)];
                acc = switch (op) {
                    case SUM, MEAN -> acc + e;
                    case PROD -> acc * e;
                    case MAX -> Math.max(acc, e);
                    case MIN -> Math.min(acc, e);
                };
            }
            o[g] = op == ReduceOp.MEAN ? acc / Math.max(1, len) : acc;
        }
        return HostArrays.fromLongs(o, s.reduce(axes, keepDim).dims(), DataType.LONG);
    }

    @Override
    public TensorStorage argMax(TensorStorage s, int axis, boolean keepDim) {
        INDArray x = a(s);
        Shape sh = Shape.of(x.shape());
        int[] sp = HostArrays.split(sh, axis);
        double[] v = HostArrays.toDoubles(x);
        long[] o = new long[sp[0] * sp[2]];
        for (int outer = 0; outer < sp[0]; outer++) {
            for (int in = 0; in < sp[2]; in++) {
                int best = 0;
                double bv = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < sp[1]; k++) {
                    double e = v[(outer * sp[1] + k) * sp[2] + in];
                    if (e > bv || Double.isNaN(e) && !Double.isNaN(bv)) {
                        bv = e;
                        best = k;
                    }
                }
                o[outer * sp[2] + in] = best;
            }
        }
        return new CpuStorage(this, HostArrays.longs(o, sh.reduce(new int[] {axis}, keepDim).dims()));
    }

    @Override
    public StoragePair topK(TensorStorage s, int k, int axis, boolean largest) {
        INDArray x = a(s);
        Shape sh = Shape.of(x.shape());
        int[] sp = HostArrays.split(sh, axis);
        double[] v = HostArrays.toDoubles(x);
        int n = sp[1];
        int[] map = new int[sp[0] * k * sp[2]];
        long[] idx = new long[map.length];
        Integer[] order = new Integer[n];
        for (int outer = 0; outer < sp[0]; outer++) {
            for (int in = 0; in < sp[2]; in++) {
                final int base = outer * n * sp[2] + in;
                final int stride = sp[2];
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                Arrays.sort(order, (p, q) -> {
                    int c = Double.compare(v[base + q * stride], v[base + p * stride]);
                    return largest ? c : -c;
                });
                for (int j = 0; j < k; j++) {
                    int pos = (outer * k + j) * sp[2] + in;
                    map[pos] = base + order[j] * stride;
                    idx[pos] = order[j];
                }
            }
        }
        long[] od = sh.with(axis, k).dims();
        return new StoragePair(new CpuStorage(this, HostArrays.take(x, map, od)),
                new CpuStorage(this, HostArrays.longs(idx, od)));
    }

    @Override
    public TensorStorage cumsum(TensorStorage s, int axis, boolean reverse) {
        INDArray x = a(s);
        Shape sh = Shape.of(x.shape());
        int[] sp = HostArrays.split(sh, axis);
        if (isFloat(x)) {
            double[] v = HostArrays.toDoubles(x);
            for (int outer = 0; outer < sp[0]; outer++) {
                for (int in = 0; in < sp[2]; in++) {
                    double acc = 0;
                    for (int j = 0; j < sp[1]; j++) {
                        int k = reverse ? sp[1] - 1 - j : j;
                        int p = (outer * sp[1] + k) * sp[2] + in;
                        acc += v[p];
                        v[p] = acc;
                    }
                }
            }
            return new CpuStorage(this, HostArrays.fromDoubles(v, x.shape(), x.dataType()));
        }
        long[] v = HostArrays.toLongs(x);
        for (int outer = 0; outer < sp[0]; outer++) {
            for (int in = 0; in < sp[2]; in++) {
                long acc = 0;
                for (int j = 0; j < sp[1]; j++) {
                    int k = reverse ? sp[1] - 1 - j : j;
                    int p = (outer * sp[1] + k) * sp[2] + in;
                    acc += v[p];
                    v[p] = acc;
                }
            }
        }
        return new CpuStorage(this, HostArrays.fromLongs(v, x.shape(), DataType.LONG));
    }

    // --------------------------------------------------------------------------------------------------- shape

    @Override
    public TensorStorage reshape(TensorStorage s, Shape shape) {
        INDArray x = a(s);
        if (shape.rank() == 0) {
            return new CpuStorage(this, x.reshape('c', new long[0]).dup('c'));
        }
        return st(x.reshape('c', shape.dims()), x);
    }

    @Override
    public TensorStorage permute(TensorStorage s, int[] perm) {
        INDArray x = a(s);
        if (swapsLastTwo(perm) && Elementwise.canTranspose(x)) {
            return new CpuStorage(this, Elementwise.transposeLastTwo(x));
        }
        return new CpuStorage(this, x.permute(perm).dup('c'));
    }

    /** Whether {@code perm} is the identity except for a swap of the last two axes. */
    private static boolean swapsLastTwo(int[] perm) {
        int r = perm.length;
        if (r < 2 || perm[r - 2] != r - 1 || perm[r - 1] != r - 2) {
            return false;
        }
        for (int i = 0; i < r - 2; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }

    @Override
    public TensorStorage broadcastTo(TensorStorage s, Shape shape) {
        INDArray x = a(s);
        INDArray fast = Broadcast.floats(x, shape.dims());
        if (fast != null) {
            return new CpuStorage(this, fast);
        }
        return st(expand(x, shape.dims()), x);
    }

    @Override
    public TensorStorage concat(List<TensorStorage> xs, int axis) {
        INDArray[] arrs = xs.stream().map(this::a).toArray(INDArray[]::new);
        if (arrs.length == 1) {
            return new CpuStorage(this, arrs[0].dup('c'));
        }
        return st(Nd4j.concat(axis, arrs), arrs);
    }

    @Override
    public TensorStorage slice(TensorStorage s, long[] start, long[] stop, long[] step) {
        INDArray x = a(s);
        long[] outDims = new long[start.length];
        for (int d = 0; d < start.length; d++) {
            outDims[d] = Math.max(0, (stop[d] - start[d] + step[d] - 1) / step[d]);
        }
        if (Shape.of(outDims).size() == 0) {
            return new CpuStorage(this, Nd4j.create(x.dataType(), outDims));
        }
        INDArrayIndex[] idx = new INDArrayIndex[start.length];
        for (int d = 0; d < start.length; d++) {
            idx[d] = stridedRange(start[d], step[d], outDims[d]);
        }
        INDArray v = x.get(idx);
        INDArray r = v.dup('c');
        if (!Arrays.equals(r.shape(), outDims)) {
            r = r.reshape('c', outDims).dup('c');
        }
        return new CpuStorage(this, r);
    }

    /**
     * The {@code count} positions {@code start, start + step, ...} as an ND4J index. ND4J rounds an exclusive
     * interval's end up to a whole number of steps (x[0:1:3] of 2 rows becomes Interval(b=0,e=3,s=3) and is
     * refused), so the end given is the last position, inclusive; one position is a plain interval of length 1.
     */
    private static INDArrayIndex stridedRange(long start, long step, long count) {
        if (count == 1) {
            return NDArrayIndex.interval(start, start + 1);
        }
        return NDArrayIndex.interval(start, step, start + (count - 1) * step, true);
    }

    @Override
    public TensorStorage embed(TensorStorage s, Shape outShape, long[] start, long[] step, double fill) {
        INDArray x = a(s);
        TensorStorage out = filled(outShape, CpuStorage.dtype(x.dataType()), fill);
        INDArray o = a(out);
        if (x.length() == 0) {
            return out;
        }
        INDArrayIndex[] idx = new INDArrayIndex[start.length];
        for (int d = 0; d < start.length; d++) {
            long n = x.size(d);
            idx[d] = stridedRange(start[d], step[d], n);
        }
        o.get(idx).assign(x.reshape('c', x.shape()));
        return out;
    }

    // ------------------------------------------------------------------------------------------------ indexing

    @Override
    public TensorStorage gather(TensorStorage s, int axis, TensorStorage index) {
        INDArray x = a(s);
        INDArray i = a(index);
        int[] map = HostArrays.gatherMap("gather", Shape.of(x.shape()), Shape.of(i.shape()), axis,
                HostArrays.toLongs(i));
        return new CpuStorage(this, HostArrays.take(x, map, i.shape()));
    }

    @Override
    public TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        INDArray i = a(index);
        INDArray v = a(src);
        int[] map = HostArrays.gatherMap("scatterAdd", shape, Shape.of(i.shape()), axis, HostArrays.toLongs(i));
        return new CpuStorage(this, HostArrays.scatterAdd(v, map, shape.dims()));
    }

    @Override
    public TensorStorage indexSelect(TensorStorage s, int axis, TensorStorage index) {
        INDArray x = a(s);
        long[] idx = HostArrays.toLongs(a(index));
        Shape xs = Shape.of(x.shape());
        int[] map = HostArrays.indexSelectMap("indexSelect", xs, axis, idx);
        return new CpuStorage(this, HostArrays.take(x, map, xs.with(axis, idx.length).dims()));
    }

    @Override
    public TensorStorage indexAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        long[] idx = HostArrays.toLongs(a(index));
        int[] map = HostArrays.indexSelectMap("indexAdd", shape, axis, idx);
        return new CpuStorage(this, HostArrays.scatterAdd(a(src), map, shape.dims()));
    }

    // ------------------------------------------------------------------------------------------ linear algebra

    @Override
    public TensorStorage matmul(TensorStorage sa, TensorStorage sb) {
        INDArray x = a(sa);
        INDArray y = a(sb);
        int ra = x.rank();
        int rb = y.rank();
        long m = x.size(ra - 2);
        long k = x.size(ra - 1);
        long n = y.size(rb - 1);
        if (ra == 2 && rb == 2) {
            return m * n * k == 0 ? st(x.mmul(y), x, y) : new CpuStorage(this, gemm(x, y, m, n));
        }
        long[] batchA = Arrays.copyOf(x.shape(), ra - 2);
        long[] batchB = Arrays.copyOf(y.shape(), rb - 2);
        long[] batch = Shape.broadcast("matmul", Shape.of(batchA), Shape.of(batchB)).dims();
        long b = Shape.of(batch).size();
        long[] outDims = Arrays.copyOf(batch, batch.length + 2);
        outDims[batch.length] = m;
        outDims[batch.length + 1] = n;
        if (rb == 2) {
            // [..., m, k] @ [k, n]: one GEMM over all rows of x.
            INDArray flat = x.reshape('c', b * m, k);
            if (b * m * n * k == 0) {
                return st(flat.mmul(y).reshape('c', outDims), x, y);
            }
            INDArray z = Buffers.uninitialized(x.dataType(), outDims);
            Nd4j.gemm(flat, y, z.reshape('c', b * m, n), false, false, 1.0, 0.0);
            return new CpuStorage(this, z);
        }
        long[] fullA = Arrays.copyOf(batch, batch.length + 2);
        fullA[batch.length] = m;
        fullA[batch.length + 1] = k;
        long[] fullB = Arrays.copyOf(batch, batch.length + 2);
        fullB[batch.length] = k;
        fullB[batch.length + 1] = n;
        INDArray ea = Arrays.equals(x.shape(), fullA) ? x : expand(x, fullA);
        INDArray eb = Arrays.equals(y.shape(), fullB) ? y : expand(y, fullB);
        INDArray r = Nd4j.matmul(ea.reshape('c', b, m, k), eb.reshape('c', b, k, n));
        if (ea != x) {
            ea.close();
        }
        if (eb != y) {
            eb.close();
        }
        return st(r.reshape('c', outDims), x, y);
    }

    /**
     * {@code x @ y} written by one GEMM straight into a C-ordered (pooled) result: {@code mmul} returns an F-ordered
     * array, which a tensor would have to copy.
     */
    private static INDArray gemm(INDArray x, INDArray y, long m, long n) {
        INDArray z = Buffers.uninitialized(x.dataType(), m, n);
        Nd4j.gemm(x, y, z, false, false, 1.0, 0.0);
        return z;
    }

    /** Transposed operands of 2-D products become GEMM's transpose flags (no transposed copy is made). */
    @Override
    public TensorStorage matmul(TensorStorage sa, boolean transposeA, TensorStorage sb, boolean transposeB) {
        INDArray x = a(sa);
        INDArray y = a(sb);
        if (x.rank() != 2 || y.rank() != 2 || x.length() == 0 || y.length() == 0 || !isFloat(x)) {
            return TensorKernels.super.matmul(sa, transposeA, sb, transposeB);
        }
        long m = transposeA ? x.size(1) : x.size(0);
        long n = transposeB ? y.size(0) : y.size(1);
        INDArray z = Buffers.uninitialized(x.dataType(), m, n);
        Nd4j.gemm(x, y, z, transposeA, transposeB, 1.0, 0.0);
        fused("matmulTransposed");
        return new CpuStorage(this, z);
    }

    /**
     * ReLU's gradient in one pass over {@code x} and {@code g}; when {@code g} is a deferred max-pooling gradient
     * (the ReLU fed a max pool), routing and masking happen together and the unmasked gradient is never written.
     */
    @Override
    public TensorStorage reluBackward(TensorStorage xs, TensorStorage gs) {
        CpuStorage x = storage(xs);
        CpuStorage g = storage(gs);
        if (x.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32 || !x.shape().equals(g.shape())) {
            return TensorKernels.super.reluBackward(xs, gs);
        }
        if (g.recipe() instanceof MaxPoolGrad pg) {
            fused("reluBackward(maxPool2dBackward)");
            return new CpuStorage(this, PoolKernels.maxPool2dBackwardMasked(pg.gradOut().array(),
                    pg.indices().array(), pg.inputShape(), x.array()));
        }
        fused("reluBackward");
        return new CpuStorage(this, Elementwise.reluBackward(x.array(), g.array()));
    }

    @Override
    public StoragePair eigh(TensorStorage s) {
        INDArray x = a(s);
        LinalgKernels.EighResult r = LinalgKernels.eigh(x);
        return new StoragePair(like(r.eigenvalues(), x), like(r.eigenvectors(), x));
    }

    @Override
    public TensorStorage svdvals(TensorStorage s) {
        INDArray x = a(s);
        return like(LinalgKernels.svdvals(x), x);
    }

    @Override
    public TensorStorage inv(TensorStorage s) {
        INDArray x = a(s);
        return like(LinalgKernels.inv(x), x);
    }

    /** A float32 kernel result in the dtype of {@code ref} (the kernels family computes and returns float32). */
    private CpuStorage like(INDArray r, INDArray ref) {
        if (r.dataType() != ref.dataType()) {
            INDArray c = r.castTo(ref.dataType());
            if (c != r && r.closeable()) {
                r.close();
            }
            return st(c, ref);
        }
        return st(r, ref);
    }

    // ---------------------------------------------------------------------------------------------------- nn

    @Override
    public TensorStorage softmax(TensorStorage s, int axis, boolean log) {
        INDArray x = a(s);
        if (!log && x.rank() > 0 && x.length() > 0 && axis == x.rank() - 1) {
            // ND4J's fused softmax op (max-shifted, so stable): one pass instead of five ops. Only along the last
            // axis: on a rank-4 input along axis 1 (class axis of segmentation logits) it returns wrong values.
            INDArray z = like(x);
            Nd4j.exec(new SoftMax(x, z, axis));
            return new CpuStorage(this, z);
        }
        INDArray m = x.max(true, axis);
        INDArray shifted = x.sub(m);
        m.close();
        INDArray e = Transforms.exp(shifted, true);
        INDArray sum = e.sum(true, axis);
        if (log) {
            e.close();
            Transforms.log(sum, false);
            shifted.subi(sum);
            sum.close();
            return st(shifted, x);
        }
        shifted.close();
        e.divi(sum);
        sum.close();
        return st(e, x);
    }

    @Override
    public TensorStorage conv2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                int[] padding, int[] dilation, int groups) {
        INDArray xi = a(x);
        return like(Conv2dKernels.forward(xi, a(weight), opt(bias), stride, padding, dilation, groups), xi);
    }

    @Override
    public ConvGrads conv2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias, TensorStorage gradOut,
                                    int[] stride, int[] padding, int[] dilation, int groups) {
        INDArray xi = a(x);
        INDArray wi = a(weight);
        INDArray gi = a(gradOut);
        if (xi.dataType() == DataType.FLOAT && Conv2dKernels.backwardSplits(xi.shape(), wi.shape(), stride, padding,
                dilation, groups)) {
            // The input gradient is computed only if somebody reads it: autograd drops it unread when the input needs
            // no gradient (a network's first layer, where it measured as costly as the weight gradient).
            INDArray[] wb = Conv2dKernels.backwardWeightAndBias(xi, gi, wi.shape(), hasBias, stride, padding,
                    dilation, groups);
            long[] xs = xi.shape();
            CpuStorage dx = new CpuStorage(this, Shape.of(xs), DType.FLOAT32, "conv2d input gradient",
                    () -> Conv2dKernels.backwardInput(gi, wi, xs, stride, padding, dilation, groups),
                    (CpuStorage) x, (CpuStorage) weight, (CpuStorage) gradOut);
            return new ConvGrads(dx, like(wb[0], xi), wb[1] == null ? null : like(wb[1], xi));
        }
        Conv2dGrads g = Conv2dKernels.backward(xi, wi, hasBias, gi, stride, padding, dilation, groups);
        return new ConvGrads(like(g.dx(), xi), like(g.dw(), xi),
                g.db() == null ? null : like(g.db(), xi));
    }

    @Override
    public TensorStorage convTranspose2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                         int[] padding, int[] outputPadding, int[] dilation, int groups) {
        INDArray xi = a(x);
        return like(ConvTranspose2dKernels.forward(xi, a(weight), opt(bias), stride, padding, outputPadding, dilation,
                groups), xi);
    }

    @Override
    public ConvGrads convTranspose2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias,
                                             TensorStorage gradOut, int[] stride, int[] padding, int[] outputPadding,
                                             int[] dilation, int groups) {
        INDArray xi = a(x);
        INDArray wi = a(weight);
        INDArray gi = a(gradOut);
        Conv2dGrads g = ConvTranspose2dKernels.backward(xi, wi, hasBias, gi, stride, padding, outputPadding,
                dilation, groups);
        return new ConvGrads(like(g.dx(), xi), like(g.dw(), xi),
                g.db() == null ? null : like(g.db(), xi));
    }

    @Override
    public StoragePair maxPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                 boolean ceilMode) {
        CpuStorage xs = storage(x);
        if (xs.recipe() instanceof Relu relu && PoolKernels.fusesRelu(xs.shape().dims(), kernel, stride, padding,
                dilation, ceilMode)) {
            // pooling a deferred ReLU reads its input: the ReLU output itself is never written
            PoolKernels.MaxPoolResult r = PoolKernels.maxPool2dOfRelu(relu.x().array(), kernel, stride, padding,
                    dilation, ceilMode);
            return new StoragePair(new CpuStorage(this, r.values()), new CpuStorage(this, r.indices()));
        }
        INDArray xi = xs.array();
        PoolKernels.MaxPoolResult r = PoolKernels.maxPool2d(xi, kernel, stride, padding, dilation, ceilMode);
        return new StoragePair(like(r.values(), xi), st(r.indices(), xi));
    }

    @Override
    public TensorStorage maxPool2dBackward(TensorStorage gradOut, TensorStorage indices, Shape inputShape) {
        CpuStorage gs = storage(gradOut);
        CpuStorage is = storage(indices);
        if (gs.dtype() == DType.FLOAT32 && inputShape.size() >= DEFER_MIN) {
            long[] dims = inputShape.dims();
            return new CpuStorage(this, inputShape, DType.FLOAT32, new MaxPoolGrad(gs, is, dims),
                    () -> PoolKernels.maxPool2dBackward(gs.array(), is.array(), dims), gs, is);
        }
        INDArray g = gs.array();
        return like(PoolKernels.maxPool2dBackward(g, a(indices), inputShape.dims()), g);
    }

    @Override
    public TensorStorage avgPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        INDArray xi = a(x);
        return like(PoolKernels.avgPool2d(xi, kernel, stride, padding, ceilMode, countIncludePad), xi);
    }

    @Override
    public TensorStorage avgPool2dBackward(TensorStorage gradOut, Shape inputShape, int[] kernel, int[] stride,
                                           int[] padding, boolean ceilMode, boolean countIncludePad) {
        INDArray g = a(gradOut);
        return like(PoolKernels.avgPool2dBackward(g, inputShape.dims(), kernel, stride, padding, ceilMode,
                countIncludePad), g);
    }

    @Override
    public TensorStorage adaptiveAvgPool2d(TensorStorage x, int[] outputSize) {
        INDArray xi = a(x);
        return like(PoolKernels.adaptiveAvgPool2d(xi, outputSize[0], outputSize[1]), xi);
    }

    @Override
    public TensorStorage adaptiveAvgPool2dBackward(TensorStorage gradOut, Shape inputShape) {
        INDArray g = a(gradOut);
        return like(PoolKernels.adaptiveAvgPool2dBackward(g, inputShape.dims()), g);
    }

    @Override
    public TensorStorage interpolate(TensorStorage x, int[] outputSize, InterpolationMode mode,
                                     boolean alignCorners) {
        INDArray xi = a(x);
        INDArray r = mode == InterpolationMode.NEAREST
                ? InterpolateKernels.nearest(xi, outputSize[0], outputSize[1])
                : InterpolateKernels.bilinear(xi, outputSize[0], outputSize[1], alignCorners);
        return like(r, xi);
    }

    @Override
    public TensorStorage interpolateBackward(TensorStorage gradOut, Shape inputShape, InterpolationMode mode,
                                             boolean alignCorners) {
        INDArray g = a(gradOut);
        INDArray r = mode == InterpolationMode.NEAREST
                ? InterpolateKernels.nearestBackward(g, inputShape.dims(), null, null)
                : InterpolateKernels.bilinearBackward(g, inputShape.dims(), alignCorners, null, null);
        return like(r, g);
    }

    @Override
    public NormResult batchNormTrain(TensorStorage x, TensorStorage weight, TensorStorage bias, double eps) {
        INDArray xi = a(x);
        NormKernels.BatchNormTrainResult r = NormKernels.batchNormTrain(xi, opt(weight), opt(bias), null, null, 0,
                eps);
        closeIfPresent(r.invStd());
        closeIfPresent(r.runningMeanUpdated());
        closeIfPresent(r.runningVarUpdated());
        return new NormResult(like(r.out(), xi), like(r.batchMean(), xi), like(r.batchVar(), xi));
    }

    private static void closeIfPresent(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    @Override
    public TensorStorage batchNormEval(TensorStorage x, TensorStorage weight, TensorStorage bias, TensorStorage mean,
                                       TensorStorage var, double eps) {
        INDArray xi = a(x);
        return like(NormKernels.batchNormEval(xi, opt(weight), opt(bias), a(mean), a(var), eps), xi);
    }

    @Override
    public NormGrads batchNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight,
                                       TensorStorage mean, TensorStorage var, double eps, boolean training) {
        INDArray xi = a(x);
        INDArray g = a(gradOut);
        INDArray w = opt(weight);
        NormKernels.NormGrads r;
        if (training) {
            INDArray invStd = Transforms.pow(a(var).add(eps), -0.5, false);
            r = NormKernels.batchNormTrainBackward(xi, w, true, g, a(mean), invStd);
            invStd.close();
        } else {
            r = NormKernels.batchNormEvalBackward(xi, w, true, g, a(mean), a(var), eps);
        }
        return normGrads(r, w != null, xi, g);
    }

    private NormGrads normGrads(NormKernels.NormGrads r, boolean hasWeight, INDArray... ins) {
        return new NormGrads(like(r.dx(), ins[0]), hasWeight && r.dweight() != null ? like(r.dweight(), ins[0]) : null,
                r.dbias() != null ? like(r.dbias(), ins[0]) : null);
    }

    /** Layer norm; the {@code var} slot of the result carries the reciprocal standard deviation NormKernels saves. */
    @Override
    public NormResult layerNorm(TensorStorage x, TensorStorage weight, TensorStorage bias, int normalizedRank,
                                double eps) {
        INDArray xi = a(x);
        long[] ns = Arrays.copyOfRange(xi.shape(), xi.rank() - normalizedRank, xi.rank());
        NormKernels.NormResult r = NormKernels.layerNorm(xi, ns, opt(weight), opt(bias), eps);
        return new NormResult(like(r.out(), xi), like(r.mean(), xi), like(r.rstd(), xi));
    }

    @Override
    public NormGrads layerNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight,
                                       TensorStorage mean, TensorStorage var, int normalizedRank, double eps) {
        INDArray xi = a(x);
        INDArray g = a(gradOut);
        INDArray w = opt(weight);
        long[] ns = Arrays.copyOfRange(xi.shape(), xi.rank() - normalizedRank, xi.rank());
        NormKernels.NormGrads r = NormKernels.layerNormBackward(xi, ns, w, true, g, a(mean), a(var));
        return normGrads(r, w != null, xi, g);
    }

    // ----------------------------------------------------------------------------------------------------- fft

    @Override
    public StoragePair fft2(TensorStorage re, TensorStorage im, boolean inverse, FftNorm norm) {
        INDArray r = a(re);
        INDArray i = a(im);
        FftKernels.Norm n = FftKernels.Norm.valueOf(norm.name());
        ComplexPair p = inverse ? FftKernels.ifft2(r, i, n) : FftKernels.fft2(r, i, n);
        return new StoragePair(like(p.real(), r), like(p.imag(), r));
    }

    @Override
    public StoragePair rfft2(TensorStorage x, FftNorm norm) {
        INDArray xi = a(x);
        ComplexPair p = FftKernels.rfft2(xi, FftKernels.Norm.valueOf(norm.name()));
        return new StoragePair(like(p.real(), xi), like(p.imag(), xi));
    }

    @Override
    public TensorStorage irfft2(TensorStorage re, TensorStorage im, int[] size, FftNorm norm) {
        INDArray r = a(re);
        return like(FftKernels.irfft2(r, a(im), size, FftKernels.Norm.valueOf(norm.name())), r);
    }
}
