package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.GradCheck;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Linalg;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AutogradTest {
    static TensorBackend be;
    TensorScope scope;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @BeforeEach
    void openScope() {
        scope = Tensors.scope();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private Tensor param(long seed, long... shape) {
        return new Generator(seed).uniform(be, Shape.of(shape), -1, 1).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossBackwardPasses() {
        Tensor x = be.tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(2, 4, 6);
        x.mul(3.0).sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(5, 7, 9);
        x.zeroGrad();
        assertThat(x.grad()).isNull();
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = be.tensor(new float[] {2}, 1).requiresGrad(true);
        Tensor y = x.exp();
        y.mul(y).add(y).sum().backward();
        double e = Math.exp(2);
        assertThat(x.grad().item()).isCloseTo(2 * e * e + e, org.assertj.core.api.Assertions.within(1e-3));
    }

    @Test
    void explicitUpstreamGradientIsTheVectorJacobianProduct() {
        Tensor x = be.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        x.square().backward(be.tensor(new float[] {10, 100}, 2));
        assertThat(x.grad().toFloatArray()).containsExactly(20, 400);
    }

    @Test
    void backwardOfNonScalarNeedsUpstreamGradient() {
        Tensor x = be.ones(2).requiresGrad(true);
        assertThatThrownBy(() -> x.mul(2.0).backward()).hasMessageContaining("upstream gradient");
    }

    @Test
    void noGradSectionsRecordNothing() {
        Tensor x = be.ones(2).requiresGrad(true);
        Tensor y;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            y = x.mul(2.0);
            assertThat(Autograd.isGradEnabled()).isFalse();
        }
        assertThat(Autograd.isGradEnabled()).isTrue();
        assertThat(y.requiresGrad()).isFalse();
        assertThatThrownBy(() -> y.sum().backward()).hasMessageContaining("does not require grad");
    }

    @Test
    void detachCutsTheGraphAndSharesMemory() {
        Tensor x = be.tensor(new float[] {3}, 1).requiresGrad(true);
        Tensor d = x.mul(2.0).detach();
        assertThat(d.requiresGrad()).isFalse();
        assertThat(d.isLeaf()).isTrue();
        x.mul(d).sum().backward();
        assertThat(x.grad().item()).isEqualTo(6);
    }

    @Test
    void customOpsRecordTheirOwnBackward() {
        Tensor x = be.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            y = x.mul(5.0);
        }
        Autograd.record("times5", y, new Tensor[] {x}, g -> new Tensor[] {g.mul(5.0)});
        y.sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(5, 5);
    }

    @Test
    void elementwiseAndReductionGradientsMatchFiniteDifferences() {
        Tensor a = param(1, 2, 3);
        Tensor b = param(2, 3).abs().add(0.5).detach().requiresGrad(true);
        GradCheck.check(in -> in[0].div(in[1]).tanh().mul(in[0].sigmoid()).sum(new int[] {1}, false), a, b);
        GradCheck.check(in -> in[0].softplus(2, 1).add(in[0].gelu(true)).add(in[0].gelu()), a);
        GradCheck.check(in -> in[0].var(new int[] {0}, true, 1).mul(in[0].max(new int[] {1}, true)), a);
        GradCheck.check(in -> in[0].logSumExp(1, false), a);
        Tensor c = param(12, 1, 3).abs().add(0.5).detach().requiresGrad(true);
        GradCheck.check(in -> in[0].pow(in[1]).maximum(in[0].mul(0.3)), c, b);
    }

    @Test
    void shapeAndIndexingGradientsMatchFiniteDifferences() {
        Tensor a = param(3, 3, 4);
        Tensor idx = be.tensor(new long[] {2, 0, 2}, 3);
        GradCheck.check(in -> in[0].permute(1, 0).reshape(2, 6).slice(1, 1, 6, 2).pad(new long[][] {{1, 0}, {0, 2}},
                0), a);
        GradCheck.check(in -> in[0].indexSelect(0, idx).cumsum(1).softmax(1), a);
        GradCheck.check(in -> Tensors.concat(List.of(in[0], in[0].exp()), 1).logSoftmax(0), a);
        GradCheck.check(in -> in[0].topk(2, 1).values().mul(in[0].narrow(1, 0, 2)), a);
        GradCheck.check(in -> Tensors.where(in[0].gt(0), in[0].square(), in[0].neg()).maskedFill(
                in[0].lt(-0.5), 3), a);
    }

    @Test
    void matmulAndLinearGradientsMatchFiniteDifferences() {
        Tensor x = param(4, 2, 3, 4);
        Tensor w = param(5, 5, 4);
        Tensor b = param(6, 5);
        GradCheck.check(in -> Functional.linear(in[0], in[1], in[2]), x, w, b);
        Tensor m = be.tensor(new double[] {2, 0.5, 0.1, 0.3, 3, 0.2, 0.1, 0.4, 4}, 3, 3).requiresGrad(true);
        // the CPU linalg kernels compute in double but return float32 precision: a larger step keeps the
        // finite differences above that rounding
        GradCheck.of(in -> Linalg.inv(in[0])).eps(1e-3).tolerance(1e-3, 1e-4).check(m);
    }

    @Test
    void lossGradientsMatchFiniteDifferences() {
        Tensor logits = param(7, 4, 5);
        Tensor target = be.tensor(new long[] {1, 0, 4, 2}, 4);
        GradCheck.check(in -> Functional.crossEntropy(in[0], target, 0.1), logits);
        Tensor t = new Generator(8).uniform(be, Shape.of(4, 5), 0, 1).to(DType.FLOAT64);
        GradCheck.check(in -> Functional.bceWithLogits(in[0], t).add(Functional.mseLoss(in[0], t)), logits);
        GradCheck.check(in -> Functional.klDiv(in[0].logSoftmax(1), t.softmax(1)), logits);
        GradCheck.check(in -> Functional.cosineSimilarity(in[0], in[0].exp(), 1, 1e-8), logits);
    }

    @Test
    void kernelBackedNnOpsMatchFiniteDifferences() {
        Generator g = new Generator(9);
        Tensor x = g.uniform(be, Shape.of(1, 2, 5, 5), -1, 1).requiresGrad(true);
        Tensor w = g.uniform(be, Shape.of(3, 2, 3, 3), -1, 1).requiresGrad(true);
        Tensor bias = g.uniform(be, Shape.of(3), -1, 1).requiresGrad(true);
        GradCheck float32 = GradCheck.of(in -> Functional.maxPool2d(Functional.conv2d(in[0], in[1], in[2],
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1), new int[] {2, 2}, null, new int[] {0, 0}))
                .eps(1e-2).tolerance(5e-2, 5e-2);
        float32.check(x, w, bias);
        Tensor gamma = g.uniform(be, Shape.of(2), 0.5, 1.5).requiresGrad(true);
        GradCheck.of(in -> Functional.layerNorm(in[0], new long[] {5}, null, null, 1e-5).add(
                Functional.batchNormTraining(in[0], in[1], null, 1e-5).out())).eps(1e-2).tolerance(5e-2, 5e-2)
                .check(x, gamma);
        GradCheck.of(in -> Functional.interpolate(Functional.avgPool2d(in[0], new int[] {2, 2}), new int[] {3, 4},
                io.tessera.api.tensor.InterpolationMode.BILINEAR, false)).eps(1e-2).tolerance(2e-2, 2e-2).check(x);
    }

    @Test
    void fftGradientsMatchFiniteDifferences() {
        Tensor re = param(10, 3, 4);
        Tensor im = param(11, 3, 4);
        GradCheck.of(in -> {
            ComplexTensor z = Fft.fft2(new ComplexTensor(in[0], in[1]), FftNorm.ORTHO);
            ComplexTensor r = Fft.rfft2(z.real().mul(z.imag()), FftNorm.BACKWARD);
            return r.real().add(r.imag().square());
        }).eps(1e-3).tolerance(1e-2, 1e-3).check(re, im);
        Tensor hr = param(12, 3, 3);
        Tensor hi = param(13, 3, 3);
        GradCheck.of(in -> Fft.irfft2(new ComplexTensor(in[0], in[1]), 3, 5, FftNorm.BACKWARD))
                .eps(1e-3).tolerance(1e-2, 1e-3).check(hr, hi);
    }
}
