package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D pooling over NCHW input (PyTorch semantics): max pooling with arg-max indices ({@code h*W + w} in the input
 * plane, int64), average pooling and adaptive average pooling, each with its backward. Padding is symmetric per axis;
 * max pooling pads with -infinity, average pooling with zeros.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class PoolKernels {

    /**
     * Result of max pooling.
     *
     * @param values  the maxima {@code [N, C, H_out, W_out]}, float32
     * @param indices flat arg-max positions {@code h*W + w} in each input plane, int64, same shape
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public record MaxPoolResult(INDArray values, INDArray indices) {
    }

    private PoolKernels() {
    }

    /** Pooled size along one axis (floor or ceil mode; a ceil-mode window must start inside the padded input). */
    public static int outputSize(int in, int k, int stride, int pad, int dil, boolean ceilMode) {
        int span = in + 2 * pad - dil * (k - 1) - 1;
        if (span < 0) {
            return 0;
        }
        int out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    private record Plan(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                        int ho, int wo) {
        static Plan of(String op, long[] x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                       boolean ceilMode) {
            KernelArrays.require(x.length == 4, op + ": input must be NCHW (rank 4) but has shape "
                    + Arrays.toString(x));
            KernelArrays.pair(op, "kernel_size", kernel);
            int[] s = stride == null || stride.length == 0 ? kernel : KernelArrays.pair(op, "stride", stride);
            KernelArrays.pair(op, "padding", padding);
            KernelArrays.pair(op, "dilation", dilation);
            for (int i = 0; i < 2; i++) {
                KernelArrays.require(kernel[i] >= 1 && s[i] >= 1 && dilation[i] >= 1 && padding[i] >= 0
                        && 2 * padding[i] <= kernel[i], op + ": need kernel, stride, dilation >= 1 and"
                        + " 0 <= padding <= kernel/2, got kernel=" + Arrays.toString(kernel) + " stride="
                        + Arrays.toString(s) + " padding=" + Arrays.toString(padding));
            }
            int ho = outputSize((int) x[2], kernel[0], s[0], padding[0], dilation[0], ceilMode);
            int wo = outputSize((int) x[3], kernel[1], s[1], padding[1], dilation[1], ceilMode);
            KernelArrays.require(ho > 0 && wo > 0, op + ": kernel " + Arrays.toString(kernel)
                    + " does not fit the input " + Arrays.toString(x));
            return new Plan((int) x[0], (int) x[1], (int) x[2], (int) x[3], kernel[0], kernel[1], s[0], s[1],
                    padding[0], padding[1], dilation[0], dilation[1], ho, wo);
        }

        long[] outShape() {
            return new long[] {n, c, ho, wo};
        }

        long[] inShape() {
            return new long[] {n, c, h, w};
        }
    }

    /** Max pooling without dilation. {@code stride} null or empty means stride = kernel (PyTorch's default). */
    public static MaxPoolResult maxPool2d(INDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return maxPool2d(x, kernel, stride, padding, new int[] {1, 1}, ceilMode);
    }

    /** Max pooling; each window's first maximum wins ties, as in PyTorch. NaN propagates. */
    public static MaxPoolResult maxPool2d(INDArray x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                          boolean ceilMode) {
        Plan q = Plan.of("max_pool2d", x.shape(), kernel, stride, padding, dilation, ceilMode);
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        INDArray xd = KernelArrays.dense(x);
        INDArray values = KernelArrays.uninitialized(q.outShape());
        INDArray indices = Buffers.uninitialized(DataType.INT64, q.outShape());
        if (q.ph == 0 && q.pw == 0 && q.dh == 1 && q.dw == 1 && (q.ho - 1) * q.sh + q.kh <= q.h
                && (q.wo - 1) * q.sw + q.kw <= q.w) {
            maxPoolInside(q, xd, values, indices);
            return new MaxPoolResult(values, indices);
        }
        KernelArrays.parallelRanges(q.n * q.c, (long) op * q.kh * q.kw, (p0, p1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer vb = KernelArrays.buffer(values);
            LongBuffer ib = indices.data().asNioLong();
            float[] xs = KernelArrays.scratch(0, ip);
            float[] out = KernelArrays.scratch(1, op);
            long[] idx = new long[op];
            for (int pl = p0; pl < p1; pl++) {
                xb.get(pl * ip, xs, 0, ip);
                for (int i = 0; i < q.ho; i++) {
                    for (int j = 0; j < q.wo; j++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        for (int u = 0; u < q.kh; u++) {
                            int ih = i * q.sh - q.ph + u * q.dh;
                            if (ih < 0 || ih >= q.h) {
                                continue;
                            }
                            for (int v = 0; v < q.kw; v++) {
                                int iw = j * q.sw - q.pw + v * q.dw;
                                if (iw < 0 || iw >= q.w) {
                                    continue;
                                }
                                float val = xs[ih * q.w + iw];
                                if (bestAt < 0 || val > best || Float.isNaN(val) && !Float.isNaN(best)) {
                                    best = val;
                                    bestAt = ih * q.w + iw;
                                }
                            }
                        }
                        out[i * q.wo + j] = best;
                        idx[i * q.wo + j] = bestAt;
                    }
                }
                vb.put(pl * op, out, 0, op);
                ib.put(pl * op, idx, 0, op);
            }
        });
        return new MaxPoolResult(values, indices);
    }

    /**
     * Max pooling when every window lies inside the input (no padding, no dilation, the usual case): no bounds checks,
     * and 2x2 windows with stride 2 unrolled. Same tie and NaN rules as the general loop.
     */
    /**
     * Whether {@link #maxPool2dOfRelu} can pool this input: 2x2 windows with stride 2, no padding or dilation, every
     * window inside the input.
     */
    public static boolean fusesRelu(long[] x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                    boolean ceilMode) {
        Plan q = Plan.of("max_pool2d", x, kernel, stride, padding, dilation, ceilMode);
        return q.kh == 2 && q.kw == 2 && q.sh == 2 && q.sw == 2 && q.ph == 0 && q.pw == 0 && q.dh == 1 && q.dw == 1
                && 2 * q.ho <= q.h && 2 * q.wo <= q.w;
    }

    /**
     * Max pooling of {@code relu(x)} (ND4J's ReLU: {@code x < 0 ? 0 : x}, so -0 and NaN pass) read from {@code x},
     * without materialising the ReLU: the same values and indices as {@code maxPool2d(relu(x))}, for the geometries
     * of {@link #fusesRelu}.
     */
    public static MaxPoolResult maxPool2dOfRelu(INDArray x, int[] kernel, int[] stride, int[] padding,
                                                int[] dilation, boolean ceilMode) {
        Plan q = Plan.of("max_pool2d", x.shape(), kernel, stride, padding, dilation, ceilMode);
        KernelArrays.require(fusesRelu(x.shape(), kernel, stride, padding, dilation, ceilMode),
                "max_pool2d of relu: needs 2x2 windows with stride 2 inside the input");
        INDArray values = KernelArrays.uninitialized(q.outShape());
        INDArray indices = Buffers.uninitialized(DataType.INT64, q.outShape());
        maxPoolInside(q, KernelArrays.dense(x), values, indices, true);
        return new MaxPoolResult(values, indices);
    }

    private static void maxPoolInside(Plan q, INDArray xd, INDArray values, INDArray indices) {
        maxPoolInside(q, xd, values, indices, false);
    }

    private static void maxPoolInside(Plan q, INDArray xd, INDArray values, INDArray indices, boolean ofRelu) {
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        boolean twoByTwo = q.kh == 2 && q.kw == 2 && q.sh == 2 && q.sw == 2;
        KernelArrays.parallelRanges(q.n * q.c, (long) op * q.kh * q.kw, (p0, p1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer vb = KernelArrays.buffer(values);
            LongBuffer ib = indices.data().asNioLong();
            float[] xs = KernelArrays.scratch(0, ip);
            float[] out = KernelArrays.scratch(1, op);
            long[] idx = new long[op];
            int w = q.w;
            for (int pl = p0; pl < p1; pl++) {
                xb.get(pl * ip, xs, 0, ip);
                if (ofRelu) {
                    pool2x2OfRelu(xs, w, q.ho, q.wo, out, idx);
                } else if (twoByTwo) {
                    pool2x2(xs, w, q.ho, q.wo, out, idx);
                } else {
                    poolInside(xs, w, q, out, idx);
                }
                vb.put(pl * op, out, 0, op);
                ib.put(pl * op, idx, 0, op);
            }
        });
    }

    /**
     * 2x2 windows, stride 2. The maximum comes from {@link Math#max(float, float)} (branch-free, NaN-propagating); the
     * index is then the first element equal to it, or the first NaN, as in the sequential scan. Measured on ReLU
     * outputs: 2.4x faster than compare-and-branch (C2 turns float selects into branches, and the comparisons are
     * unpredictable).
     */
    private static void pool2x2(float[] xs, int w, int ho, int wo, float[] out, long[] idx) {
        int o = 0;
        for (int i = 0; i < ho; i++) {
            int r0 = 2 * i * w;
            int r1 = r0 + w;
            for (int j = 0; j < wo; j++, o++) {
                int p = r0 + 2 * j;
                int p2 = r1 + 2 * j;
                float a = xs[p];
                float b = xs[p + 1];
                float c = xs[p2];
                float d = xs[p2 + 1];
                float m = Math.max(Math.max(a, b), Math.max(c, d));
                int at = p2 + 1;
                at = c == m | c != c ? p2 : at;
                at = b == m | b != b ? p + 1 : at;
                at = a == m | a != a ? p : at;
                out[o] = xs[at]; // the element itself: keeps the sign of a zero maximum as the scan would
                idx[o] = at;
            }
        }
    }

    /**
     * {@link #pool2x2} of {@code relu(xs)}. Where the window's maximum is positive or NaN, ReLU changes neither it nor
     * its first position; otherwise every ReLU value is a zero, all equal, so the first element wins, with value
     * {@code relu(first)}.
     */
    private static void pool2x2OfRelu(float[] xs, int w, int ho, int wo, float[] out, long[] idx) {
        int o = 0;
        for (int i = 0; i < ho; i++) {
            int r0 = 2 * i * w;
            int r1 = r0 + w;
            for (int j = 0; j < wo; j++, o++) {
                int p = r0 + 2 * j;
                int p2 = r1 + 2 * j;
                float a = xs[p];
                float b = xs[p + 1];
                float c = xs[p2];
                float d = xs[p2 + 1];
                float m = Math.max(Math.max(a, b), Math.max(c, d));
                if (m > 0 || m != m) {
                    int at = p2 + 1;
                    at = c == m | c != c ? p2 : at;
                    at = b == m | b != b ? p + 1 : at;
                    at = a == m | a != a ? p : at;
                    out[o] = xs[at];
                    idx[o] = at;
                } else {
                    out[o] = a < 0 ? 0f : a;
                    idx[o] = p;
                }
            }
        }
    }

    /**
     * {@code maxPool2dBackward(gradOut, indices)} times the ReLU mask {@code x > 0} in one pass: each output gradient
     * goes to its arg-max input element only where {@code x} there is positive; the rest of the input gradient is
     * zero. Same values as the two steps (additions happen in the same order).
     */
    public static INDArray maxPool2dBackwardMasked(INDArray gradOut, INDArray indices, long[] inputShape, INDArray x) {
        KernelArrays.require(inputShape.length == 4 && gradOut.rank() == 4
                        && Arrays.equals(gradOut.shape(), indices.shape()) && Arrays.equals(x.shape(), inputShape)
                        && gradOut.size(0) == inputShape[0] && gradOut.size(1) == inputShape[1],
                "max_pool2d backward: gradOut " + Arrays.toString(gradOut.shape()) + ", indices "
                        + Arrays.toString(indices.shape()) + " and mask " + Arrays.toString(x.shape())
                        + " do not match the input " + Arrays.toString(inputShape));
        INDArray idd = indices.dataType() == DataType.INT64 && indices.ordering() == 'c' && !indices.isView()
                && indices.offset() == 0 ? indices : indices.castTo(DataType.INT64).dup('c');
        INDArray gd = KernelArrays.dense(gradOut);
        INDArray xd = KernelArrays.dense(x);
        int ip = (int) (inputShape[2] * inputShape[3]);
        int op = (int) (gradOut.size(2) * gradOut.size(3));
        int planes = (int) (inputShape[0] * inputShape[1]);
        INDArray out = KernelArrays.uninitialized(inputShape);
        KernelArrays.parallelRanges(planes, op, (p0, p1) -> {
            FloatBuffer gb = KernelArrays.buffer(gd);
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer ob = KernelArrays.buffer(out);
            LongBuffer ib = idd.data().asNioLong();
            float[] g = KernelArrays.scratch(0, op);
            float[] dx = KernelArrays.scratch(1, ip);
            long[] idx = new long[op];
            for (int pl = p0; pl < p1; pl++) {
                gb.get(pl * op, g, 0, op);
                ib.get(pl * op, idx, 0, op);
                Arrays.fill(dx, 0, ip, 0f);
                int base = pl * ip;
                for (int k = 0; k < op; k++) {
                    long at = idx[k];
                    if (at < 0 || at >= ip) {
                        throw new IllegalArgumentException("max_pool2d backward: index " + at + " is outside the"
                                + " input plane of " + ip + " elements");
                    }
                    if (xb.get(base + (int) at) > 0) {
                        dx[(int) at] += g[k];
                    }
                }
                ob.put(pl * ip, dx, 0, ip);
            }
        });
        return out;
    }

    /** Any window inside the input, sequential scan. */
    private static void poolInside(float[] xs, int w, Plan q, float[] out, long[] idx) {
        int o = 0;
        for (int i = 0; i < q.ho; i++) {
            int rowBase = i * q.sh * w;
            for (int j = 0; j < q.wo; j++, o++) {
                int at = rowBase + j * q.sw;
                float best = xs[at];
                int bestAt = at;
                for (int u = 0; u < q.kh; u++) {
                    int r = at + u * w;
                    for (int v = u == 0 ? 1 : 0; v < q.kw; v++) {
                        float val = xs[r + v];
                        if (val > best || val != val && best == best) {
                            best = val;
                            bestAt = r + v;
                        }
                    }
                }
                out[o] = best;
                idx[o] = bestAt;
            }
        }
    }

    /** Gradient of max pooling: each output gradient goes to (and accumulates at) its arg-max input element. */
    public static INDArray maxPool2dBackward(INDArray gradOut, INDArray indices, long[] inputShape) {
        KernelArrays.require(inputShape.length == 4 && gradOut.rank() == 4
                        && Arrays.equals(gradOut.shape(), indices.shape()) && gradOut.size(0) == inputShape[0]
                        && gradOut.size(1) == inputShape[1], "max_pool2d backward: gradOut "
                        + Arrays.toString(gradOut.shape()) + " and indices " + Arrays.toString(indices.shape())
                        + " must have one shape [N, C, H_out, W_out] matching the input " + Arrays.toString(inputShape));
        INDArray id = indices.dataType() == DataType.INT64 ? indices : indices.castTo(DataType.INT64);
        INDArray idd = id.ordering() == 'c' && !id.isView() && id.offset() == 0 ? id : id.dup('c');
        int ip = (int) (inputShape[2] * inputShape[3]);
        int op = (int) (gradOut.size(2) * gradOut.size(3));
        int planes = (int) (inputShape[0] * inputShape[1]);
        INDArray gd = KernelArrays.dense(gradOut);
        INDArray out = KernelArrays.uninitialized(inputShape);
        KernelArrays.parallelRanges(planes, op, (p0, p1) -> {
            FloatBuffer gb = KernelArrays.buffer(gd);
            FloatBuffer ob = KernelArrays.buffer(out);
            LongBuffer ib = idd.data().asNioLong();
            float[] g = KernelArrays.scratch(0, op);
            float[] dx = KernelArrays.scratch(1, ip);
            long[] idx = new long[op];
            for (int pl = p0; pl < p1; pl++) {
                gb.get(pl * op, g, 0, op);
                ib.get(pl * op, idx, 0, op);
                Arrays.fill(dx, 0, ip, 0f);
                for (int k = 0; k < op; k++) {
                    long at = idx[k];
                    if (at < 0 || at >= ip) {
                        throw new IllegalArgumentException("max_pool2d backward: index " + at + " is outside the"
                                + " input plane of " + ip + " elements");
                    }
                    dx[(int) at] += g[k];
                }
                ob.put(pl * ip, dx, 0, ip);
            }
        });
        return out;
    }

    /**
     * Average pooling. With {@code countIncludePad} the divisor counts padded positions (clipped to the padded
     * input), else only input elements. {@code stride} null or empty means stride = kernel.
     */
    public static INDArray avgPool2d(INDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                     boolean countIncludePad) {
        Plan q = Plan.of("avg_pool2d", x.shape(), kernel, stride, padding, new int[] {1, 1}, ceilMode);
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        int[][] wins = avgWindows(q, countIncludePad);
        return KernelArrays.mapPlanes(x, q.n * q.c, ip, q.outShape(), op, false, (long) op * q.kh * q.kw,
                (pl, xs, out) -> {
                    for (int o = 0; o < op; o++) {
                        int[] win = wins[o];
                        double acc = 0;
                        for (int ih = win[0]; ih < win[1]; ih++) {
                            for (int iw = win[2]; iw < win[3]; iw++) {
                                acc += xs[ih * q.w + iw];
                            }
                        }
                        out[o] = (float) (acc / win[4]);
                    }
                });
    }

    /** Gradient of {@link #avgPool2d}: each output gradient divided by its divisor, spread over its window. */
    public static INDArray avgPool2dBackward(INDArray gradOut, long[] inputShape, int[] kernel, int[] stride,
                                             int[] padding, boolean ceilMode, boolean countIncludePad) {
        Plan q = Plan.of("avg_pool2d backward", inputShape, kernel, stride, padding, new int[] {1, 1}, ceilMode);
        KernelArrays.require(Arrays.equals(gradOut.shape(), q.outShape()), "avg_pool2d backward: gradOut must have"
                + " shape " + Arrays.toString(q.outShape()) + " but has " + Arrays.toString(gradOut.shape()));
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        int[][] wins = avgWindows(q, countIncludePad);
        return KernelArrays.mapPlanes(gradOut, q.n * q.c, op, q.inShape(), ip, true, (long) op * q.kh * q.kw,
                (pl, g, dx) -> {
                    for (int o = 0; o < op; o++) {
                        int[] win = wins[o];
                        float share = (float) (g[o] / (double) win[4]);
                        for (int ih = win[0]; ih < win[1]; ih++) {
                            for (int iw = win[2]; iw < win[3]; iw++) {
                                dx[ih * q.w + iw] += share;
                            }
                        }
                    }
                });
    }

    private static int[][] avgWindows(Plan q, boolean countIncludePad) {
        int[][] wins = new int[q.ho * q.wo][];
        for (int i = 0; i < q.ho; i++) {
            for (int j = 0; j < q.wo; j++) {
                wins[i * q.wo + j] = avgWindow(q, i, j, countIncludePad);
            }
        }
        return wins;
    }

    /** {h0, h1, w0, w1, divisor} of one average-pooling window, clipped to the input (PyTorch's rule). */
    private static int[] avgWindow(Plan q, int i, int j, boolean countIncludePad) {
        int h0 = i * q.sh - q.ph;
        int w0 = j * q.sw - q.pw;
        int h1 = Math.min(h0 + q.kh, q.h + q.ph);
        int w1 = Math.min(w0 + q.kw, q.w + q.pw);
        int padded = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, q.h);
        w1 = Math.min(w1, q.w);
        int divisor = countIncludePad ? padded : Math.max(1, (h1 - h0) * (w1 - w0));
        return new int[] {h0, h1, w0, w1, divisor};
    }

    /**
     * Adaptive average pooling to {@code [outH, outW]}: cell (i, j) averages rows {@code [floor(i*H/outH),
     * ceil((i+1)*H/outH))} and the columns likewise (windows overlap when the sizes do not divide).
     */
    public static INDArray adaptiveAvgPool2d(INDArray x, int outH, int outW) {
        KernelArrays.requireRank("adaptive_avg_pool2d", "x", x, 4);
        KernelArrays.require(outH >= 1 && outW >= 1, "adaptive_avg_pool2d: output size must be positive, got "
                + outH + "x" + outW);
        int[] s = KernelArrays.intShape(x);
        int h = s[2];
        int w = s[3];
        int ip = h * w;
        int op = outH * outW;
        return KernelArrays.mapPlanes(x, s[0] * s[1], ip, new long[] {s[0], s[1], outH, outW}, op, false, ip,
                (pl, xs, out) -> {
                    for (int i = 0; i < outH; i++) {
                        int h0 = start(i, h, outH);
                        int h1 = end(i, h, outH);
                        for (int j = 0; j < outW; j++) {
                            int w0 = start(j, w, outW);
                            int w1 = end(j, w, outW);
                            double acc = 0;
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0; iw < w1; iw++) {
                                    acc += xs[ih * w + iw];
                                }
                            }
                            out[i * outW + j] = (float) (acc / ((h1 - h0) * (w1 - w0)));
                        }
                    }
                });
    }

    /** Gradient of {@link #adaptiveAvgPool2d}. */
    public static INDArray adaptiveAvgPool2dBackward(INDArray gradOut, long[] inputShape) {
        KernelArrays.requireRank("adaptive_avg_pool2d backward", "gradOut", gradOut, 4);
        KernelArrays.require(inputShape.length == 4 && gradOut.size(0) == inputShape[0]
                && gradOut.size(1) == inputShape[1], "adaptive_avg_pool2d backward: gradOut "
                + Arrays.toString(gradOut.shape()) + " does not match the input " + Arrays.toString(inputShape));
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        int outH = (int) gradOut.size(2);
        int outW = (int) gradOut.size(3);
        int ip = h * w;
        int op = outH * outW;
        int planes = (int) (inputShape[0] * inputShape[1]);
        return KernelArrays.mapPlanes(gradOut, planes, op, inputShape, ip, true, ip, (pl, g, dx) -> {
            for (int i = 0; i < outH; i++) {
                int h0 = start(i, h, outH);
                int h1 = end(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int w0 = start(j, w, outW);
                    int w1 = end(j, w, outW);
                    float share = g[i * outW + j] / ((h1 - h0) * (w1 - w0));
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            dx[ih * w + iw] += share;
                        }
                    }
                }
            }
        });
    }

    private static int start(int i, int in, int out) {
        return (int) Math.floorDiv((long) i * in, out);
    }

    private static int end(int i, int in, int out) {
        return (int) -Math.floorDiv(-(long) (i + 1) * in, out);
    }
}
