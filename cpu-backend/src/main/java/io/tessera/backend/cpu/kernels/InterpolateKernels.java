package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spatial resizing of NCHW input (PyTorch {@code interpolate}): bilinear with {@code align_corners} true or false
 * (half-pixel, no antialiasing) and legacy {@code nearest}, forward and backward. A scale factor, when given, sets the
 * coordinate ratio to {@code 1/scale} as in PyTorch; otherwise the ratio is {@code in/out}.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class InterpolateKernels {
    private InterpolateKernels() {
    }

    /** Output size PyTorch derives from a scale factor: {@code floor(in * scale)}. */
    public static int outputSize(int in, double scale) {
        return (int) Math.floor(in * scale);
    }

    /** Bilinear resize to {@code [outH, outW]}, coordinate ratio {@code in/out}. */
    public static INDArray bilinear(INDArray x, int outH, int outW, boolean alignCorners) {
        return bilinear(x, outH, outW, alignCorners, null, null);
    }

    /**
     * Bilinear resize; {@code scaleH}/{@code scaleW} are the user's scale factors (nullable), used for the coordinate
     * ratio when {@code alignCorners} is false.
     */
    public static INDArray bilinear(INDArray x, int outH, int outW, boolean alignCorners, Double scaleH,
                                    Double scaleW) {
        int[] s = shape("interpolate bilinear", x, outH, outW);
        Axis ah = Axis.linear(s[2], outH, alignCorners, scaleH);
        Axis aw = Axis.linear(s[3], outW, alignCorners, scaleW);
        int ip = s[2] * s[3];
        int op = outH * outW;
        return KernelArrays.mapPlanes(x, s[0] * s[1], ip, new long[] {s[0], s[1], outH, outW}, op, false, op * 4L,
                (pl, xs, out) -> {
                    for (int i = 0; i < outH; i++) {
                        int r0 = ah.i0[i] * s[3];
                        int r1 = ah.i1[i] * s[3];
                        double a1 = ah.w1[i];
                        double a0 = 1 - a1;
                        for (int j = 0; j < outW; j++) {
                            double b1 = aw.w1[j];
                            double b0 = 1 - b1;
                            int c0 = aw.i0[j];
                            int c1 = aw.i1[j];
                            out[i * outW + j] = (float) (a0 * (b0 * xs[r0 + c0] + b1 * xs[r0 + c1])
                                    + a1 * (b0 * xs[r1 + c0] + b1 * xs[r1 + c1]));
                        }
                    }
                });
    }

    /** Gradient of {@link #bilinear(INDArray, int, int, boolean, Double, Double)} with respect to its input. */
    public static INDArray bilinearBackward(INDArray gradOut, long[] inputShape, boolean alignCorners, Double scaleH,
                                            Double scaleW) {
        int[] s = gradShape("interpolate bilinear backward", gradOut, inputShape);
        int outH = (int) gradOut.size(2);
        int outW = (int) gradOut.size(3);
        Axis ah = Axis.linear(s[2], outH, alignCorners, scaleH);
        Axis aw = Axis.linear(s[3], outW, alignCorners, scaleW);
        int ip = s[2] * s[3];
        int op = outH * outW;
        return KernelArrays.mapPlanes(gradOut, s[0] * s[1], op, inputShape, ip, true, op * 4L, (pl, g, dx) -> {
            for (int i = 0; i < outH; i++) {
                int r0 = ah.i0[i] * s[3];
                int r1 = ah.i1[i] * s[3];
                double a1 = ah.w1[i];
                double a0 = 1 - a1;
                for (int j = 0; j < outW; j++) {
                    double gv = g[i * outW + j];
                    double b1 = aw.w1[j];
                    double b0 = 1 - b1;
                    int c0 = aw.i0[j];
                    int c1 = aw.i1[j];
                    dx[r0 + c0] += (float) (a0 * b0 * gv);
                    dx[r0 + c1] += (float) (a0 * b1 * gv);
                    dx[r1 + c0] += (float) (a1 * b0 * gv);
                    dx[r1 + c1] += (float) (a1 * b1 * gv);
                }
            }
        });
    }

    /** Legacy nearest resize ({@code src = min(floor(dst * ratio), in - 1)}), ratio {@code in/out}. */
    public static INDArray nearest(INDArray x, int outH, int outW) {
        return nearest(x, outH, outW, null, null);
    }

    /** Legacy nearest resize; a given scale factor sets the ratio to {@code 1/scale}. */
    public static INDArray nearest(INDArray x, int outH, int outW, Double scaleH, Double scaleW) {
        int[] s = shape("interpolate nearest", x, outH, outW);
        int[] sh = nearestIndex(s[2], outH, scaleH);
        int[] sw = nearestIndex(s[3], outW, scaleW);
        int ip = s[2] * s[3];
        int op = outH * outW;
        return KernelArrays.mapPlanes(x, s[0] * s[1], ip, new long[] {s[0], s[1], outH, outW}, op, false, op,
                (pl, xs, out) -> {
                    for (int i = 0; i < outH; i++) {
                        for (int j = 0; j < outW; j++) {
                            out[i * outW + j] = xs[sh[i] * s[3] + sw[j]];
                        }
                    }
                });
    }

    /** Gradient of {@link #nearest(INDArray, int, int, Double, Double)}: each input cell sums what it fed. */
    public static INDArray nearestBackward(INDArray gradOut, long[] inputShape, Double scaleH, Double scaleW) {
        int[] s = gradShape("interpolate nearest backward", gradOut, inputShape);
        int outH = (int) gradOut.size(2);
        int outW = (int) gradOut.size(3);
        int[] sh = nearestIndex(s[2], outH, scaleH);
        int[] sw = nearestIndex(s[3], outW, scaleW);
        int ip = s[2] * s[3];
        int op = outH * outW;
        return KernelArrays.mapPlanes(gradOut, s[0] * s[1], op, inputShape, ip, true, op, (pl, g, dx) -> {
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    dx[sh[i] * s[3] + sw[j]] += g[i * outW + j];
                }
            }
        });
    }

    private static int[] nearestIndex(int in, int out, Double scale) {
        // PyTorch computes the ratio and the product in float32
        float ratio = scale != null && scale > 0 ? (float) (1.0 / scale) : (float) in / out;
        int[] idx = new int[out];
        for (int d = 0; d < out; d++) {
            idx[d] = Math.min((int) Math.floor(d * ratio), in - 1);
        }
        return idx;
    }

    /** Per output index along one axis: the two source indices and the weight of the second. */
    private record Axis(int[] i0, int[] i1, double[] w1) {
        static Axis linear(int in, int out, boolean alignCorners, Double scale) {
            double ratio;
            if (alignCorners) {
                ratio = out > 1 ? (in - 1) / (double) (out - 1) : 0;
            } else {
                ratio = scale != null && scale > 0 ? 1.0 / scale : in / (double) out;
            }
            int[] i0 = new int[out];
            int[] i1 = new int[out];
            double[] w1 = new double[out];
            for (int d = 0; d < out; d++) {
                double src = alignCorners ? d * ratio : Math.max(0, (d + 0.5) * ratio - 0.5);
                int lo = Math.min((int) Math.floor(src), in - 1);
                i0[d] = lo;
                i1[d] = Math.min(lo + 1, in - 1);
                w1[d] = src - lo;
            }
            return new Axis(i0, i1, w1);
        }
    }

    private static int[] shape(String op, INDArray x, int outH, int outW) {
        KernelArrays.requireRank(op, "x", x, 4);
        KernelArrays.require(outH >= 1 && outW >= 1, op + ": output size must be positive, got " + outH + "x" + outW);
        return KernelArrays.intShape(x);
    }

    private static int[] gradShape(String op, INDArray gradOut, long[] inputShape) {
        KernelArrays.requireRank(op, "gradOut", gradOut, 4);
        KernelArrays.require(inputShape.length == 4 && gradOut.size(0) == inputShape[0]
                && gradOut.size(1) == inputShape[1], op + ": gradOut " + Arrays.toString(gradOut.shape())
                + " does not match the input shape " + Arrays.toString(inputShape));
        return Arrays.stream(inputShape).mapToInt(Math::toIntExact).toArray();
    }
}
