package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/** Default compositions of the elementwise, reduction and layout kernels from the primitive core. */
final class Compose {
    private Compose() {
    }

    static int[] swapLastTwo(int rank) {
        int[] p = identity(rank);
        p[rank - 2] = rank - 1;
        p[rank - 1] = rank - 2;
        return p;
    }

    static int[] identity(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        return p;
    }

    /** The permutation that moves {@code axis} last (its own inverse is {@link #inverse}). */
    static int[] axisLast(int rank, int axis) {
        int[] p = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != axis) {
                p[j++] = i;
            }
        }
        p[rank - 1] = axis;
        return p;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    static Shape permuted(Shape s, int[] perm) {
        long[] d = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            d[i] = s.dim(perm[i]);
        }
        return Shape.of(d);
    }

    static Shape append(Shape s, long last) {
        long[] d = Arrays.copyOf(s.dims(), s.rank() + 1);
        d[s.rank()] = last;
        return Shape.of(d);
    }

    /** A shape of {@code rank} ones except {@code n} at {@code axis}. */
    static Shape along(int rank, int axis, long n) {
        long[] d = new long[rank];
        Arrays.fill(d, 1);
        d[axis] = n;
        return Shape.of(d);
    }

    /** {@code x} flattened, one element at {@code flatIndex}, as a one-element storage. */
    static TensorStorage element(TensorKernels k, Scratch sc, TensorStorage s, long flatIndex) {
        TensorStorage flat = sc.t(k.reshape(s, Shape.of(s.shape().size())));
        return k.slice(flat, new long[] {flatIndex}, new long[] {flatIndex + 1}, new long[] {1});
    }

    static void setDouble(TensorKernels k, TensorStorage s, long flatIndex, double value) {
        int i = Math.toIntExact(flatIndex);
        TensorStorage v;
        if (s.dtype() == DType.INT64) {
            long[] a = k.toLongs(s);
            a[i] = (long) value;
            v = k.fromLongs(a, s.shape());
        } else {
            double[] a = k.toDoubles(s);
            a[i] = value;
            v = k.fromDoubles(a, s.shape(), s.dtype());
        }
        try (v) {
            k.assign(s, v);
        }
    }

    static TensorStorage scalar(TensorKernels k, ScalarOp op, TensorStorage x, double value) {
        try (Scratch sc = new Scratch(k)) {
            DType dt = x.dtype();
            if (!dt.isFloatingPoint()) {
                // integers and bools compute in float64 (exact for |v| < 2^53) and return to their dtype
                TensorStorage r = sc.t(scalar(k, op, sc.t(k.cast(x, DType.FLOAT64)), value));
                return k.cast(r, op.isComparison() ? DType.BOOL : dt);
            }
            TensorStorage s = sc.scalar(value, dt);
            return switch (op) {
                case ADD -> k.binary(BinaryOp.ADD, x, s);
                case SUB -> k.binary(BinaryOp.SUB, x, s);
                case RSUB -> k.binary(BinaryOp.SUB, s, x);
                case MUL -> k.binary(BinaryOp.MUL, x, s);
                case DIV -> k.binary(BinaryOp.DIV, x, s);
                case RDIV -> k.binary(BinaryOp.DIV, s, x);
                case POW -> k.binary(BinaryOp.POW, x, s);
                case MAX -> k.binary(BinaryOp.MAX, x, s);
                case MIN -> k.binary(BinaryOp.MIN, x, s);
                case EQ -> k.binary(BinaryOp.EQ, x, s);
                case NE -> k.binary(BinaryOp.NE, x, s);
                case LT -> k.binary(BinaryOp.LT, x, s);
                case LE -> k.binary(BinaryOp.LE, x, s);
                case GT -> k.binary(BinaryOp.GT, x, s);
                case GE -> k.binary(BinaryOp.GE, x, s);
            };
        }
    }

    /** {@code x} broadcast to {@code shape}, or {@code x} itself when it already has it. */
    static TensorStorage expanded(TensorKernels k, Scratch sc, TensorStorage x, Shape shape) {
        return x.shape().equals(shape) ? x : sc.t(k.broadcastTo(x, shape));
    }

    /** where = gather from {@code [b, a]} stacked on a new last axis, with the condition as the index. */
    static TensorStorage where(TensorKernels k, TensorStorage cond, TensorStorage a, TensorStorage b) {
        Shape out = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Shape out1 = append(out, 1);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage ea = sc.t(k.reshape(expanded(k, sc, a, out), out1));
            TensorStorage eb = sc.t(k.reshape(expanded(k, sc, b, out), out1));
            TensorStorage both = sc.t(k.concat(List.of(eb, ea), out.rank()));
            TensorStorage idx = sc.t(k.reshape(sc.t(k.cast(expanded(k, sc, cond, out), DType.INT64)), out1));
            TensorStorage g = sc.t(k.gather(both, out.rank(), idx));
            return k.reshape(g, out);
        }
    }

    /** An int64 {@code [0, n)} shaped {@link #along} {@code axis}. */
    static TensorStorage arange(Scratch sc, int rank, int axis, long n) {
        long[] v = new long[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return sc.longs(v, along(rank, axis, n));
    }

    static TensorStorage argMax(TensorKernels k, TensorStorage x, int axis, boolean keepDim) {
        int r = x.shape().rank();
        long n = x.shape().dim(axis);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage m = sc.t(k.reduce(ReduceOp.MAX, x, new int[] {axis}, true));
            TensorStorage hit = sc.t(k.binary(BinaryOp.EQ, x, m));
            if (x.dtype().isFloatingPoint()) {
                // NaN is the maximum, as in PyTorch
                hit = sc.t(k.binary(BinaryOp.OR, hit, sc.t(k.binary(BinaryOp.NE, x, x))));
            }
            TensorStorage cand = sc.t(where(k, hit, arange(sc, r, axis, n), sc.t(k.filled(Shape.SCALAR, DType.INT64,
                    n))));
            return k.reduce(ReduceOp.MIN, cand, new int[] {axis}, keepDim);
        }
    }

    static TensorKernels.StoragePair topK(TensorKernels k, TensorStorage x, int kk, int axis, boolean largest) {
        int r = x.shape().rank();
        int[] perm = axisLast(r, axis);
        int[] inv = inverse(perm);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage xt = sc.t(k.permute(x, perm));
            Shape ts = xt.shape();
            long n = ts.dim(r - 1);
            TensorStorage xi = sc.t(k.reshape(xt, append(ts, 1)));   // [..., n, 1]: element i
            TensorStorage xj = sc.t(k.reshape(xt, insertBeforeLast(ts)));   // [..., 1, n]: element j
            // rank_i = #{j : x_j beats x_i} + #{j < i : x_j ties x_i}  (stable order)
            boolean[] before = new boolean[Math.toIntExact(n * n)];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    before[i * (int) n + j] = true;
                }
            }
            TensorStorage tri = sc.t(k.fromBooleans(before, Shape.of(n, n)));
            TensorStorage beats = sc.t(k.binary(largest ? BinaryOp.GT : BinaryOp.LT, xj, xi));
            TensorStorage ties = sc.t(k.binary(BinaryOp.AND, sc.t(k.binary(BinaryOp.EQ, xj, xi)), tri));
            TensorStorage ahead = sc.t(k.cast(sc.t(k.binary(BinaryOp.OR, beats, ties)), DType.INT64));
            TensorStorage rank = sc.t(k.reduce(ReduceOp.SUM, ahead, new int[] {r}, false));   // [..., n]
            TensorStorage positions = sc.t(k.broadcastTo(arange(sc, r, r - 1, n), ts));
            TensorStorage order = sc.t(k.scatterAdd(ts, r - 1, rank, positions));           // order[rank_i] = i
            long[] start = new long[r];
            long[] stop = ts.dims();
            long[] step = new long[r];
            Arrays.fill(step, 1);
            stop[r - 1] = kk;
            TensorStorage idx = sc.t(k.slice(order, start, stop, step));
            TensorStorage vals = sc.t(k.gather(xt, r - 1, idx));
            return new TensorKernels.StoragePair(k.permute(vals, inv), k.permute(idx, inv));
        }
    }

    private static Shape insertBeforeLast(Shape s) {
        int r = s.rank();
        long[] d = new long[r + 1];
        for (int i = 0; i < r - 1; i++) {
            d[i] = s.dim(i);
        }
        d[r - 1] = 1;
        d[r] = s.dim(r - 1);
        return Shape.of(d);
    }

    /** Cumulative sum as a product with a triangular matrix of ones, along the axis moved last. */
    static TensorStorage cumsum(TensorKernels k, TensorStorage x, int axis, boolean reverse) {
        int r = x.shape().rank();
        long n = x.shape().dim(axis);
        int[] perm = axisLast(r, axis);
        try (Scratch sc = new Scratch(k)) {
            DType dt = x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT64;
            TensorStorage xf = x.dtype() == dt ? x : sc.t(k.cast(x, dt));
            double[] tri = new double[Math.toIntExact(n * n)];
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    tri[j * (int) n + i] = (reverse ? j >= i : j <= i) ? 1 : 0;   // out_i = sum_j x_j tri[j][i]
                }
            }
            TensorStorage xt = sc.t(k.permute(xf, perm));
            Shape ts = xt.shape();
            TensorStorage rows = sc.t(k.reshape(xt, Shape.of(ts.size() / Math.max(1, n), n)));
            TensorStorage s = sc.t(k.matmul(rows, sc.doubles(tri, Shape.of(n, n), dt)));
            TensorStorage back = sc.t(k.permute(sc.t(k.reshape(s, ts)), inverse(perm)));
            return k.cast(back, x.dtype());
        }
    }

    /** embed: scatter-add {@code x} into a flat zero tensor at computed positions, then fill the rest. */
    static TensorStorage embed(TensorKernels k, TensorStorage x, Shape outShape, long[] start, long[] step,
                               double fill) {
        Shape xs = x.shape();
        int n = xs.intSize();
        long[] ostr = outShape.strides();
        long[] idx = new long[n];
        int r = xs.rank();
        long[] pos = new long[r];
        for (int e = 0; e < n; e++) {
            long f = 0;
            for (int d = 0; d < r; d++) {
                f += (start[d] + pos[d] * step[d]) * ostr[d];
            }
            idx[e] = f;
            for (int d = r - 1; d >= 0; d--) {
                if (++pos[d] < xs.dim(d)) {
                    break;
                }
                pos[d] = 0;
            }
        }
        long total = outShape.size();
        try (Scratch sc = new Scratch(k)) {
            DType dt = x.dtype();
            boolean bool = dt == DType.BOOL;
            TensorStorage src = sc.t(k.reshape(bool ? sc.t(k.cast(x, DType.INT64)) : x, Shape.of(n)));
            TensorStorage index = sc.longs(idx, Shape.of(n));
            TensorStorage flat = sc.t(k.scatterAdd(Shape.of(total), 0, index, src));
            if (fill != 0) {
                long[] ones = new long[n];
                Arrays.fill(ones, 1);
                TensorStorage hit = sc.t(k.scatterAdd(Shape.of(total), 0, index, sc.longs(ones, Shape.of(n))));
                TensorStorage mask = sc.t(k.cast(hit, DType.BOOL));
                flat = sc.t(where(k, mask, flat, sc.t(k.filled(Shape.SCALAR, flat.dtype(), fill))));
            }
            TensorStorage shaped = sc.t(k.reshape(flat, outShape));
            return k.cast(shaped, dt);
        }
    }

    /** A 1-D int64 {@code index} laid along {@code axis} and broadcast to {@code shape} (for gather/scatter). */
    static TensorStorage expandIndex(TensorKernels k, Scratch sc, TensorStorage index, Shape shape, int axis) {
        TensorStorage col = sc.t(k.reshape(index, along(shape.rank(), axis, index.shape().dim(0))));
        return expanded(k, sc, col, shape);
    }
}
