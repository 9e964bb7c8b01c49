package io.tessera.backend.cpu.kernels;

import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * 2-D convolution (cross-correlation, PyTorch {@code conv2d} semantics): NCHW input, OIHW weight {@code [C_out,
 * C_in/groups, kH, kW]}, symmetric zero padding, stride, dilation and groups (depthwise with a channel multiplier
 * included), forward and backward.
 *
 * <p>Three implementations, chosen per call by {@link Algorithm#AUTO}: ND4J's native {@code conv2d}/{@code conv2d_bp}
 * ops (fast only when the natives were built with oneDNN, e.g. the {@code linux-x86_64-onednn} classifier; they have
 * no groups, so grouped convolutions make one call per group, and their oneDNN binding fails on dilation &gt; 1),
 * im2col in Java plus one SGEMM per (sample, group), and a direct loop for groups of one or two input channels
 * (depthwise), whose per-group GEMMs would be too small. All three agree with the PyTorch goldens.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class Conv2dKernels {

    /** Which implementation computes a convolution. */
    public enum Algorithm {
        /**
         * A padded-plane kernel for stride-1 convolutions with few input channels ({@code C_in*kh*kw <= 32}, a
         * network's first layer), a direct loop for groups of one or two input channels (depthwise), native ops when
         * the natives have oneDNN (up to 8 groups, no dilation), else im2col + GEMM.
         */
        AUTO,
        /** ND4J's {@code conv2d} / {@code conv2d_bp} custom ops, one call per group. */
        ND4J_NATIVE,
        /** im2col in Java plus one SGEMM per sample and group. */
        IM2COL_GEMM,
        /** Plain loops (best for depthwise convolutions). */
        DIRECT
    }

    private static final boolean ONEDNN = detectOneDnn();

    private Conv2dKernels() {
    }

    private static boolean detectOneDnn() {
        try {
            Nd4j.create(DataType.FLOAT, 1);
            return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Whether the loaded ND4J natives were built with oneDNN (then the native conv ops are the fast path). */
    public static boolean nativeHasOneDnn() {
        return ONEDNN;
    }

    /** Output size along one axis: {@code floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1}. */
    public static int outputSize(int in, int k, int stride, int pad, int dil) {
        int span = in + 2 * pad - dil * (k - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** The forward convolution with the {@link Algorithm#AUTO} choice; {@code bias} may be {@code null}. */
    public static INDArray forward(INDArray x, INDArray w, INDArray bias, int[] stride, int[] padding, int[] dilation,
                                   int groups) {
        return forward(x, w, bias, stride, padding, dilation, groups, Algorithm.AUTO);
    }

    /** The forward convolution {@code [N, C_out, H_out, W_out]} computed by {@code algorithm}. */
    public static INDArray forward(INDArray x, INDArray w, INDArray bias, int[] stride, int[] padding, int[] dilation,
                                   int groups, Algorithm algorithm) {
        ConvGeometry q = ConvGeometry.of("conv2d", x.shape(), w.shape(), stride, padding, dilation, groups);
        if (bias != null) {
            KernelArrays.require(bias.length() == q.o() && bias.rank() <= 1,
                    "conv2d: bias must have shape [" + q.o() + "] but has " + java.util.Arrays.toString(bias.shape()));
        }
        if (algorithm == Algorithm.AUTO && SmallConv.applies(q)) {
            return SmallConv.forward(x, w, bias, q);
        }
        INDArray out = switch (choose(algorithm, q)) {
            case ND4J_NATIVE -> NativeConv.forward(x, w, bias, q);
            case DIRECT -> DirectConv.forward(KernelArrays.floats(x), KernelArrays.floats(w), q);
            default -> gemmForward(x, w, q);
        };
        if (bias != null && !(choose(algorithm, q) == Algorithm.ND4J_NATIVE)) {
            Nd4j.exec(new BroadcastAddOp(out, KernelArrays.dense(bias).reshape(q.o()), out, 1));
        }
        return out;
    }

    /**
     * Gradients of {@code L = sum(forward(x, w, b) * gradOut)} with respect to {@code x}, {@code w} and (when
     * {@code hasBias}) the bias.
     */
    public static Conv2dGrads backward(INDArray x, INDArray w, boolean hasBias, INDArray gradOut, int[] stride,
                                       int[] padding, int[] dilation, int groups) {
        return backward(x, w, hasBias, gradOut, stride, padding, dilation, groups, Algorithm.AUTO);
    }

    /** {@link #backward(INDArray, INDArray, boolean, INDArray, int[], int[], int[], int)} computed by {@code algorithm}. */
    public static Conv2dGrads backward(INDArray x, INDArray w, boolean hasBias, INDArray gradOut, int[] stride,
                                       int[] padding, int[] dilation, int groups, Algorithm algorithm) {
        ConvGeometry q = ConvGeometry.of("conv2d backward", x.shape(), w.shape(), stride, padding, dilation, groups);
        requireGradOut("conv2d backward", gradOut, q);
        if (algorithm == Algorithm.AUTO && SmallConv.applies(q)) {
            INDArray[] wb = SmallConv.backwardWeight(x, gradOut, q, hasBias);
            return new Conv2dGrads(SmallConv.backwardInput(gradOut, w, q), wb[0], wb[1]);
        }
        Algorithm a = choose(algorithm, q);
        if (a == Algorithm.ND4J_NATIVE) {
            return NativeConv.backward(x, w, hasBias, gradOut, q);
        }
        INDArray db = hasBias ? biasGrad(gradOut) : null;
        if (a == Algorithm.DIRECT) {
            float[] xs = KernelArrays.floats(x);
            float[] ws = KernelArrays.floats(w);
            float[] gs = KernelArrays.floats(gradOut);
            return new Conv2dGrads(DirectConv.backwardInput(gs, ws, q), DirectConv.backwardWeight(xs, gs, q), db);
        }
        INDArray[] g = gemmBackward(x, w, gradOut, q, true, true);
        return new Conv2dGrads(g[0], g[1], db);
    }

    /**
     * Whether {@link Algorithm#AUTO} computes the input gradient and the weight gradient of this convolution
     * separately (so that the input gradient can be skipped): true for the few-input-channel kernel.
     */
    public static boolean backwardSplits(long[] xShape, long[] wShape, int[] stride, int[] padding, int[] dilation,
                                         int groups) {
        return SmallConv.applies(ConvGeometry.of("conv2d backward", xShape, wShape, stride, padding, dilation,
                groups));
    }

    /** The weight gradient and (when {@code hasBias}, else null) the bias gradient: {@code {dw, db}}. */
    public static INDArray[] backwardWeightAndBias(INDArray x, INDArray gradOut, long[] weightShape, boolean hasBias,
                                                   int[] stride, int[] padding, int[] dilation, int groups) {
        ConvGeometry q = ConvGeometry.of("conv2d backward weight", x.shape(), weightShape, stride, padding, dilation,
                groups);
        requireGradOut("conv2d backward weight", gradOut, q);
        if (SmallConv.applies(q)) {
            return SmallConv.backwardWeight(x, gradOut, q, hasBias);
        }
        INDArray dw = backwardWeight(x, gradOut, weightShape, stride, padding, dilation, groups);
        return new INDArray[] {dw, hasBias ? biasGrad(gradOut) : null};
    }

    /** The gradient with respect to the input only (the transposed convolution of {@code gradOut}). */
    public static INDArray backwardInput(INDArray gradOut, INDArray w, long[] inputShape, int[] stride, int[] padding,
                                         int[] dilation, int groups) {
        ConvGeometry q = ConvGeometry.of("conv2d backward input", inputShape, w.shape(), stride, padding, dilation,
                groups);
        requireGradOut("conv2d backward input", gradOut, q);
        if (SmallConv.applies(q)) {
            return SmallConv.backwardInput(gradOut, w, q);
        }
        if (directIsBest(q)) {
            return DirectConv.backwardInput(KernelArrays.floats(gradOut), KernelArrays.floats(w), q);
        }
        return gemmBackward(null, w, gradOut, q, true, false)[0];
    }

    /** The gradient with respect to the weight only. */
    public static INDArray backwardWeight(INDArray x, INDArray gradOut, long[] weightShape, int[] stride, int[] padding,
                                          int[] dilation, int groups) {
        ConvGeometry q = ConvGeometry.of("conv2d backward weight", x.shape(), weightShape, stride, padding, dilation,
                groups);
        requireGradOut("conv2d backward weight", gradOut, q);
        if (SmallConv.applies(q)) {
            return SmallConv.backwardWeight(x, gradOut, q, false)[0];
        }
        if (directIsBest(q)) {
            return DirectConv.backwardWeight(KernelArrays.floats(x), KernelArrays.floats(gradOut), q);
        }
        return gemmBackward(x, null, gradOut, q, false, true)[1];
    }

    /** The bias gradient: {@code gradOut} summed over batch, rows and columns. */
    static INDArray biasGrad(INDArray gradOut) {
        return gradOut.castTo(DataType.FLOAT).sum(0, 2, 3);
    }

    private static void requireGradOut(String op, INDArray gradOut, ConvGeometry q) {
        KernelArrays.require(gradOut != null && java.util.Arrays.equals(gradOut.shape(), q.outputShape()),
                op + ": gradOut must have the output shape " + java.util.Arrays.toString(q.outputShape()) + " but has "
                        + (gradOut == null ? "null" : java.util.Arrays.toString(gradOut.shape())));
    }

    private static Algorithm choose(Algorithm requested, ConvGeometry q) {
        if (requested != Algorithm.AUTO) {
            return requested;
        }
        if (directIsBest(q)) {
            return Algorithm.DIRECT;
        }
        // ND4J's oneDNN binding rejects dilated convolutions ("could not create a descriptor for a dilated
        // convolution"), so those stay on im2col; grouped ones run one native call per group, which measured faster
        // than im2col up to 8 groups (N=8, 64 channels, 56x56)
        if (ONEDNN && q.groups() <= 8 && q.dh() == 1 && q.dw() == 1) {
            return Algorithm.ND4J_NATIVE;
        }
        return Algorithm.IM2COL_GEMM;
    }

    /** One or two input channels per group: the per-group GEMMs would be too small, plain loops win. */
    private static boolean directIsBest(ConvGeometry q) {
        return q.groups() > 1 && q.cg() <= 2;
    }

    private static INDArray gemmForward(INDArray x, INDArray w, ConvGeometry q) {
        if (q.n() == 1 && q.groups() > 8) {
            return gemmForwardBatched(x, w, q);
        }
        int k = q.k();
        int p = q.p();
        int og = q.og();
        float[] xs = KernelArrays.floats(x);
        INDArray wMat = KernelArrays.dense(w).reshape('c', q.o(), k);
        // every (sample, group) block is written by a GEMM with beta = 0, which never reads the old contents
        INDArray out = Buffers.uninitialized(DataType.FLOAT, q.outputShape());
        INDArray out2 = out.reshape('c', (long) q.n() * q.o(), p);
        INDArray colArr = Nd4j.create(DataType.FLOAT, k, p);
        float[] col = new float[k * p];
        int plane = q.h() * q.w();
        for (int n = 0; n < q.n(); n++) {
            for (int g = 0; g < q.groups(); g++) {
                Im2Col.unfold(xs, (n * q.c() + g * q.cg()) * plane, q, col);
                KernelArrays.write(colArr, 0, col, 0, col.length);
                INDArray wg = rows(wMat, g * og, og, q.groups());
                int row = n * q.o() + g * og;
                INDArray target = out2.get(NDArrayIndex.interval(row, row + og), NDArrayIndex.all());
                Nd4j.gemm(wg, colArr, target, false, false, 1.0, 0.0);
            }
        }
        return out;
    }

    /**
     * One sample with many groups (FDConv's and CondConv's per-sample kernels, {@code [1, B·Cin, H, W]} with
     * {@code groups = B}): the columns of every group in one {@code [G, K, P]} array and ONE batched matrix product
     * {@code [G, og, K] × [G, K, P]} written straight into the output, instead of a GEMM and two array views per group.
     */
    private static INDArray gemmForwardBatched(INDArray x, INDArray w, ConvGeometry q) {
        int k = q.k();
        int p = q.p();
        int groups = q.groups();
        int plane = q.h() * q.w();
        float[] xs = KernelArrays.floats(x);
        INDArray w3 = KernelArrays.dense(w).reshape('c', groups, q.og(), k);
        INDArray cols = KernelArrays.uninitialized(groups, k, p);
        float[] col = new float[k * p];
        for (int g = 0; g < groups; g++) {
            Im2Col.unfold(xs, g * q.cg() * plane, q, col);
            KernelArrays.write(cols, g * k * p, col, 0, col.length);
        }
        INDArray out = Buffers.uninitialized(DataType.FLOAT, q.outputShape());
        Nd4j.matmul(w3, cols, out.reshape('c', groups, q.og(), p));
        Buffers.release(cols);
        return out;
    }

    /** Returns {dx, dw}; each only when asked for. {@code x} may be null when no weight gradient is wanted. */
    private static INDArray[] gemmBackward(INDArray x, INDArray w, INDArray gradOut, ConvGeometry q, boolean wantDx,
                                           boolean wantDw) {
        if (q.n() == 1 && q.groups() > 8) {
            return gemmBackwardBatched(x, w, gradOut, q, wantDx, wantDw);
        }
        int k = q.k();
        int p = q.p();
        int og = q.og();
        int plane = q.h() * q.w();
        INDArray go2 = KernelArrays.dense(gradOut).reshape('c', (long) q.n() * q.o(), p);
        float[] xs = wantDw ? KernelArrays.floats(x) : null;
        INDArray wMat = wantDx ? KernelArrays.dense(w).reshape('c', q.o(), k) : null;
        float[] dx = wantDx ? new float[q.n() * q.c() * plane] : null;
        INDArray dw = wantDw ? Nd4j.create(DataType.FLOAT, q.o(), k) : null;
        INDArray colArr = Nd4j.create(DataType.FLOAT, k, p);
        float[] col = new float[k * p];
        for (int n = 0; n < q.n(); n++) {
            for (int g = 0; g < q.groups(); g++) {
                int row = n * q.o() + g * og;
                INDArray gog = go2.get(NDArrayIndex.interval(row, row + og), NDArrayIndex.all());
                int xBase = (n * q.c() + g * q.cg()) * plane;
                if (wantDw) {
                    Im2Col.unfold(xs, xBase, q, col);
                    KernelArrays.write(colArr, 0, col, 0, col.length);
                    INDArray dwg = rows(dw, g * og, og, q.groups());
                    Nd4j.gemm(gog, colArr, dwg, false, true, 1.0, 1.0);
                }
                if (wantDx) {
                    INDArray wg = rows(wMat, g * og, og, q.groups());
                    Nd4j.gemm(wg, gog, colArr, true, false, 1.0, 0.0);
                    KernelArrays.read(colArr, 0, col, 0, col.length);
                    Im2Col.fold(col, q, dx, xBase);
                }
            }
        }
        return new INDArray[] {
                wantDx ? KernelArrays.array(dx, q.inputShape()) : null,
                wantDw ? dw.reshape('c', q.weightShape()) : null};
    }

    /** {@link #gemmBackward} for one sample with many groups, as {@link #gemmForwardBatched}: batched products. */
    private static INDArray[] gemmBackwardBatched(INDArray x, INDArray w, INDArray gradOut, ConvGeometry q,
                                                  boolean wantDx, boolean wantDw) {
        int k = q.k();
        int p = q.p();
        int groups = q.groups();
        int plane = q.h() * q.w();
        INDArray go3 = KernelArrays.dense(gradOut).reshape('c', groups, q.og(), p);
        float[] col = new float[k * p];
        INDArray dw = null;
        if (wantDw) {
            float[] xs = KernelArrays.floats(x);
            INDArray cols = KernelArrays.uninitialized(groups, k, p);
            for (int g = 0; g < groups; g++) {
                Im2Col.unfold(xs, g * q.cg() * plane, q, col);
                KernelArrays.write(cols, g * k * p, col, 0, col.length);
            }
            dw = Buffers.uninitialized(DataType.FLOAT, q.weightShape());
            Nd4j.matmul(go3, cols, dw.reshape('c', groups, q.og(), k), false, true, false);
            Buffers.release(cols);
        }
        INDArray dx = null;
        if (wantDx) {
            INDArray w3 = KernelArrays.dense(w).reshape('c', groups, q.og(), k);
            INDArray dcols = KernelArrays.uninitialized(groups, k, p);
            Nd4j.matmul(w3, go3, dcols, true, false, false);
            float[] d = new float[q.c() * plane];
            for (int g = 0; g < groups; g++) {
                KernelArrays.read(dcols, g * k * p, col, 0, col.length);
                Im2Col.fold(col, q, d, g * q.cg() * plane);
            }
            Buffers.release(dcols);
            dx = KernelArrays.array(d, q.inputShape());
        }
        return new INDArray[] {dx, dw};
    }

    private static INDArray rows(INDArray m, int from, int count, int groups) {
        return groups == 1 ? m : m.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all());
    }

    /** ND4J's native ops; they know no groups, so grouped convolutions run one call per group. */
    private static final class NativeConv {
        private NativeConv() {
        }

        private static int[] iArgs(ConvGeometry q) {
            // kH, kW, sH, sW, pH, pW, dH, dW, paddingMode (0 = explicit), dataFormat (0 = NCHW), wFormat (1 = OIHW)
            return new int[] {q.kh(), q.kw(), q.sh(), q.sw(), q.ph(), q.pw(), q.dh(), q.dw(), 0, 0, 1};
        }

        static INDArray forward(INDArray x, INDArray w, INDArray bias, ConvGeometry q) {
            if (q.groups() > 1) {
                return perGroupForward(x, w, bias, q);
            }
            // the op writes every output element, so the buffer need not be zeroed first
            INDArray out = Buffers.uninitialized(DataType.FLOAT, q.outputShape());
            INDArray[] in = bias == null ? new INDArray[] {KernelArrays.dense(x), KernelArrays.dense(w)}
                    : new INDArray[] {KernelArrays.dense(x), KernelArrays.dense(w),
                        KernelArrays.dense(bias).reshape(q.o())};
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in).addOutputs(out)
                    .addIntegerArguments(iArgs(q)).build());
            return out;
        }

        static Conv2dGrads backward(INDArray x, INDArray w, boolean hasBias, INDArray gradOut, ConvGeometry q) {
            if (q.groups() > 1) {
                return perGroupBackward(x, w, hasBias, gradOut, q);
            }
            // oneDNN's backward-data primitive writes every element of dx; ND4J's own im2col path adds into it
            INDArray dx = ONEDNN ? Buffers.uninitialized(DataType.FLOAT, q.inputShape()) : Buffers.zeros(q.inputShape());
            INDArray dw = Nd4j.create(DataType.FLOAT, q.weightShape());
            INDArray db = hasBias ? Nd4j.create(DataType.FLOAT, q.o()) : null;
            INDArray xd = KernelArrays.dense(x);
            INDArray wd = KernelArrays.dense(w);
            INDArray gd = KernelArrays.dense(gradOut);
            INDArray[] in = hasBias ? new INDArray[] {xd, wd, Nd4j.zeros(DataType.FLOAT, q.o()), gd}
                    : new INDArray[] {xd, wd, gd};
            INDArray[] outs = hasBias ? new INDArray[] {dx, dw, db} : new INDArray[] {dx, dw};
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in).addOutputs(outs)
                    .addIntegerArguments(iArgs(q)).build());
            return new Conv2dGrads(dx, dw, db);
        }

        private static ConvGeometry single(ConvGeometry q) {
            return new ConvGeometry(q.n(), q.cg(), q.h(), q.w(), q.og(), q.kh(), q.kw(), q.sh(), q.sw(), q.ph(), q.pw(),
                    q.dh(), q.dw(), 1, q.ho(), q.wo());
        }

        private static INDArray channels(INDArray a, int from, int count) {
            return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup('c');
        }

        private static INDArray perGroupForward(INDArray x, INDArray w, INDArray bias, ConvGeometry q) {
            ConvGeometry s = single(q);
            INDArray[] parts = new INDArray[q.groups()];
            for (int g = 0; g < q.groups(); g++) {
                INDArray wg = w.get(NDArrayIndex.interval(g * q.og(), (g + 1) * q.og())).dup('c');
                INDArray bg = bias == null ? null
                        : bias.reshape(q.o()).get(NDArrayIndex.interval(g * q.og(), (g + 1) * q.og())).dup('c');
                parts[g] = forward(channels(x, g * q.cg(), q.cg()), wg, bg, s);
            }
            return Nd4j.concat(1, parts);
        }

        private static Conv2dGrads perGroupBackward(INDArray x, INDArray w, boolean hasBias, INDArray gradOut,
                                                    ConvGeometry q) {
            ConvGeometry s = single(q);
            INDArray[] dx = new INDArray[q.groups()];
            INDArray[] dw = new INDArray[q.groups()];
            INDArray[] db = new INDArray[q.groups()];
            for (int g = 0; g < q.groups(); g++) {
                INDArray wg = w.get(NDArrayIndex.interval(g * q.og(), (g + 1) * q.og())).dup('c');
                Conv2dGrads r = backward(channels(x, g * q.cg(), q.cg()), wg, hasBias,
                        channels(gradOut, g * q.og(), q.og()), s);
                dx[g] = r.dx();
                dw[g] = r.dw();
                db[g] = r.db();
            }
            return new Conv2dGrads(Nd4j.concat(1, dx), Nd4j.concat(0, dw), hasBias ? Nd4j.concat(0, db) : null);
        }
    }
}
