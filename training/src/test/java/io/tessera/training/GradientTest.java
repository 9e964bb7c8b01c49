package io.tessera.training;

import io.tessera.api.nn.GroupNorm;
import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.nn.SiLU;
import io.tessera.api.nn.Softplus;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.GradCheck;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Autograd gradients of the losses and composed layers of {@code io.tessera.api.nn} against finite differences. */
class GradientTest {
    private static TensorBackend backend;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static Tensor leaf(long seed, long... shape) {
        return new Generator(seed).normal(backend, Shape.of(shape), 0, 1).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void crossEntropyWithSmoothingAndIgnoredTargets() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = leaf(1, 5, 4);
            Tensor target = backend.tensor(new long[] {0, 3, -1, 2, 1}, 5);
            GradCheck.check(in -> Losses.crossEntropy(in[0], target, 0.2, -1, Reduction.MEAN), logits);
            GradCheck.check(in -> Losses.crossEntropy(in[0], target, 0, -1, Reduction.NONE), logits);
            GradCheck.check(in -> Losses.nllLoss(in[0].logSoftmax(1), target, -1, Reduction.SUM), logits);
        }
    }

    @Test
    void binaryAndRegressionLosses() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = leaf(2, 3, 4);
            Tensor t = new Generator(3).uniform(backend, Shape.of(3, 4), 0, 1).to(DType.FLOAT64);
            Tensor pw = backend.tensor(new double[] {0.5, 1, 2, 3}, 4);
            GradCheck.check(in -> Losses.bceWithLogits(in[0], t, pw, Reduction.MEAN), x);
            GradCheck.check(in -> Losses.mse(in[0], t, Reduction.SUM), x);
            GradCheck.check(in -> Losses.l1(in[0], t, Reduction.MEAN), x);
        }
    }

    @Test
    void klDivergenceAndCosineSimilarity() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = leaf(4, 3, 5);
            Tensor p = new Generator(5).uniform(backend, Shape.of(3, 5), 0.1, 1).to(DType.FLOAT64);
            Tensor target = p.div(p.sum(1, true));
            GradCheck.check(in -> Functional.klDiv(in[0].logSoftmax(1), target), logits);
            GradCheck.check(in -> Losses.klDiv(in[0].logSoftmax(1), target.log(), true, Reduction.SUM), logits);
            Tensor a = leaf(6, 4, 3);
            Tensor b = leaf(7, 4, 3);
            GradCheck.check(in -> Functional.cosineSimilarity(in[0], in[1], 1, 1e-8), a, b);
        }
    }

    @Test
    void composedLayers() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = leaf(8, 2, 4, 3, 3);
            GroupNorm gn = new GroupNorm(backend, 2, 4, 1e-5, false);
            GradCheck.check(in -> gn.forward(in[0]), x);
            GradCheck.check(in -> new SiLU().forward(in[0]), x);
            GradCheck.check(in -> new Softplus(2, 1.5).forward(in[0]), x);
        }
    }
}
