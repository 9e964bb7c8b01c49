package io.tessera.testkit.reference;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.UnaryOp;
import io.tessera.api.tensor.spi.KernelMath;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apiguardian.api.API;

/**
 * The reference backend: the 17 primitive-core kernels of {@link TensorKernels} and nothing else, written for
 * obviousness rather than speed. Data lives on the Java heap ({@code double[]} for floating-point and bool data,
 * {@code long[]} for int64); every loop walks flat row-major indices; sums and products accumulate in float64 and
 * float32 results are rounded once at the end. Every other kernel (softmax, convolution, pooling, norms, FFTs,
 * linear algebra, ...) runs its default composition, so this backend passing the conformance suite proves the
 * defaults, and a new backend can be compared with it op by op.
 *
 * <pre>{@code
 * TensorBackend ref = ReferenceKernels.backend();
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ReferenceKernels implements TensorKernels {
    /** Storages created and not yet closed (tests read it to prove nothing leaks). */
    final AtomicLong open = new AtomicLong();

    /** A new reference backend. */
    public static TensorBackend backend() {
        return TensorBackend.of(new ReferenceKernels());
    }

    /** Storages created and not yet closed. */
    public long openStorages() {
        return open.get();
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String toString() {
        return "ReferenceKernels";
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private ReferenceStorage s(TensorStorage t) {
        if (!(t instanceof ReferenceStorage r) || r.owner != this) {
            throw new IllegalArgumentException("storage " + t + " does not belong to this reference backend");
        }
        if (r.closed) {
            throw new IllegalStateException("storage " + t + " is closed");
        }
        return r;
    }

    /** A value rounded to what {@code dtype} can hold. */
    private static double round(DType dtype, double v) {
        return switch (dtype) {
            case FLOAT32 -> (float) v;
            case BOOL -> v != 0 ? 1 : 0;
            case INT64 -> (long) v;
            case FLOAT64 -> v;
        };
    }

    private ReferenceStorage floats(Shape shape, DType dtype, double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = round(dtype, v[i]);
        }
        return new ReferenceStorage(this, shape, dtype, v, null);
    }

    private ReferenceStorage ints(Shape shape, long[] v) {
        return new ReferenceStorage(this, shape, DType.INT64, null, v);
    }

    /** A storage of {@code dtype} from per-element values computed in double (int64 truncates). */
    private ReferenceStorage make(Shape shape, DType dtype, double[] v) {
        if (dtype == DType.INT64) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                l[i] = (long) v[i];
            }
            return ints(shape, l);
        }
        return floats(shape, dtype, v);
    }

    /** The row-major position in {@code shape} of each axis for flat index {@code flat}. */
    private static long[] unravel(Shape shape, long flat) {
        long[] pos = new long[shape.rank()];
        for (int d = shape.rank() - 1; d >= 0; d--) {
            long n = shape.dim(d);
            pos[d] = flat % n;
            flat /= n;
        }
        return pos;
    }

    /** The flat index in {@code shape} of {@code pos}, read with NumPy broadcasting (size-1 axes repeat). */
    private static int ravelBroadcast(Shape shape, long[] pos) {
        int off = pos.length - shape.rank();
        long flat = 0;
        for (int d = 0; d < shape.rank(); d++) {
            long n = shape.dim(d);
            flat = flat * n + (n == 1 ? 0 : pos[d + off]);
        }
        return (int) flat;
    }

    // ---------------------------------------------------------------------------------------- storage (core)

    @Override
    public TensorStorage fromDoubles(double[] data, Shape shape, DType dtype) {
        return make(shape, dtype, data.clone());
    }

    @Override
    public TensorStorage fromLongs(long[] data, Shape shape) {
        return ints(shape, data.clone());
    }

    @Override
    public double[] toDoubles(TensorStorage t) {
        ReferenceStorage x = s(t);
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.get(i);
        }
        return out;
    }

    @Override
    public long[] toLongs(TensorStorage t) {
        ReferenceStorage x = s(t);
        long[] out = new long[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.dtype == DType.INT64 ? x.longs[i] : (long) x.doubles[i];
        }
        return out;
    }

    @Override
    public void assign(TensorStorage dst, TensorStorage src) {
        ReferenceStorage d = s(dst);
        ReferenceStorage x = s(src);
        for (int i = 0; i < d.size(); i++) {
            int j = ravelBroadcast(x.shape, unravel(d.shape, i));
            if (d.dtype == DType.INT64) {
                d.longs[i] = x.longs[j];
            } else {
                d.doubles[i] = x.doubles[j];
            }
        }
    }

    @Override
    public TensorStorage cast(TensorStorage t, DType dtype) {
        ReferenceStorage x = s(t);
        if (dtype == DType.INT64) {
            return ints(x.shape, toLongs(x));
        }
        return floats(x.shape, dtype, toDoubles(x));
    }

    // ------------------------------------------------------------------------------------ elementwise (core)

    @Override
    public TensorStorage unary(UnaryOp op, TensorStorage t) {
        ReferenceStorage x = s(t);
        if (x.dtype == DType.INT64) {
            long[] out = new long[x.size()];
            for (int i = 0; i < out.length; i++) {
                long v = x.longs[i];
                out[i] = switch (op) {
                    case NEG -> -v;
                    case ABS -> Math.abs(v);
                    case SIGN -> Long.signum(v);
                    case SQUARE -> v * v;
                    case RELU -> Math.max(v, 0);
                    default -> throw new IllegalArgumentException(op + " needs a floating-point tensor");
                };
            }
            return ints(x.shape, out);
        }
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = apply(op, x.doubles[i]);
        }
        return floats(x.shape, x.dtype, out);
    }

    private static double apply(UnaryOp op, double v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Math.signum(v);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case LOG1P -> Math.log1p(v);
            case SQRT -> Math.sqrt(v);
            case SQUARE -> v * v;
            case RECIPROCAL -> 1 / v;
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            case FLOOR -> Math.floor(v);
            case CEIL -> Math.ceil(v);
            case ERF -> KernelMath.erf(v);
            case TANH -> Math.tanh(v);
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case RELU -> v > 0 ? v : (Double.isNaN(v) ? v : 0);
            case GELU_ERF -> 0.5 * v * (1 + KernelMath.erf(v / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            case SOFTPLUS -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
            case NOT -> v == 0 ? 1 : 0;
        };
    }

    @Override
    public TensorStorage binary(BinaryOp op, TensorStorage ta, TensorStorage tb) {
        ReferenceStorage a = s(ta);
        ReferenceStorage b = s(tb);
        Shape out = Shape.broadcast(op.name().toLowerCase(), a.shape, b.shape);
        int n = out.intSize();
        DType rt = op.isComparison() ? DType.BOOL : a.dtype;
        if (a.dtype == DType.INT64 && !op.isComparison()) {
            long[] o = new long[n];
            for (int i = 0; i < n; i++) {
                long[] pos = unravel(out, i);
                long x = a.longs[ravelBroadcast(a.shape, pos)];
                long y = b.longs[ravelBroadcast(b.shape, pos)];
                o[i] = switch (op) {
                    case ADD -> x + y;
                    case SUB -> x - y;
                    case MUL -> x * y;
                    case DIV -> x / y;
                    case POW -> (long) Math.pow(x, y);
                    case MAX -> Math.max(x, y);
                    case MIN -> Math.min(x, y);
                    default -> throw new IllegalStateException("not arithmetic: " + op);
                };
            }
            return ints(out, o);
        }
        double[] o = new double[n];
        for (int i = 0; i < n; i++) {
            long[] pos = unravel(out, i);
            double x = a.get(ravelBroadcast(a.shape, pos));
            double y = b.get(ravelBroadcast(b.shape, pos));
            o[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case POW -> Math.pow(x, y);
                case MAX -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
                case MIN -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
                case EQ -> x == y ? 1 : 0;
                case NE -> x != y ? 1 : 0;
                case LT -> x < y ? 1 : 0;
                case LE -> x <= y ? 1 : 0;
                case GT -> x > y ? 1 : 0;
                case GE -> x >= y ? 1 : 0;
                case AND -> x != 0 && y != 0 ? 1 : 0;
                case OR -> x != 0 || y != 0 ? 1 : 0;
            };
        }
        return floats(out, rt, o);
    }

    // ------------------------------------------------------------------------------------- reductions (core)

    @Override
    public TensorStorage reduce(ReduceOp op, TensorStorage t, int[] axes, boolean keepDim) {
        ReferenceStorage x = s(t);
        Shape kept = x.shape.reduce(axes, true);
        int groups = kept.intSize();
        double[] acc = new double[groups];
        long[] iacc = new long[groups];
        long count = x.shape.size() / Math.max(1, groups);
        java.util.Arrays.fill(acc, switch (op) {
            case SUM, MEAN -> 0;
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        });
        java.util.Arrays.fill(iacc, switch (op) {
            case SUM, MEAN -> 0;
            case PROD -> 1;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
        });
        for (int i = 0; i < x.size(); i++) {
            int g = ravelBroadcast(kept, unravel(x.shape, i));
            if (x.dtype == DType.INT64) {
                long v = x.longs[i];
                iacc[g] = switch (op) {
                    case SUM, MEAN -> iacc[g] + v;
                    case PROD -> iacc[g] * v;
                    case MAX -> Math.max(iacc[g], v);
                    case MIN -> Math.min(iacc[g], v);
                };
            } else {
                double v = x.doubles[i];
                acc[g] = switch (op) {
                    case SUM, MEAN -> acc[g] + v;
                    case PROD -> acc[g] * v;
                    case MAX -> Double.isNaN(v) || Double.isNaN(acc[g]) ? Double.NaN : Math.max(acc[g], v);
                    case MIN -> Double.isNaN(v) || Double.isNaN(acc[g]) ? Double.NaN : Math.min(acc[g], v);
                };
            }
        }
        Shape out = x.shape.reduce(axes, keepDim);
        if (x.dtype == DType.INT64) {
            if (op == ReduceOp.MEAN) {
                for (int g = 0; g < groups; g++) {
                    iacc[g] /= Math.max(1, count);
                }
            }
            return ints(out, iacc);
        }
        if (op == ReduceOp.MEAN) {
            for (int g = 0; g < groups; g++) {
                acc[g] /= count;
            }
        }
        return floats(out, x.dtype, acc);
    }

    // ------------------------------------------------------------------------------------------ layout (core)

    /** A new storage of {@code shape} whose element {@code i} is {@code x}'s element {@code source[i]}. */
    private ReferenceStorage take(ReferenceStorage x, Shape shape, int[] source) {
        if (x.dtype == DType.INT64) {
            long[] o = new long[source.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = x.longs[source[i]];
            }
            return ints(shape, o);
        }
        double[] o = new double[source.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = x.doubles[source[i]];
        }
        return new ReferenceStorage(this, shape, x.dtype, o, null);
    }

    @Override
    public TensorStorage reshape(TensorStorage t, Shape shape) {
        ReferenceStorage x = s(t);
        int[] src = new int[x.size()];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        return take(x, shape, src);
    }

    @Override
    public TensorStorage permute(TensorStorage t, int[] perm) {
        ReferenceStorage x = s(t);
        long[] d = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            d[i] = x.shape.dim(perm[i]);
        }
        Shape out = Shape.of(d);
        long[] strides = x.shape.strides();
        int[] src = new int[out.intSize()];
        for (int i = 0; i < src.length; i++) {
            long[] pos = unravel(out, i);
            long f = 0;
            for (int a = 0; a < perm.length; a++) {
                f += pos[a] * strides[perm[a]];
            }
            src[i] = (int) f;
        }
        return take(x, out, src);
    }

    @Override
    public TensorStorage broadcastTo(TensorStorage t, Shape shape) {
        ReferenceStorage x = s(t);
        int[] src = new int[shape.intSize()];
        for (int i = 0; i < src.length; i++) {
            src[i] = ravelBroadcast(x.shape, unravel(shape, i));
        }
        return take(x, shape, src);
    }

    @Override
    public TensorStorage concat(List<TensorStorage> ts, int axis) {
        ReferenceStorage first = s(ts.get(0));
        long total = 0;
        for (TensorStorage t : ts) {
            total += s(t).shape.dim(axis);
        }
        Shape out = first.shape.with(axis, total);
        int n = out.intSize();
        double[] od = first.dtype == DType.INT64 ? null : new double[n];
        long[] ol = first.dtype == DType.INT64 ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            long[] pos = unravel(out, i);
            long at = pos[axis];
            for (TensorStorage t : ts) {
                ReferenceStorage x = s(t);
                long len = x.shape.dim(axis);
                if (at < len) {
                    pos[axis] = at;
                    int j = (int) x.shape.flatIndex(pos);
                    if (ol != null) {
                        ol[i] = x.longs[j];
                    } else {
                        od[i] = x.doubles[j];
                    }
                    break;
                }
                at -= len;
            }
        }
        return new ReferenceStorage(this, out, first.dtype, od, ol);
    }

    @Override
    public TensorStorage slice(TensorStorage t, long[] start, long[] stop, long[] step) {
        ReferenceStorage x = s(t);
        long[] d = new long[start.length];
        for (int a = 0; a < d.length; a++) {
            d[a] = Math.max(0, (stop[a] - start[a] + step[a] - 1) / step[a]);
        }
        Shape out = Shape.of(d);
        int[] src = new int[out.intSize()];
        for (int i = 0; i < src.length; i++) {
            long[] pos = unravel(out, i);
            for (int a = 0; a < pos.length; a++) {
                pos[a] = start[a] + pos[a] * step[a];
            }
            src[i] = (int) x.shape.flatIndex(pos);
        }
        return take(x, out, src);
    }

    // ---------------------------------------------------------------------------------------- indexing (core)

    private static long checkIndex(String op, long i, long n, int axis) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(op + ": index " + i + " is out of range for axis " + axis
                    + " of size " + n);
        }
        return i;
    }

    @Override
    public TensorStorage gather(TensorStorage t, int axis, TensorStorage index) {
        ReferenceStorage x = s(t);
        ReferenceStorage idx = s(index);
        int[] src = new int[idx.size()];
        for (int i = 0; i < src.length; i++) {
            long[] pos = unravel(idx.shape, i);
            pos[axis] = checkIndex("gather", idx.longs[i], x.shape.dim(axis), axis);
            src[i] = (int) x.shape.flatIndex(pos);
        }
        return take(x, idx.shape, src);
    }

    @Override
    public TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        ReferenceStorage idx = s(index);
        ReferenceStorage v = s(src);
        int n = shape.intSize();
        double[] acc = new double[n];
        long[] iacc = new long[n];
        for (int i = 0; i < idx.size(); i++) {
            long[] pos = unravel(idx.shape, i);
            pos[axis] = checkIndex("scatterAdd", idx.longs[i], shape.dim(axis), axis);
            int j = (int) shape.flatIndex(pos);
            if (v.dtype == DType.INT64) {
                iacc[j] += v.longs[i];
            } else {
                acc[j] += v.doubles[i];
            }
        }
        return v.dtype == DType.INT64 ? ints(shape, iacc) : floats(shape, v.dtype, acc);
    }

    // ------------------------------------------------------------------------------------------ matmul (core)

    @Override
    public TensorStorage matmul(TensorStorage ta, TensorStorage tb) {
        ReferenceStorage a = s(ta);
        ReferenceStorage b = s(tb);
        int ra = a.shape.rank();
        int rb = b.shape.rank();
        long m = a.shape.dim(ra - 2);
        long k = a.shape.dim(ra - 1);
        long n = b.shape.dim(rb - 1);
        Shape batchA = Shape.of(java.util.Arrays.copyOf(a.shape.dims(), ra - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(b.shape.dims(), rb - 2));
        Shape batch = Shape.broadcast("matmul", batchA, batchB);
        long[] od = java.util.Arrays.copyOf(batch.dims(), batch.rank() + 2);
        od[batch.rank()] = m;
        od[batch.rank() + 1] = n;
        Shape out = Shape.of(od);
        double[] o = new double[out.intSize()];
        for (int bi = 0; bi < batch.size(); bi++) {
            long[] pos = unravel(batch, bi);
            int baseA = ravelBroadcast(batchA, pos) * (int) (m * k);
            int baseB = ravelBroadcast(batchB, pos) * (int) (k * n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        acc += a.doubles[baseA + (int) (i * k + p)] * b.doubles[baseB + (int) (p * n + j)];
                    }
                    o[(int) ((bi * m + i) * n + j)] = acc;
                }
            }
        }
        return floats(out, a.dtype, o);
    }
}
