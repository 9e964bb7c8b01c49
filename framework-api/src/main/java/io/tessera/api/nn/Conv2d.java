package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * 2-D convolution, PyTorch's {@code nn.Conv2d}: weight {@code [out, in/groups, kH, kW]} (OIHW), bias {@code [out]};
 * stride, zero padding, dilation and groups. Initialised as in PyTorch: weight {@code kaiming_uniform(a=sqrt(5))},
 * bias uniform in {@code ±1/sqrt(fan_in)} with {@code fan_in = in/groups * kH * kW}.
 *
 * <pre>{@code
 * Conv2d c = Conv2d.builder(backend, 32, 64, 3).padding(1).generator(new Generator(7)).build();
 * }</pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;

    /** A 3x3-style square-kernel convolution with stride 1, no padding, bias, initialised from {@code gen}. */
    public Conv2d(TensorBackend backend, int inChannels, int outChannels, int kernelSize, Generator gen) {
        this(builder(backend, inChannels, outChannels, kernelSize).generator(gen));
    }

    private Conv2d(Builder b) {
        if (b.inChannels < 1 || b.outChannels < 1 || b.groups < 1 || b.inChannels % b.groups != 0
                || b.outChannels % b.groups != 0) {
            throw new IllegalArgumentException("Conv2d: in_channels (" + b.inChannels + ") and out_channels ("
                    + b.outChannels + ") must be positive multiples of groups (" + b.groups + ")");
        }
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernel = b.kernel.clone();
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.dilation = b.dilation.clone();
        this.groups = b.groups;
        Generator gen = b.generator != null ? b.generator : Init.unseeded();
        long[] shape = {outChannels, inChannels / groups, kernel[0], kernel[1]};
        this.weight = registerParameter("weight", Init.defaultWeight(b.backend, shape, gen));
        this.bias = registerParameter("bias", b.bias
                ? Init.defaultBias(b.backend, outChannels, Init.fanIn(shape), gen) : null);
    }

    /** Settings of a convolution with a square kernel of {@code kernelSize}. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int kernelSize) {
        return new Builder(backend, inChannels, outChannels, new int[] {kernelSize, kernelSize});
    }

    /** Settings of a convolution with a {@code [kH, kW]} kernel. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int[] kernel) {
        return new Builder(backend, inChannels, outChannels, NnChecks.pair("kernel", kernel, 1));
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** The weight {@code [out, in/groups, kH, kW]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** Input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** The kernel size {@code [kH, kW]} (a copy). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** The stride {@code [sH, sW]} (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** The zero padding {@code [pH, pW]}, applied on both sides (a copy). */
    public int[] padding() {
        return padding.clone();
    }

    /** The dilation {@code [dH, dW]} (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** Channel groups. */
    public int groups() {
        return groups;
    }

    /** Whether the layer has a bias. */
    public boolean hasBias() {
        return bias != null;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + Arrays.toString(dilation) : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "");
    }

    /** Settings of a {@link Conv2d}; defaults: stride 1, padding 0, dilation 1, groups 1, bias, unseeded. */
    public static final class Builder {
        private final TensorBackend backend;
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
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
            return stride(new int[] {s, s});
        }

        /** Stride {@code [sH, sW]}. */
        public Builder stride(int[] s) {
            stride = NnChecks.pair("stride", s, 1);
            return this;
        }

        /** The same zero padding on both axes. */
        public Builder padding(int p) {
            return padding(new int[] {p, p});
        }

        /** Zero padding {@code [pH, pW]} (each applied on both sides). */
        public Builder padding(int[] p) {
            padding = NnChecks.pair("padding", p, 0);
            return this;
        }

        /** The same dilation on both axes. */
        public Builder dilation(int d) {
            return dilation(new int[] {d, d});
        }

        /** Dilation {@code [dH, dW]}. */
        public Builder dilation(int[] d) {
            dilation = NnChecks.pair("dilation", d, 1);
            return this;
        }

        /** Channel groups (in and out channels must be multiples of it). */
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
        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}
