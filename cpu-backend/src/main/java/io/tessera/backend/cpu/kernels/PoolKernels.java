package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        float[] xs = KernelArrays.floats(x);
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        float[] out = new float[q.n * q.c * op];
        long[] idx = new long[out.length];
        KernelArrays.parallelFor(q.n * q.c, (long) op * q.kh * q.kw, pl -> {
            int ib = pl * ip;
            int ob = pl * op;
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
                            float val = xs[ib + ih * q.w + iw];
                            if (bestAt < 0 || val > best || Float.isNaN(val) && !Float.isNaN(best)) {
                                best = val;
                                bestAt = ih * q.w + iw;
                            }
                        }
                    }
                    out[ob + i * q.wo + j] = best;
                    idx[ob + i * q.wo + j] = bestAt;
                }
            }
        });
        return new MaxPoolResult(KernelArrays.array(out, q.outShape()), KernelArrays.longArray(idx, q.outShape()));
    }

    /** Gradient of max pooling: each output gradient goes to (and accumulates at) its arg-max input element. */
    public static INDArray maxPool2dBackward(INDArray gradOut, INDArray indices, long[] inputShape) {
        KernelArrays.require(inputShape.length == 4 && gradOut.rank() == 4
                        && Arrays.equals(gradOut.shape(), indices.shape()) && gradOut.size(0) == inputShape[0]
                        && gradOut.size(1) == inputShape[1], "max_pool2d backward: gradOut "
                        + Arrays.toString(gradOut.shape()) + " and indices " + Arrays.toString(indices.shape())
                        + " must have one shape [N, C, H_out, W_out] matching the input " + Arrays.toString(inputShape));
        float[] g = KernelArrays.floats(gradOut);
        long[] idx = indices.dataType() == DataType.LONG && indices.ordering() == 'c' && !indices.isView()
                ? indices.data().asLong() : indices.dup('c').castTo(DataType.LONG).data().asLong();
        int ip = (int) (inputShape[2] * inputShape[3]);
        int op = (int) (gradOut.size(2) * gradOut.size(3));
        int planes = (int) (inputShape[0] * inputShape[1]);
        float[] dx = new float[planes * ip];
        KernelArrays.parallelFor(planes, op, pl -> {
            for (int k = 0; k < op; k++) {
                long at = idx[pl * op + k];
                if (at < 0 || at >= ip) {
                    throw new IllegalArgumentException("max_pool2d backward: index " + at + " is outside the input"
                            + " plane of " + ip + " elements");
                }
                dx[pl * ip + (int) at] += g[pl * op + k];
            }
        });
        return KernelArrays.array(dx, inputShape);
    }

    /**
     * Average pooling. With {@code countIncludePad} the divisor counts padded positions (clipped to the padded
     * input), else only input elements. {@code stride} null or empty means stride = kernel.
     */
    public static INDArray avgPool2d(INDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                     boolean countIncludePad) {
        Plan q = Plan.of("avg_pool2d", x.shape(), kernel, stride, padding, new int[] {1, 1}, ceilMode);
        float[] xs = KernelArrays.floats(x);
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        float[] out = new float[q.n * q.c * op];
        KernelArrays.parallelFor(q.n * q.c, (long) op * q.kh * q.kw, pl -> {
            for (int i = 0; i < q.ho; i++) {
                for (int j = 0; j < q.wo; j++) {
                    int[] win = avgWindow(q, i, j, countIncludePad);
                    double acc = 0;
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            acc += xs[pl * ip + ih * q.w + iw];
                        }
                    }
                    out[pl * op + i * q.wo + j] = (float) (acc / win[4]);
                }
            }
        });
        return KernelArrays.array(out, q.outShape());
    }

    /** Gradient of {@link #avgPool2d}: each output gradient divided by its divisor, spread over its window. */
    public static INDArray avgPool2dBackward(INDArray gradOut, long[] inputShape, int[] kernel, int[] stride,
                                             int[] padding, boolean ceilMode, boolean countIncludePad) {
        Plan q = Plan.of("avg_pool2d backward", inputShape, kernel, stride, padding, new int[] {1, 1}, ceilMode);
        KernelArrays.require(Arrays.equals(gradOut.shape(), q.outShape()), "avg_pool2d backward: gradOut must have"
                + " shape " + Arrays.toString(q.outShape()) + " but has " + Arrays.toString(gradOut.shape()));
        float[] g = KernelArrays.floats(gradOut);
        int op = q.ho * q.wo;
        int ip = q.h * q.w;
        float[] dx = new float[q.n * q.c * ip];
        KernelArrays.parallelFor(q.n * q.c, (long) op * q.kh * q.kw, pl -> {
            for (int i = 0; i < q.ho; i++) {
                for (int j = 0; j < q.wo; j++) {
                    int[] win = avgWindow(q, i, j, countIncludePad);
                    float share = (float) (g[pl * op + i * q.wo + j] / (double) win[4]);
                    for (int ih = win[0]; ih < win[1]; ih++) {
                        for (int iw = win[2]; iw < win[3]; iw++) {
                            dx[pl * ip + ih * q.w + iw] += share;
                        }
                    }
                }
            }
        });
        return KernelArrays.array(dx, q.inShape());
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
        float[] xs = KernelArrays.floats(x);
        int h = s[2];
        int w = s[3];
        int ip = h * w;
        int op = outH * outW;
        float[] out = new float[s[0] * s[1] * op];
        KernelArrays.parallelFor(s[0] * s[1], ip, pl -> {
            for (int i = 0; i < outH; i++) {
                int h0 = start(i, h, outH);
                int h1 = end(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int w0 = start(j, w, outW);
                    int w1 = end(j, w, outW);
                    double acc = 0;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            acc += xs[pl * ip + ih * w + iw];
                        }
                    }
                    out[pl * op + i * outW + j] = (float) (acc / ((h1 - h0) * (w1 - w0)));
                }
            }
        });
        return KernelArrays.array(out, s[0], s[1], outH, outW);
    }

    /** Gradient of {@link #adaptiveAvgPool2d}. */
    public static INDArray adaptiveAvgPool2dBackward(INDArray gradOut, long[] inputShape) {
        KernelArrays.requireRank("adaptive_avg_pool2d backward", "gradOut", gradOut, 4);
        KernelArrays.require(inputShape.length == 4 && gradOut.size(0) == inputShape[0]
                && gradOut.size(1) == inputShape[1], "adaptive_avg_pool2d backward: gradOut "
                + Arrays.toString(gradOut.shape()) + " does not match the input " + Arrays.toString(inputShape));
        float[] g = KernelArrays.floats(gradOut);
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        int outH = (int) gradOut.size(2);
        int outW = (int) gradOut.size(3);
        int ip = h * w;
        int op = outH * outW;
        int planes = (int) (inputShape[0] * inputShape[1]);
        float[] dx = new float[planes * ip];
        KernelArrays.parallelFor(planes, ip, pl -> {
            for (int i = 0; i < outH; i++) {
                int h0 = start(i, h, outH);
                int h1 = end(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int w0 = start(j, w, outW);
                    int w1 = end(j, w, outW);
                    float share = g[pl * op + i * outW + j] / ((h1 - h0) * (w1 - w0));
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            dx[pl * ip + ih * w + iw] += share;
                        }
                    }
                }
            }
        });
        return KernelArrays.array(dx, inputShape);
    }

    private static int start(int i, int in, int out) {
        return (int) Math.floorDiv((long) i * in, out);
    }

    private static int end(int i, int in, int out) {
        return (int) -Math.floorDiv(-(long) (i + 1) * in, out);
    }
}
