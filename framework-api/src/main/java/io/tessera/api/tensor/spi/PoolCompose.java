package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.Shape;

/**
 * Default pooling kernels over the windows of {@link ConvCompose#unfold}, and resampling (adaptive pooling,
 * interpolation) as products with per-axis matrices {@code y = A_h x A_w^T}, whose gradient is
 * {@code A_h^T g A_w}.
 */
final class PoolCompose {
    private PoolCompose() {
    }

    /** PyTorch's pooled size (floor or ceil mode; a ceil-mode window must start inside the padded input). */
    static long outSize(long in, int k, int stride, int pad, int dil, boolean ceilMode) {
        long span = in + 2L * pad - (long) dil * (k - 1) - 1;
        if (span < 0) {
            return 0;
        }
        long out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** Geometry of one pooling call. */
    private record Plan(long n, long c, long h, long w, long oh, long ow, long ch, long cw) {
        static Plan of(Shape x, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
            long h = x.dim(2);
            long w = x.dim(3);
            long oh = outSize(h, k[0], s[0], p[0], d[0], ceil);
            long ow = outSize(w, k[1], s[1], p[1], d[1], ceil);
            long ch = Math.max(h + 2L * p[0], (oh - 1) * s[0] + (long) d[0] * (k[0] - 1) + 1);
            long cw = Math.max(w + 2L * p[1], (ow - 1) * s[1] + (long) d[1] * (k[1] - 1) + 1);
            return new Plan(x.dim(0), x.dim(1), h, w, oh, ow, ch, cw);
        }

        Shape canvas() {
            return Shape.of(n, c, ch, cw);
        }
    }

    static TensorKernels.StoragePair maxPool2d(TensorKernels k, TensorStorage x, int[] kernel, int[] stride,
                                               int[] padding, int[] dil, boolean ceilMode) {
        Plan q = Plan.of(x.shape(), kernel, stride, padding, dil, ceilMode);
        int kk = kernel[0] * kernel[1];
        try (Scratch sc = new Scratch(k)) {
            TensorStorage canvas = ConvCompose.pad(k, sc, x, padding, q.ch, q.cw, Double.NEGATIVE_INFINITY);
            TensorStorage win = sc.t(ConvCompose.unfold(k, sc, canvas, kernel, stride, dil, q.oh, q.ow));
            TensorStorage values = k.reduce(ReduceOp.MAX, win, new int[] {2}, false);
            TensorStorage which = sc.t(k.argMax(win, 2, true));                      // [N, C, 1, oH, oW]
            // flat input position of window offset kk at output (i, j)
            long[] table = new long[Math.toIntExact(kk * q.oh * q.ow)];
            for (int a = 0; a < kernel[0]; a++) {
                for (int b = 0; b < kernel[1]; b++) {
                    for (int i = 0; i < q.oh; i++) {
                        for (int j = 0; j < q.ow; j++) {
                            long hh = i * stride[0] - padding[0] + (long) a * dil[0];
                            long ww = j * stride[1] - padding[1] + (long) b * dil[1];
                            table[(int) (((a * kernel[1] + b) * q.oh + i) * q.ow + j)] = hh * q.w + ww;
                        }
                    }
                }
            }
            TensorStorage t = sc.t(k.broadcastTo(sc.longs(table, Shape.of(1, 1, kk, q.oh, q.ow)),
                    Shape.of(q.n, q.c, kk, q.oh, q.ow)));
            TensorStorage idx = sc.t(k.gather(t, 2, which));
            return new TensorKernels.StoragePair(values, k.reshape(idx, Shape.of(q.n, q.c, q.oh, q.ow)));
        }
    }

    static TensorStorage maxPool2dBackward(TensorKernels k, TensorStorage g, TensorStorage indices, Shape in) {
        Shape gs = g.shape();
        long l = gs.dim(2) * gs.dim(3);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage g2 = sc.t(k.reshape(g, Shape.of(gs.dim(0), gs.dim(1), l)));
            TensorStorage i2 = sc.t(k.reshape(indices, Shape.of(gs.dim(0), gs.dim(1), l)));
            TensorStorage flat = sc.t(k.scatterAdd(Shape.of(in.dim(0), in.dim(1), in.dim(2) * in.dim(3)), 2, i2, g2));
            return k.reshape(flat, in);
        }
    }

    /** The divisor of every average-pooling window {@code [oH, oW]} (PyTorch's clipping rule). */
    private static double[] divisors(Plan q, int[] k, int[] s, int[] p, boolean countIncludePad) {
        double[] d = new double[Math.toIntExact(q.oh * q.ow)];
        for (int i = 0; i < q.oh; i++) {
            for (int j = 0; j < q.ow; j++) {
                long h0 = i * s[0] - p[0];
                long w0 = j * s[1] - p[1];
                long h1 = Math.min(h0 + k[0], q.h + p[0]);
                long w1 = Math.min(w0 + k[1], q.w + p[1]);
                long padded = (h1 - h0) * (w1 - w0);
                h0 = Math.max(h0, 0);
                w0 = Math.max(w0, 0);
                h1 = Math.min(h1, q.h);
                w1 = Math.min(w1, q.w);
                d[(int) (i * q.ow + j)] = countIncludePad ? padded : Math.max(1, (h1 - h0) * (w1 - w0));
            }
        }
        return d;
    }

    static TensorStorage avgPool2d(TensorKernels k, TensorStorage x, int[] kernel, int[] stride, int[] padding,
                                   boolean ceilMode, boolean countIncludePad) {
        int[] one = {1, 1};
        Plan q = Plan.of(x.shape(), kernel, stride, padding, one, ceilMode);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage canvas = ConvCompose.pad(k, sc, x, padding, q.ch, q.cw, 0);
            TensorStorage win = sc.t(ConvCompose.unfold(k, sc, canvas, kernel, stride, one, q.oh, q.ow));
            TensorStorage sum = sc.t(k.reduce(ReduceOp.SUM, win, new int[] {2}, false));
            TensorStorage div = sc.doubles(divisors(q, kernel, stride, padding, countIncludePad),
                    Shape.of(q.oh, q.ow), x.dtype());
            return k.binary(BinaryOp.DIV, sum, div);
        }
    }

    static TensorStorage avgPool2dBackward(TensorKernels k, TensorStorage g, Shape in, int[] kernel, int[] stride,
                                           int[] padding, boolean ceilMode, boolean countIncludePad) {
        int[] one = {1, 1};
        Plan q = Plan.of(in, kernel, stride, padding, one, ceilMode);
        long kk = (long) kernel[0] * kernel[1];
        try (Scratch sc = new Scratch(k)) {
            TensorStorage div = sc.doubles(divisors(q, kernel, stride, padding, countIncludePad),
                    Shape.of(q.oh, q.ow), g.dtype());
            TensorStorage share = sc.t(k.reshape(sc.t(k.binary(BinaryOp.DIV, g, div)),
                    Shape.of(q.n, q.c, 1, q.oh, q.ow)));
            TensorStorage cols = sc.t(k.broadcastTo(share, Shape.of(q.n, q.c, kk, q.oh, q.ow)));
            TensorStorage canvas = ConvCompose.fold(k, sc, cols, q.canvas(), kernel, stride, one);
            return ConvCompose.crop(k, canvas, padding, q.h, q.w);
        }
    }

    /** Row-major {@code [out, in]} resampling matrices for the H and W axes. */
    record Matrices(double[] h, int oh, int ih, double[] w, int ow, int iw) {
    }

    /** {@code y = A_h x A_w^T} ({@code transpose}: {@code A_h^T g A_w}, the gradient). */
    static TensorStorage resample(TensorKernels k, TensorStorage x, Matrices m, boolean transpose) {
        DType dt = x.dtype();
        try (Scratch sc = new Scratch(k)) {
            TensorStorage ah = sc.doubles(m.h(), Shape.of(m.oh(), m.ih()), dt);
            TensorStorage aw = sc.doubles(m.w(), Shape.of(m.ow(), m.iw()), dt);
            if (transpose) {
                TensorStorage t = sc.t(k.matmul(ah, true, x, false));
                return k.matmul(t, aw);
            }
            TensorStorage t = sc.t(k.matmul(ah, x));
            return k.matmul(t, false, aw, true);
        }
    }

    static Matrices adaptiveMatrices(Shape in, int[] out) {
        int ih = (int) in.dim(2);
        int iw = (int) in.dim(3);
        return new Matrices(adaptive(ih, out[0]), out[0], ih, adaptive(iw, out[1]), out[1], iw);
    }

    private static double[] adaptive(int in, int out) {
        double[] a = new double[out * in];
        for (int i = 0; i < out; i++) {
            int s = (int) Math.floorDiv((long) i * in, out);
            int e = (int) -Math.floorDiv(-(long) (i + 1) * in, out);
            for (int j = s; j < e; j++) {
                a[i * in + j] = 1.0 / (e - s);
            }
        }
        return a;
    }

    static Matrices interpolationMatrices(Shape in, int[] out, InterpolationMode mode, boolean alignCorners) {
        int ih = (int) in.dim(2);
        int iw = (int) in.dim(3);
        return new Matrices(axis(ih, out[0], mode, alignCorners), out[0], ih, axis(iw, out[1], mode, alignCorners),
                out[1], iw);
    }

    /** PyTorch's source coordinates: legacy nearest {@code floor(dst * in/out)}, bilinear half-pixel or corners. */
    private static double[] axis(int in, int out, InterpolationMode mode, boolean alignCorners) {
        double[] a = new double[out * in];
        if (mode == InterpolationMode.NEAREST) {
            float ratio = (float) in / out;
            for (int d = 0; d < out; d++) {
                a[d * in + Math.min((int) Math.floor(d * ratio), in - 1)] = 1;
            }
            return a;
        }
        double ratio = alignCorners ? (out > 1 ? (in - 1) / (double) (out - 1) : 0) : in / (double) out;
        for (int d = 0; d < out; d++) {
            double src = alignCorners ? d * ratio : Math.max(0, (d + 0.5) * ratio - 0.5);
            int lo = Math.min((int) Math.floor(src), in - 1);
            int hi = Math.min(lo + 1, in - 1);
            double w1 = src - lo;
            a[d * in + lo] += 1 - w1;
            a[d * in + hi] += w1;
        }
        return a;
    }
}
