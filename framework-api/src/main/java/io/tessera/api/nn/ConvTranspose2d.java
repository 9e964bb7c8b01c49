package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Transposed 2-D convolution, PyTorch's {@code nn.ConvTranspose2d}: weight {@code [in, out/groups, kH, kW]} (IOHW),
 * bias {@code [out]}. PyTorch's initialisation: weight {@code kaiming_uniform(a=sqrt(5))} whose fan-in is computed
 * from the IOHW shape ({@code out/groups * kH * kW}), bias uniform in {@code ±1/sqrt} of the same fan-in.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class ConvTranspose2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;

    private ConvTranspose2d(Builder b) {
        if (b.inChannels < 1 || b.outChannels < 1 || b.groups < 1 || b.inChannels % b.groups != 0
                || b.outChannels % b.groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in_channels (" + b.inChannels + ") and out_channels ("
                    + b.outChannels + ") must be positive multiples of groups (" + b.groups + ")");
        }
        for (int a = 0; a < 2; a++) {
            if (b.outputPadding[a] >= Math.max(b.stride[a], b.dilation[a])) {
                throw new IllegalArgumentException("ConvTranspose2d: output_padding " + Arrays.toString(b.outputPadding)
                        + " must be smaller than stride or dilation");
            }
        }
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernel = b.kernel.clone();
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.outputPadding = b.outputPadding.clone();
        this.dilation = b.dilation.clone();
        this.groups = b.groups;
        Generator gen = b.generator != null ? b.generator : Init.unseeded();
        long[] shape = {inChannels, outChannels / groups, kernel[0], kernel[1]};
        this.weight = registerParameter("weight", Init.defaultWeight(b.backend, shape, gen));
        this.bias = registerParameter("bias", b.bias
                ? Init.defaultBias(b.backend, outChannels, Init.fanIn(shape), gen) : null);
    }

    /** Settings of a transposed convolution with a square kernel. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int kernelSize) {
        return new Builder(backend, inChannels, outChannels, new int[] {kernelSize, kernelSize});
    }

    /** Settings of a transposed convolution with a {@code [kH, kW]} kernel. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int[] kernel) {
        return new Builder(backend, inChannels, outChannels, kernel);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.convTranspose2d(input, weight, bias, stride, padding, outputPadding, dilation, groups);
    }

    /** The weight {@code [in, out/groups, kH, kW]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + (outputPadding[0] != 0 || outputPadding[1] != 0
                        ? ", output_padding=" + Arrays.toString(outputPadding) : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "");
    }

    /** Settings of a {@link ConvTranspose2d}; defaults: stride 1, padding 0, output padding 0, dilation 1, groups 1. */
    public static final class Builder {
        private final TensorBackend backend;
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] outputPadding = {0, 0};
        private int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;
        private Generator generator;

        private Builder(TensorBackend backend, int inChannels, int outChannels, int[] kernel) {
            this.backend = backend;
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = NnChecks.pair("kernel", kernel, 1);
        }

        /** The same stride on both axes. */
        public Builder stride(int s) {
            stride = NnChecks.pair("stride", new int[] {s, s}, 1);
            return this;
        }

        /** The same padding on both axes. */
        public Builder padding(int p) {
            padding = NnChecks.pair("padding", new int[] {p, p}, 0);
            return this;
        }

        /** Extra rows/columns added to one side of the output. */
        public Builder outputPadding(int p) {
            outputPadding = NnChecks.pair("output_padding", new int[] {p, p}, 0);
            return this;
        }

        /** The same dilation on both axes. */
        public Builder dilation(int d) {
            dilation = NnChecks.pair("dilation", new int[] {d, d}, 1);
            return this;
        }

        /** Channel groups. */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Whether the layer has a bias. */
        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /** The generator of the initial weights. */
        public Builder generator(Generator g) {
            generator = g;
            return this;
        }

        /** The layer. */
        public ConvTranspose2d build() {
            return new ConvTranspose2d(this);
        }
    }
}
