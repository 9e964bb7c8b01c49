package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Default convolution kernels: im2col ({@link #unfold}: one strided slice of the padded input per kernel offset) and
 * a matmul per group for the forward pass; col2im ({@link #fold}: the adjoint, one strided embed per offset, summed)
 * for the input gradient and for the transposed convolution.
 */
final class ConvCompose {
    private ConvCompose() {
    }

    /**
     * The windows of an NCHW {@code canvas} (already padded): {@code [N, C, kH*kW, oH, oW]}, offset
     * {@code (i, j)} at index {@code i*kW + j}.
     */
    static TensorStorage unfold(TensorKernels k, Scratch sc, TensorStorage canvas, int[] kernel, int[] stride,
                                int[] dil, long oh, long ow) {
        long n = canvas.shape().dim(0);
        long c = canvas.shape().dim(1);
        List<TensorStorage> parts = new ArrayList<>();
        for (int i = 0; i < kernel[0]; i++) {
            for (int j = 0; j < kernel[1]; j++) {
                long h0 = (long) i * dil[0];
                long w0 = (long) j * dil[1];
                TensorStorage s = sc.t(k.slice(canvas, new long[] {0, 0, h0, w0},
                        new long[] {n, c, h0 + (oh - 1) * stride[0] + 1, w0 + (ow - 1) * stride[1] + 1},
                        new long[] {1, 1, stride[0], stride[1]}));
                parts.add(sc.t(k.reshape(s, Shape.of(n, c, 1, oh, ow))));
            }
        }
        return parts.size() == 1 ? k.cast(parts.get(0), canvas.dtype()) : k.concat(parts, 2);
    }

    /** The adjoint of {@link #unfold}: window values {@code [N, C, kH*kW, oH, oW]} summed into a zero canvas. */
    static TensorStorage fold(TensorKernels k, Scratch sc, TensorStorage cols, Shape canvas, int[] kernel,
                              int[] stride, int[] dil) {
        long n = cols.shape().dim(0);
        long c = cols.shape().dim(1);
        long oh = cols.shape().dim(3);
        long ow = cols.shape().dim(4);
        TensorStorage acc = null;
        for (int i = 0; i < kernel[0]; i++) {
            for (int j = 0; j < kernel[1]; j++) {
                long kk = (long) i * kernel[1] + j;
                TensorStorage piece = sc.t(k.reshape(sc.t(k.slice(cols, new long[] {0, 0, kk, 0, 0},
                        new long[] {n, c, kk + 1, oh, ow}, new long[] {1, 1, 1, 1, 1})), Shape.of(n, c, oh, ow)));
                TensorStorage e = sc.t(k.embed(piece, canvas, new long[] {0, 0, (long) i * dil[0], (long) j * dil[1]},
                        new long[] {1, 1, stride[0], stride[1]}, 0));
                acc = acc == null ? e : sc.t(k.binary(BinaryOp.ADD, acc, e));
            }
        }
        return acc;
    }

    /** {@code x} placed at offset {@code pad} in a canvas of {@code [N, C, ch, cw]} filled with {@code fill}. */
    static TensorStorage pad(TensorKernels k, Scratch sc, TensorStorage x, int[] pad, long ch, long cw, double fill) {
        Shape s = x.shape();
        if (pad[0] == 0 && pad[1] == 0 && ch == s.dim(2) && cw == s.dim(3)) {
            return x;
        }
        return sc.t(k.embed(x, Shape.of(s.dim(0), s.dim(1), ch, cw), new long[] {0, 0, pad[0], pad[1]},
                new long[] {1, 1, 1, 1}, fill));
    }

    /** The {@code [h, w]} window of a canvas at offset {@code pad}. */
    static TensorStorage crop(TensorKernels k, TensorStorage canvas, int[] pad, long h, long w) {
        Shape s = canvas.shape();
        return k.slice(canvas, new long[] {0, 0, pad[0], pad[1]}, new long[] {s.dim(0), s.dim(1), pad[0] + h,
            pad[1] + w}, new long[] {1, 1, 1, 1});
    }

    static long outSize(long in, int kernel, int stride, int pad, int dil) {
        return (in + 2L * pad - (long) dil * (kernel - 1) - 1) / stride + 1;
    }

    /** Rows {@code [g*rows, (g+1)*rows)} of axis {@code axis}. */
    static TensorStorage block(TensorKernels k, Scratch sc, TensorStorage x, int axis, long g, long rows) {
        Shape s = x.shape();
        if (rows == s.dim(axis)) {
            return x;
        }
        long[] start = new long[s.rank()];
        long[] stop = s.dims();
        long[] step = new long[s.rank()];
        java.util.Arrays.fill(step, 1);
        start[axis] = g * rows;
        stop[axis] = (g + 1) * rows;
        return sc.t(k.slice(x, start, stop, step));
    }

    static TensorStorage cat(TensorKernels k, Scratch sc, List<TensorStorage> parts, int axis) {
        return parts.size() == 1 ? parts.get(0) : sc.t(k.concat(parts, axis));
    }

    /** im2col of {@code x} for a convolution: {@code [N, C*kH*kW, oH*oW]}. */
    private static TensorStorage columns(TensorKernels k, Scratch sc, TensorStorage x, int[] kernel, int[] stride,
                                         int[] padding, int[] dil, long oh, long ow) {
        Shape s = x.shape();
        TensorStorage canvas = pad(k, sc, x, padding, s.dim(2) + 2L * padding[0], s.dim(3) + 2L * padding[1], 0);
        TensorStorage cols = sc.t(unfold(k, sc, canvas, kernel, stride, dil, oh, ow));
        return sc.t(k.reshape(cols, Shape.of(s.dim(0), s.dim(1) * kernel[0] * kernel[1], oh * ow)));
    }

    private static TensorStorage addBias(TensorKernels k, Scratch sc, TensorStorage y, TensorStorage bias) {
        if (bias == null) {
            return k.cast(y, y.dtype());
        }
        return k.binary(BinaryOp.ADD, y, sc.t(k.reshape(bias, Compose.along(4, 1, bias.shape().dim(0)))));
    }

    static TensorStorage conv2d(TensorKernels k, TensorStorage x, TensorStorage w, TensorStorage bias, int[] stride,
                                int[] padding, int[] dil, int groups) {
        Shape xs = x.shape();
        Shape ws = w.shape();
        int[] kernel = {(int) ws.dim(2), (int) ws.dim(3)};
        long oh = outSize(xs.dim(2), kernel[0], stride[0], padding[0], dil[0]);
        long ow = outSize(xs.dim(3), kernel[1], stride[1], padding[1], dil[1]);
        long og = ws.dim(0) / groups;
        long rows = ws.dim(1) * kernel[0] * kernel[1];
        try (Scratch sc = new Scratch(k)) {
            TensorStorage cols = columns(k, sc, x, kernel, stride, padding, dil, oh, ow);
            TensorStorage wm = sc.t(k.reshape(w, Shape.of(ws.dim(0), rows)));
            List<TensorStorage> ys = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                ys.add(sc.t(k.matmul(block(k, sc, wm, 0, g, og), block(k, sc, cols, 1, g, rows))));
            }
            TensorStorage y = sc.t(k.reshape(cat(k, sc, ys, 1), Shape.of(xs.dim(0), ws.dim(0), oh, ow)));
            return addBias(k, sc, y, bias);
        }
    }

    /** {@code W^T g} per group folded back to an input of {@code [N, C, h, w]}: the adjoint of conv2d in x. */
    private static TensorStorage inputGradient(TensorKernels k, Scratch sc, TensorStorage w, TensorStorage g2,
                                               long n, long c, long h, long wd, int[] stride, int[] padding,
                                               int[] dil, int groups, long oh, long ow, long extraH, long extraW) {
        Shape ws = w.shape();
        int[] kernel = {(int) ws.dim(2), (int) ws.dim(3)};
        long og = ws.dim(0) / groups;
        long rows = ws.dim(1) * kernel[0] * kernel[1];
        TensorStorage wm = sc.t(k.reshape(w, Shape.of(ws.dim(0), rows)));
        List<TensorStorage> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            parts.add(sc.t(k.matmul(block(k, sc, wm, 0, g, og), true, block(k, sc, g2, 1, g, og), false)));
        }
        TensorStorage dcols = sc.t(k.reshape(cat(k, sc, parts, 1), Shape.of(n, c, (long) kernel[0] * kernel[1], oh,
                ow)));
        Shape canvas = Shape.of(n, c, h + 2L * padding[0] + extraH, wd + 2L * padding[1] + extraW);
        return crop(k, fold(k, sc, dcols, canvas, kernel, stride, dil), padding, h, wd);
    }

    /** {@code sum_N g_g cols_g^T} per group: the weight gradient {@code [O, C/groups * kH * kW]} as rows. */
    private static TensorStorage weightGradient(TensorKernels k, Scratch sc, TensorStorage g2, TensorStorage cols,
                                                int groups, Shape wShape) {
        long og = g2.shape().dim(1) / groups;
        long rows = cols.shape().dim(1) / groups;
        List<TensorStorage> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            TensorStorage p = sc.t(k.matmul(block(k, sc, g2, 1, g, og), false, block(k, sc, cols, 1, g, rows), true));
            parts.add(sc.t(k.reduce(ReduceOp.SUM, p, new int[] {0}, false)));
        }
        return k.reshape(cat(k, sc, parts, 0), wShape);
    }

    static TensorKernels.ConvGrads conv2dBackward(TensorKernels k, TensorStorage x, TensorStorage w, boolean hasBias,
                                                  TensorStorage gradOut, int[] stride, int[] padding, int[] dil,
                                                  int groups) {
        Shape xs = x.shape();
        Shape ws = w.shape();
        Shape gs = gradOut.shape();
        int[] kernel = {(int) ws.dim(2), (int) ws.dim(3)};
        long oh = gs.dim(2);
        long ow = gs.dim(3);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage g2 = sc.t(k.reshape(gradOut, Shape.of(gs.dim(0), gs.dim(1), oh * ow)));
            TensorStorage dx = inputGradient(k, sc, w, g2, xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), stride,
                    padding, dil, groups, oh, ow, 0, 0);
            TensorStorage cols = columns(k, sc, x, kernel, stride, padding, dil, oh, ow);
            TensorStorage dw = weightGradient(k, sc, g2, cols, groups, ws);
            TensorStorage db = hasBias ? k.reduce(ReduceOp.SUM, gradOut, new int[] {0, 2, 3}, false) : null;
            return new TensorKernels.ConvGrads(dx, dw, db);
        }
    }

    static TensorStorage convTranspose2d(TensorKernels k, TensorStorage x, TensorStorage w, TensorStorage bias,
                                         int[] stride, int[] padding, int[] outputPadding, int[] dil, int groups) {
        Shape xs = x.shape();
        Shape ws = w.shape();
        long cout = ws.dim(1) * groups;
        long h = xs.dim(2);
        long wd = xs.dim(3);
        long oh = (h - 1) * stride[0] - 2L * padding[0] + (long) dil[0] * (ws.dim(2) - 1) + outputPadding[0] + 1;
        long ow = (wd - 1) * stride[1] - 2L * padding[1] + (long) dil[1] * (ws.dim(3) - 1) + outputPadding[1] + 1;
        try (Scratch sc = new Scratch(k)) {
            // the transposed convolution is conv2d's input gradient with the roles of input and output swapped
            TensorStorage x2 = sc.t(k.reshape(x, Shape.of(xs.dim(0), xs.dim(1), h * wd)));
            TensorStorage y = sc.t(inputGradient(k, sc, w, x2, xs.dim(0), cout, oh, ow, stride, padding, dil, groups,
                    h, wd, outputPadding[0], outputPadding[1]));
            return addBias(k, sc, y, bias);
        }
    }

    static TensorKernels.ConvGrads convTranspose2dBackward(TensorKernels k, TensorStorage x, TensorStorage w,
                                                           boolean hasBias, TensorStorage gradOut, int[] stride,
                                                           int[] padding, int[] outputPadding, int[] dil,
                                                           int groups) {
        Shape xs = x.shape();
        Shape ws = w.shape();
        int[] kernel = {(int) ws.dim(2), (int) ws.dim(3)};
        long h = xs.dim(2);
        long wd = xs.dim(3);
        try (Scratch sc = new Scratch(k)) {
            TensorStorage dx = conv2d(k, gradOut, w, null, stride, padding, dil, groups);
            TensorStorage cols = columns(k, sc, gradOut, kernel, stride, padding, dil, h, wd);
            TensorStorage x2 = sc.t(k.reshape(x, Shape.of(xs.dim(0), xs.dim(1), h * wd)));
            // dW[ci, co k] = sum_N x_g cols_g^T, rows of W are input channels here
            long cin = xs.dim(1) / groups;
            long rows = cols.shape().dim(1) / groups;
            List<TensorStorage> parts = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                TensorStorage p = sc.t(k.matmul(block(k, sc, x2, 1, g, cin), false, block(k, sc, cols, 1, g, rows),
                        true));
                parts.add(sc.t(k.reduce(ReduceOp.SUM, p, new int[] {0}, false)));
            }
            TensorStorage dw = k.reshape(cat(k, sc, parts, 0), ws);
            TensorStorage db = hasBias ? k.reduce(ReduceOp.SUM, gradOut, new int[] {0, 2, 3}, false) : null;
            return new TensorKernels.ConvGrads(dx, dw, db);
        }
    }
}
