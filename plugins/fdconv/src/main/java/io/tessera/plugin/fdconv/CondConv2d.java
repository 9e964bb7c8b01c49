package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Init;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A classic dynamic convolution with {@code K} parallel full kernels, CondConv-style (Yang et al., NeurIPS 2019;
 * softmax routing as in Chen et al., CVPR 2020 "Dynamic Convolution"): the baseline FDConv compares itself with. Per
 * sample, the globally average-pooled input goes through a linear routing layer to {@code K} attention weights
 * ({@code sigmoid}, as CondConv, or {@code softmax(logits / T)}); the sample's kernel is {@code Σ_k a_k · W_k} and its
 * bias {@code Σ_k a_k · b_k}. All samples run as ONE grouped convolution over the batch ({@code [1, B·Cin, H, W]}
 * with {@code [B·Cout, Cin/groups, k, k]}, {@code groups = B·groups}), as {@link FDConv2d} does.
 *
 * <pre>{@code
 * CondConv2d conv = CondConv2d.builder(backend, 32, 64, 3).padding(1).experts(4).generator(new Generator(7)).build();
 * Tensor y = conv.forward(x);                    // x [B, 32, H, W] -> y [B, 64, H, W]
 * }</pre>
 *
 * <p>Parameters (PyTorch-style names): {@code weight [K, Cout, Cin/groups, kH, kW]}, {@code bias [K, Cout]} (absent
 * without bias), {@code routing.weight [K, Cin]}, {@code routing.bias [K]}. Each expert gets {@link Conv2d}'s default
 * initialisation, drawn one expert after the other; the routing layer is a default {@link Linear}. It holds {@code K}
 * times the parameters of a plain convolution: the cost FDConv avoids by keeping one kernel's worth of Fourier weights.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CondConv2d extends Module {

    /** How the routing logits become attention weights. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Routing {
        /** Independent gates {@code sigmoid(logits)} in (0, 1), as CondConv. */
        SIGMOID,
        /** Weights that sum to one, {@code softmax(logits / T)}, as Dynamic Convolution. */
        SOFTMAX
    }

    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final int experts;
    private final Routing routing;
    private final double temperature;
    private final Tensor weight;
    private final Tensor bias;
    private final Linear router;

    private CondConv2d(Builder b) {
        if (b.inChannels < 1 || b.outChannels < 1 || b.groups < 1 || b.inChannels % b.groups != 0
                || b.outChannels % b.groups != 0) {
            throw new IllegalArgumentException("CondConv2d: in_channels (" + b.inChannels + ") and out_channels ("
                    + b.outChannels + ") must be positive multiples of groups (" + b.groups + ")");
        }
        if (b.experts < 1) {
            throw new IllegalArgumentException("CondConv2d: experts must be >= 1, got " + b.experts);
        }
        if (!(b.temperature > 0) || !Double.isFinite(b.temperature)) {
            throw new IllegalArgumentException("CondConv2d: the softmax temperature must be a finite number > 0, got "
                    + b.temperature);
        }
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernel = b.kernel.clone();
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.dilation = b.dilation.clone();
        this.groups = b.groups;
        this.experts = b.experts;
        this.routing = b.routing;
        this.temperature = b.temperature;
        Generator gen = b.generator != null ? b.generator : new Generator(new java.util.SplittableRandom().nextLong());
        long[] shape = {outChannels, inChannels / groups, kernel[0], kernel[1]};
        List<Tensor> weights = new ArrayList<>();
        List<Tensor> biases = new ArrayList<>();
        try (var scope = Tensors.scope()) {
            for (int e = 0; e < experts; e++) {
                weights.add(Init.defaultWeight(b.backend, shape, gen));
                if (b.bias) {
                    biases.add(Init.defaultBias(b.backend, outChannels, Init.fanIn(shape), gen));
                }
            }
            this.weight = registerParameter("weight", scope.keep(Tensors.stack(weights, 0)));
            this.bias = registerParameter("bias", b.bias ? scope.keep(Tensors.stack(biases, 0)) : null);
        }
        this.router = registerModule("routing", new Linear(b.backend, inChannels, experts, gen));
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return compute(input, weight, bias, router.weight(), router.bias(), routing, temperature, stride, padding,
                dilation, groups);
    }

    /** The attention weights {@code [B, K]} the routing gives each sample of {@code input}. */
    public Tensor attention(Tensor input) {
        checkInput(input);
        return attention(input, router.weight(), router.bias(), routing, temperature);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("CondConv2d(" + inChannels + ", " + outChannels + "): expected an NCHW"
                    + " input with " + inChannels + " channels, got shape " + x.shape());
        }
    }

    /**
     * The layer as a function of its tensors (for gradient checks in any dtype): {@code x [B, Cin, H, W]},
     * {@code weight [K, Cout, Cin/groups, kH, kW]}, {@code bias [K, Cout]} or null, {@code routingWeight [K, Cin]},
     * {@code routingBias [K]}.
     */
    static Tensor compute(Tensor x, Tensor weight, Tensor bias, Tensor routingWeight, Tensor routingBias,
            Routing routing, double temperature, int[] stride, int[] padding, int[] dilation, int groups) {
        long b = x.size(0);
        long cin = x.size(1);
        long k = weight.size(0);
        long cout = weight.size(1);
        Tensor a = attention(x, routingWeight, routingBias, routing, temperature);          // [B, K]
        // Σ_k a_k·W_k for every sample at once: [B, K] @ [K, Cout·Cin/g·kH·kW]
        Tensor kernels = a.matmul(weight.reshape(k, -1))
                .reshape(b * cout, weight.size(2), weight.size(3), weight.size(4));
        Tensor y = Functional.conv2d(x.reshape(1, b * cin, x.size(2), x.size(3)), kernels, null, stride, padding,
                dilation, (int) (b * groups));
        y = y.reshape(b, cout, y.size(2), y.size(3));
        if (bias != null) {
            y = y.add(a.matmul(bias).reshape(b, cout, 1, 1));
        }
        return y;
    }

    private static Tensor attention(Tensor x, Tensor routingWeight, Tensor routingBias, Routing routing,
            double temperature) {
        Tensor logits = Functional.linear(x.mean(new int[] {2, 3}, false), routingWeight, routingBias);
        return routing == Routing.SIGMOID ? logits.sigmoid() : logits.div(temperature).softmax(1);
    }

    // --------------------------------------------------------------------------------------------- accessors

    /** The number of parallel kernels {@code K}. */
    public int experts() {
        return experts;
    }

    /** How routing logits become attention weights. */
    public Routing routing() {
        return routing;
    }

    /** The expert kernels {@code [K, Cout, Cin/groups, kH, kW]}. */
    public Tensor weight() {
        return weight;
    }

    /** The expert biases {@code [K, Cout]}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** The routing layer: pooled input {@code [B, Cin]} to logits {@code [B, K]}. */
    public Linear router() {
        return router;
    }

    /** Input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "") + ", experts="
                + experts + ", routing=" + routing.name().toLowerCase(java.util.Locale.ROOT)
                + (routing == Routing.SOFTMAX ? ", temperature=" + temperature : "");
    }

    // ------------------------------------------------------------------------------------------- construction

    /** Settings of a CondConv2d with a square kernel; defaults as {@link Conv2d} plus 4 experts, sigmoid routing. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int kernelSize) {
        return new Builder(backend, inChannels, outChannels, new int[] {kernelSize, kernelSize});
    }

    /** Settings of a {@link CondConv2d}; defaults: stride 1, padding 0, dilation 1, groups 1, bias, 4 experts. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
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
        private int experts = 4;
        private Routing routing = Routing.SIGMOID;
        private double temperature = 1.0;
        private Generator generator;

        private Builder(TensorBackend backend, int inChannels, int outChannels, int[] kernel) {
            this.backend = backend;
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = pair("kernel size", kernel, 1);
        }

        /** The same stride on both axes. */
        public Builder stride(int s) {
            stride = pair("stride", new int[] {s, s}, 1);
            return this;
        }

        /** The same zero padding on both axes. */
        public Builder padding(int p) {
            padding = pair("padding", new int[] {p, p}, 0);
            return this;
        }

        /** The same dilation on both axes. */
        public Builder dilation(int d) {
            dilation = pair("dilation", new int[] {d, d}, 1);
            return this;
        }

        /** Channel groups of every expert kernel. */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Whether the layer has (per-expert) biases. */
        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /** The number of parallel kernels {@code K}. */
        public Builder experts(int k) {
            experts = k;
            return this;
        }

        /** How routing logits become attention weights. */
        public Builder routing(Routing r) {
            routing = java.util.Objects.requireNonNull(r, "routing");
            return this;
        }

        /** The softmax temperature {@code T} (softmax routing only). */
        public Builder temperature(double t) {
            temperature = t;
            return this;
        }

        /** The generator of the initial weights. */
        public Builder generator(Generator g) {
            generator = g;
            return this;
        }

        /** The layer. */
        public CondConv2d build() {
            return new CondConv2d(this);
        }

        private static int[] pair(String what, int[] v, int min) {
            if (v[0] < min || v[1] < min) {
                throw new IllegalArgumentException("CondConv2d: " + what + " must be >= " + min + ", got "
                        + Arrays.toString(v));
            }
            return v.clone();
        }
    }
}
