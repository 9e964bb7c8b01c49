package io.tessera.backend.cpu.kernels;

import java.util.Arrays;

/**
 * Sizes of one 2-D convolution, NCHW input {@code [n, c, h, w]}, OIHW weight {@code [o, c/groups, kh, kw]}, output
 * {@code [n, o, ho, wo]}; padding is symmetric per axis.
 */
record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                    int groups, int ho, int wo) {

    static ConvGeometry of(String op, long[] x, long[] weight, int[] stride, int[] padding, int[] dilation, int groups) {
        KernelArrays.require(x.length == 4, op + ": input must be NCHW (rank 4) but has shape " + Arrays.toString(x));
        KernelArrays.require(weight.length == 4,
                op + ": weight must be OIHW (rank 4) but has shape " + Arrays.toString(weight));
        KernelArrays.pair(op, "stride", stride);
        KernelArrays.pair(op, "padding", padding);
        KernelArrays.pair(op, "dilation", dilation);
        KernelArrays.require(groups >= 1, op + ": groups must be >= 1 but is " + groups);
        int c = (int) x[1];
        int o = (int) weight[0];
        KernelArrays.require(c % groups == 0 && o % groups == 0, op + ": input channels " + c + " and output channels "
                + o + " must both be divisible by groups=" + groups);
        KernelArrays.require(weight[1] * groups == c, op + ": weight " + Arrays.toString(weight) + " expects "
                + weight[1] * groups + " input channels (weight[1] * groups) but the input " + Arrays.toString(x)
                + " has " + c);
        for (int i = 0; i < 2; i++) {
            KernelArrays.require(stride[i] >= 1 && dilation[i] >= 1 && padding[i] >= 0,
                    op + ": stride and dilation must be >= 1 and padding >= 0, got stride=" + Arrays.toString(stride)
                            + " padding=" + Arrays.toString(padding) + " dilation=" + Arrays.toString(dilation));
        }
        int kh = (int) weight[2];
        int kw = (int) weight[3];
        int ho = Conv2dKernels.outputSize((int) x[2], kh, stride[0], padding[0], dilation[0]);
        int wo = Conv2dKernels.outputSize((int) x[3], kw, stride[1], padding[1], dilation[1]);
        KernelArrays.require(ho > 0 && wo > 0, op + ": the dilated kernel " + Arrays.toString(weight)
                + " does not fit the padded input " + Arrays.toString(x) + " (output would be " + ho + "x" + wo + ")");
        return new ConvGeometry((int) x[0], c, (int) x[2], (int) x[3], o, kh, kw, stride[0], stride[1], padding[0],
                padding[1], dilation[0], dilation[1], groups, ho, wo);
    }

    /** Input channels per group. */
    int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    int og() {
        return o / groups;
    }

    /** Rows of one group's column matrix: {@code cg * kh * kw}. */
    int k() {
        return cg() * kh * kw;
    }

    /** Output pixels per plane. */
    int p() {
        return ho * wo;
    }

    long[] inputShape() {
        return new long[] {n, c, h, w};
    }

    long[] weightShape() {
        return new long[] {o, cg(), kh, kw};
    }

    long[] outputShape() {
        return new long[] {n, o, ho, wo};
    }

    /** First output column {@code j} whose input column {@code j*s + off} is {@code >= 0}. */
    static int firstValid(int off, int s) {
        return off >= 0 ? 0 : (-off + s - 1) / s;
    }

    /** One past the last output column {@code j < wo} whose input column {@code j*s + off} is {@code < w}. */
    static int endValid(int off, int s, int w, int wo) {
        int last = w - 1 - off;
        return last < 0 ? 0 : Math.min(wo, last / s + 1);
    }
}
