package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Transposed 2-D convolution (PyTorch {@code conv_transpose2d}): NCHW input {@code [N, C_in, H, W]}, IOHW weight
 * {@code [C_in, C_out/groups, kH, kW]}, stride, padding, output_padding, dilation and groups.
 *
 * <p>It is the input gradient of the convolution whose OIHW weight is this IOHW weight (README: "gradient of conv2d
 * w.r.t. its input"), so the forward pass is {@link Conv2dKernels#backwardInput}, the input gradient is a forward
 * convolution and the weight gradient is {@link Conv2dKernels#backwardWeight} with input and output swapped.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class ConvTranspose2dKernels {
    private ConvTranspose2dKernels() {
    }

    /** Output size along one axis: {@code (in-1)*stride - 2*pad + dil*(k-1) + outputPadding + 1}. */
    public static int outputSize(int in, int k, int stride, int pad, int outputPadding, int dil) {
        return (in - 1) * stride - 2 * pad + dil * (k - 1) + outputPadding + 1;
    }

    /** The transposed convolution {@code [N, C_out, H_out, W_out]}; {@code bias} may be {@code null}. */
    public static INDArray forward(INDArray x, INDArray w, INDArray bias, int[] stride, int[] padding,
                                   int[] outputPadding, int[] dilation, int groups) {
        long[] outShape = outputShape(x, w, stride, padding, outputPadding, dilation, groups);
        INDArray out = Conv2dKernels.backwardInput(KernelArrays.dense(x), w, outShape, stride, padding, dilation,
                groups);
        if (bias != null) {
            KernelArrays.require(bias.length() == outShape[1] && bias.rank() <= 1, "conv_transpose2d: bias must have"
                    + " shape [" + outShape[1] + "] but has " + Arrays.toString(bias.shape()));
            Nd4j.exec(new BroadcastAddOp(out, KernelArrays.dense(bias).reshape(outShape[1]), out, 1));
        }
        return out;
    }

    /** Gradients of {@code L = sum(forward(x, w, b) * gradOut)} with respect to x, w and (when hasBias) the bias. */
    public static Conv2dGrads backward(INDArray x, INDArray w, boolean hasBias, INDArray gradOut, int[] stride,
                                       int[] padding, int[] outputPadding, int[] dilation, int groups) {
        long[] outShape = outputShape(x, w, stride, padding, outputPadding, dilation, groups);
        KernelArrays.require(gradOut != null && Arrays.equals(gradOut.shape(), outShape),
                "conv_transpose2d backward: gradOut must have the output shape " + Arrays.toString(outShape)
                        + " but has " + (gradOut == null ? "null" : Arrays.toString(gradOut.shape())));
        INDArray g = KernelArrays.dense(gradOut);
        INDArray dx = Conv2dKernels.forward(g, w, null, stride, padding, dilation, groups);
        INDArray dw = Conv2dKernels.backwardWeight(g, KernelArrays.dense(x), w.shape(), stride, padding, dilation,
                groups);
        return new Conv2dGrads(dx, dw, hasBias ? Conv2dKernels.biasGrad(g) : null);
    }

    private static long[] outputShape(INDArray x, INDArray w, int[] stride, int[] padding, int[] outputPadding,
                                      int[] dilation, int groups) {
        String op = "conv_transpose2d";
        KernelArrays.requireRank(op, "x", x, 4);
        KernelArrays.requireRank(op, "weight", w, 4);
        KernelArrays.pair(op, "stride", stride);
        KernelArrays.pair(op, "padding", padding);
        KernelArrays.pair(op, "output_padding", outputPadding);
        KernelArrays.pair(op, "dilation", dilation);
        KernelArrays.require(groups >= 1 && w.size(0) == x.size(1) && x.size(1) % groups == 0, op + ": weight "
                + Arrays.toString(w.shape()) + " is IOHW [C_in, C_out/groups, kH, kW], so its first dim must equal the"
                + " input channels of " + Arrays.toString(x.shape()) + ", divisible by groups=" + groups);
        long[] out = new long[] {x.size(0), w.size(1) * groups, 0, 0};
        for (int i = 0; i < 2; i++) {
            KernelArrays.require(outputPadding[i] >= 0 && outputPadding[i] < Math.max(stride[i], dilation[i]),
                    op + ": output_padding " + Arrays.toString(outputPadding) + " must be smaller than stride "
                            + Arrays.toString(stride) + " or dilation " + Arrays.toString(dilation));
            out[2 + i] = outputSize((int) x.size(2 + i), (int) w.size(2 + i), stride[i], padding[i], outputPadding[i],
                    dilation[i]);
            KernelArrays.require(out[2 + i] > 0, op + ": output size " + Arrays.toString(out) + " is not positive");
        }
        return out;
    }
}
