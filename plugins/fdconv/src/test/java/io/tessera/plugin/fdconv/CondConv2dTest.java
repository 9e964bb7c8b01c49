package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.GradCheck;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CondConv baseline: shapes, parameters, the per-sample kernel mix, its gradients and its plain-conv limit. */
class CondConv2dTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static Tensor input(long... shape) {
        return new Generator(3).normal(be, Shape.of(shape), 0, 1);
    }

    private static float maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertThat(x).hasSameSizeAs(y);
        float m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @ParameterizedTest(name = "B={0} {1}->{2} k={3} s={4} p={5} groups={6}")
    @CsvSource({"2, 8, 16, 3, 1, 1, 1", "3, 4, 6, 3, 2, 0, 1", "1, 8, 8, 1, 1, 0, 2", "2, 6, 4, 5, 1, 2, 2"})
    void outputHasTheShapeOfTheEquivalentConv(int b, int cin, int cout, int k, int s, int p, int groups) {
        try (TensorScope sc = Tensors.scope();
             CondConv2d conv = CondConv2d.builder(be, cin, cout, k).stride(s).padding(p).groups(groups)
                     .generator(new Generator(1)).build()) {
            Tensor y = conv.forward(input(b, cin, 9, 11));
            assertThat(y.dims()).containsExactly(b, cout, (9 + 2 * p - k) / s + 1, (11 + 2 * p - k) / s + 1);
            assertThat(conv.attention(input(b, cin, 9, 11)).dims()).containsExactly(b, 4);
        }
    }

    @Test
    void holdsKFullKernelsAndAKWayRouter() {
        try (CondConv2d conv = CondConv2d.builder(be, 32, 64, 3).padding(1).experts(4).generator(new Generator(1))
                .build()) {
            assertThat(conv.namedParameters().keySet()).containsExactly("weight", "bias", "routing.weight",
                    "routing.bias");
            assertThat(conv.weight().dims()).containsExactly(4, 64, 32, 3, 3);
            assertThat(conv.bias().dims()).containsExactly(4, 64);
            // 4 × (64·32·9 + 64) kernels and biases + (32·4 + 4) routing = 74,116 (a plain conv: 18,496)
            assertThat(conv.parameterCount()).isEqualTo(4L * (64 * 32 * 9 + 64) + 32 * 4 + 4);
        }
    }

    /** The batched grouped convolution equals convolving each sample with its own mixed kernel. */
    @Test
    void everySampleIsConvolvedWithItsOwnAttentionWeightedKernel() {
        try (TensorScope sc = Tensors.scope(); Autograd.NoGradSection ng = Autograd.noGrad();
             CondConv2d conv = CondConv2d.builder(be, 6, 5, 3).padding(1).experts(3).generator(new Generator(2))
                     .build()) {
            Tensor x = input(4, 6, 7, 8);
            Tensor y = conv.forward(x);
            Tensor a = conv.attention(x);
            float[] att = a.toFloatArray();
            for (int n = 0; n < 4; n++) {
                Tensor xn = x.narrow(0, n, 1);
                Tensor kernel = null;
                Tensor bias = null;
                for (int e = 0; e < 3; e++) {
                    double w = att[n * 3 + e];
                    Tensor ke = conv.weight().narrow(0, e, 1).reshape(5, 6, 3, 3).mul(w);
                    Tensor be2 = conv.bias().narrow(0, e, 1).reshape(5).mul(w);
                    kernel = kernel == null ? ke : kernel.add(ke);
                    bias = bias == null ? be2 : bias.add(be2);
                }
                Tensor expected = Functional.conv2d(xn, kernel, bias, new int[] {1, 1}, new int[] {1, 1},
                        new int[] {1, 1}, 1);
                assertThat(maxAbsDiff(y.narrow(0, n, 1), expected)).as("sample " + n).isLessThan(1e-5f);
                assertThat(att[n * 3] > 0 && att[n * 3] < 1).isTrue();
            }
        }
    }

    @Test
    void withEqualExpertsAndSoftmaxRoutingItIsThePlainConvolution() {
        try (TensorScope sc = Tensors.scope(); Autograd.NoGradSection ng = Autograd.noGrad();
             CondConv2d conv = CondConv2d.builder(be, 8, 16, 3).padding(1).experts(4)
                     .routing(CondConv2d.Routing.SOFTMAX).generator(new Generator(4)).build()) {
            Tensor w = new Generator(9).normal(be, Shape.of(16, 8, 3, 3), 0, 0.2);
            Tensor b = new Generator(10).normal(be, Shape.of(16), 0, 0.2);
            conv.weight().copyFrom(w.reshape(1, 16, 8, 3, 3));   // broadcast: every expert is w
            conv.bias().copyFrom(b.reshape(1, 16));
            Tensor x = input(3, 8, 10, 9);
            Tensor plain = Functional.conv2d(x, w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
            assertThat(maxAbsDiff(conv.forward(x), plain)).isLessThan(1e-5f);
            // the routing still varies per sample; only its sum (1) matters here
            float[] att = conv.attention(x).toFloatArray();
            assertThat(att[0]).isNotEqualTo(att[1]);
        }
    }

    @Test
    void withEqualExpertsAndSigmoidRoutingItScalesThePlainConvolutionByTheAttentionSum() {
        try (TensorScope sc = Tensors.scope(); Autograd.NoGradSection ng = Autograd.noGrad();
             CondConv2d conv = CondConv2d.builder(be, 4, 4, 3).padding(1).bias(false).experts(4)
                     .generator(new Generator(4)).build()) {
            Tensor w = new Generator(9).normal(be, Shape.of(4, 4, 3, 3), 0, 0.2);
            conv.weight().copyFrom(w.reshape(1, 4, 4, 3, 3));
            conv.router().weight().fill(0);
            conv.router().bias().fill(0);                       // every gate sigmoid(0) = 1/2, four of them: 2·W
            Tensor x = input(2, 4, 6, 6);
            Tensor plain = Functional.conv2d(x, w.mul(2), null, new int[] {1, 1}, new int[] {1, 1},
                    new int[] {1, 1}, 1);
            assertThat(maxAbsDiff(conv.forward(x), plain)).isLessThan(1e-5f);
        }
    }

    /**
     * Central finite differences on a tiny float64 case, for both routings and with groups. The CPU backend's conv2d
     * computes in float32 whatever the dtype, so the step is 1e-3 (not float64's usual 1e-6, which float32 rounding
     * would swamp) and the tolerance 1e-3 relative plus 2e-3 absolute.
     */
    @ParameterizedTest(name = "{0} routing, groups {1}")
    @CsvSource({"SIGMOID, 1", "SOFTMAX, 1", "SIGMOID, 2"})
    void gradientsMatchFiniteDifferences(CondConv2d.Routing routing, int groups) {
        try (TensorScope sc = Tensors.scope()) {
            Generator g = new Generator(5);
            Tensor x = g.normal(be, Shape.of(2, 4, 5, 4), 0, 1).to(DType.FLOAT64).requiresGrad(true);
            Tensor w = g.normal(be, Shape.of(3, 2, 4 / groups, 3, 3), 0, 0.5).to(DType.FLOAT64).requiresGrad(true);
            Tensor b = g.normal(be, Shape.of(3, 2), 0, 0.5).to(DType.FLOAT64).requiresGrad(true);
            Tensor rw = g.normal(be, Shape.of(3, 4), 0, 1).to(DType.FLOAT64).requiresGrad(true);
            Tensor rb = g.normal(be, Shape.of(3), 0, 1).to(DType.FLOAT64).requiresGrad(true);
            GradCheck.of(in -> CondConv2d.compute(in[0], in[1], in[2], in[3], in[4], routing, 2.0,
                    new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, groups)).eps(1e-3).tolerance(1e-3, 2e-3)
                    .check(x, w, b, rw, rb);
        }
    }

    @Test
    void refusesBadSettingsWithTheValueInTheMessage() {
        assertThatThrownBy(() -> CondConv2d.builder(be, 6, 4, 3).groups(4).build())
                .hasMessageContaining("multiples of groups (4)");
        assertThatThrownBy(() -> CondConv2d.builder(be, 6, 4, 3).experts(0).build())
                .hasMessageContaining("experts must be >= 1");
        try (CondConv2d conv = CondConv2d.builder(be, 6, 4, 3).build(); TensorScope sc = Tensors.scope()) {
            assertThatThrownBy(() -> conv.forward(input(1, 5, 4, 4))).hasMessageContaining("6 channels");
        }
    }
}
