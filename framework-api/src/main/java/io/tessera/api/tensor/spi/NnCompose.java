package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.UnaryOp;

/** Default compositions of softmax and the normalisation kernels (forward and backward) from the core. */
final class NnCompose {
    private NnCompose() {
    }

    static TensorStorage softmax(TensorKernels k, TensorStorage x, int axis, boolean log) {
        try (Scratch sc = new Scratch(k)) {
            int[] ax = {axis};
            TensorStorage m = sc.t(k.reduce(ReduceOp.MAX, x, ax, true));
            TensorStorage s = sc.t(k.binary(BinaryOp.SUB, x, m));
            TensorStorage e = sc.t(k.unary(UnaryOp.EXP, s));
            TensorStorage sum = sc.t(k.reduce(ReduceOp.SUM, e, ax, true));
            if (log) {
                return k.binary(BinaryOp.SUB, s, sc.t(k.unary(UnaryOp.LOG, sum)));
            }
            return k.binary(BinaryOp.DIV, e, sum);
        }
    }

    /** Every axis but 1. */
    private static int[] batchAxes(int rank) {
        int[] a = new int[rank - 1];
        a[0] = 0;
        for (int i = 2; i < rank; i++) {
            a[i - 1] = i;
        }
        return a;
    }

    private static int[] range(int from, int to) {
        int[] a = new int[to - from];
        for (int i = from; i < to; i++) {
            a[i - from] = i;
        }
        return a;
    }

    /** A per-channel {@code [C]} tensor shaped to broadcast along axis 1 of a rank-{@code r} tensor. */
    private static TensorStorage channel(TensorKernels k, Scratch sc, TensorStorage v, int r) {
        return v == null ? null : sc.t(k.reshape(v, Compose.along(r, 1, v.shape().dim(0))));
    }

    /** {@code 1 / sqrt(var + eps)}. */
    private static TensorStorage invStd(TensorKernels k, Scratch sc, TensorStorage var, double eps) {
        return sc.t(k.unary(UnaryOp.RECIPROCAL, sc.t(k.unary(UnaryOp.SQRT, sc.t(k.scalar(ScalarOp.ADD, var, eps))))));
    }

    /** {@code x * w + b}, either optional. */
    private static TensorStorage affine(TensorKernels k, Scratch sc, TensorStorage x, TensorStorage w,
                                        TensorStorage b) {
        TensorStorage y = x;
        if (w != null) {
            y = sc.t(k.binary(BinaryOp.MUL, y, w));
        }
        if (b != null) {
            y = sc.t(k.binary(BinaryOp.ADD, y, b));
        }
        return k.cast(y, x.dtype());
    }

    static TensorKernels.NormResult batchNormTrain(TensorKernels k, TensorStorage x, TensorStorage w,
                                                   TensorStorage b, double eps) {
        int r = x.shape().rank();
        int[] axes = batchAxes(r);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage mean = k.reduce(ReduceOp.MEAN, x, axes, false);
            TensorStorage d = sc.t(k.binary(BinaryOp.SUB, x, channel(k, sc, mean, r)));
            TensorStorage var = k.reduce(ReduceOp.MEAN, sc.t(k.unary(UnaryOp.SQUARE, d)), axes, false);
            TensorStorage xhat = sc.t(k.binary(BinaryOp.MUL, d, channel(k, sc, invStd(k, sc, var, eps), r)));
            TensorStorage out = affine(k, sc, xhat, channel(k, sc, w, r), channel(k, sc, b, r));
            return new TensorKernels.NormResult(out, mean, var);
        }
    }

    static TensorStorage batchNormEval(TensorKernels k, TensorStorage x, TensorStorage w, TensorStorage b,
                                       TensorStorage mean, TensorStorage var, double eps) {
        int r = x.shape().rank();
        try (Scratch sc = new Scratch(k)) {
            TensorStorage d = sc.t(k.binary(BinaryOp.SUB, x, channel(k, sc, mean, r)));
            TensorStorage xhat = sc.t(k.binary(BinaryOp.MUL, d, channel(k, sc, invStd(k, sc, var, eps), r)));
            return affine(k, sc, xhat, channel(k, sc, w, r), channel(k, sc, b, r));
        }
    }

    static TensorKernels.NormGrads batchNormBackward(TensorKernels k, TensorStorage g, TensorStorage x,
                                                     TensorStorage w, TensorStorage mean, TensorStorage var,
                                                     double eps, boolean training) {
        int r = x.shape().rank();
        int[] axes = batchAxes(r);
        long m = x.shape().size() / x.shape().dim(1);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage istd = channel(k, sc, invStd(k, sc, var, eps), r);
            TensorStorage xhat = sc.t(k.binary(BinaryOp.MUL, sc.t(k.binary(BinaryOp.SUB, x,
                    channel(k, sc, mean, r))), istd));
            TensorStorage dbias = k.reduce(ReduceOp.SUM, g, axes, false);
            TensorStorage dweight = k.reduce(ReduceOp.SUM, sc.t(k.binary(BinaryOp.MUL, g, xhat)), axes, false);
            TensorStorage scale = w == null ? istd : sc.t(k.binary(BinaryOp.MUL, channel(k, sc, w, r), istd));
            TensorStorage dx;
            if (training) {
                // dx = w istd / M (M g - sum(g) - xhat sum(g xhat))
                TensorStorage t = sc.t(k.scalar(ScalarOp.MUL, g, m));
                t = sc.t(k.binary(BinaryOp.SUB, t, channel(k, sc, dbias, r)));
                t = sc.t(k.binary(BinaryOp.SUB, t, sc.t(k.binary(BinaryOp.MUL, xhat, channel(k, sc, dweight, r)))));
                dx = k.scalar(ScalarOp.DIV, sc.t(k.binary(BinaryOp.MUL, t, scale)), m);
            } else {
                dx = k.binary(BinaryOp.MUL, g, scale);
            }
            if (w == null) {
                dweight.close();
                dweight = null;
            }
            return new TensorKernels.NormGrads(dx, dweight, dbias);
        }
    }

    static TensorKernels.NormResult layerNorm(TensorKernels k, TensorStorage x, TensorStorage w, TensorStorage b,
                                              int nr, double eps) {
        int r = x.shape().rank();
        int[] axes = range(r - nr, r);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage mean = sc.t(k.reduce(ReduceOp.MEAN, x, axes, true));
            TensorStorage d = sc.t(k.binary(BinaryOp.SUB, x, mean));
            TensorStorage var = sc.t(k.reduce(ReduceOp.MEAN, sc.t(k.unary(UnaryOp.SQUARE, d)), axes, true));
            TensorStorage xhat = sc.t(k.binary(BinaryOp.MUL, d, invStd(k, sc, var, eps)));
            TensorStorage out = affine(k, sc, xhat, w, b);
            Shape lead = x.shape().reduce(axes, false);
            return new TensorKernels.NormResult(out, k.reshape(mean, lead), k.reshape(var, lead));
        }
    }

    static TensorKernels.NormGrads layerNormBackward(TensorKernels k, TensorStorage g, TensorStorage x,
                                                     TensorStorage w, TensorStorage mean, TensorStorage var, int nr,
                                                     double eps) {
        int r = x.shape().rank();
        int[] axes = range(r - nr, r);
        int[] lead = range(0, r - nr);
        long n = 1;
        for (int a : axes) {
            n *= x.shape().dim(a);
        }
        Shape kept = x.shape().reduce(axes, true);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage istd = invStd(k, sc, sc.t(k.reshape(var, kept)), eps);
            TensorStorage xhat = sc.t(k.binary(BinaryOp.MUL, sc.t(k.binary(BinaryOp.SUB, x,
                    sc.t(k.reshape(mean, kept)))), istd));
            TensorStorage gx = w == null ? g : sc.t(k.binary(BinaryOp.MUL, g, w));
            TensorStorage sumG = sc.t(k.reduce(ReduceOp.SUM, gx, axes, true));
            TensorStorage sumGx = sc.t(k.reduce(ReduceOp.SUM, sc.t(k.binary(BinaryOp.MUL, gx, xhat)), axes, true));
            // dx = istd / N (N gx - sum(gx) - xhat sum(gx xhat))
            TensorStorage t = sc.t(k.scalar(ScalarOp.MUL, gx, n));
            t = sc.t(k.binary(BinaryOp.SUB, t, sumG));
            t = sc.t(k.binary(BinaryOp.SUB, t, sc.t(k.binary(BinaryOp.MUL, xhat, sumGx))));
            TensorStorage dx = k.scalar(ScalarOp.DIV, sc.t(k.binary(BinaryOp.MUL, t, istd)), n);
            TensorStorage gxhat = sc.t(k.binary(BinaryOp.MUL, g, xhat));
            TensorStorage dweight = w == null ? null : sumLeading(k, gxhat, lead);
            TensorStorage dbias = sumLeading(k, g, lead);
            return new TensorKernels.NormGrads(dx, dweight, dbias);
        }
    }

    private static TensorStorage sumLeading(TensorKernels k, TensorStorage t, int[] lead) {
        return lead.length == 0 ? k.cast(t, t.dtype()) : k.reduce(ReduceOp.SUM, t, lead, false);
    }
}
