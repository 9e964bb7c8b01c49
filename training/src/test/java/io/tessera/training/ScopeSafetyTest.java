package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.nn.BatchNorm2d;
import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Dropout;
import io.tessera.api.nn.Embedding;
import io.tessera.api.nn.Flatten;
import io.tessera.api.nn.GroupNorm;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Losses;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.Reduction;
import io.tessera.api.nn.Sequential;
import io.tessera.api.nn.SiLU;
import io.tessera.api.nn.Softplus;
import io.tessera.api.optim.Adam;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Models and optimizers built inside a scope keep their tensors, and a loss kept out of the scope that computed it
 * backpropagates through every layer exactly as a loss used inside it.
 */
class ScopeSafetyTest {
    private static TensorBackend backend;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Every layer whose forward pass is a composite op (its own scope, or tensors held by its result). */
    static final class Net extends Module {
        final Sequential features;
        final Sequential head;

        Net(TensorBackend b, long seed) {
            Generator g = new Generator(seed);
            features = registerModule("features", new Sequential(
                    Conv2d.builder(b, 2, 4, 3).padding(1).generator(g).build(), new BatchNorm2d(b, 4),
                    new GroupNorm(b, 2, 4), new SiLU(), new MaxPool2d(new int[] {2, 2}, null, new int[] {0, 0},
                    new int[] {1, 1}, true), new Flatten()));
            head = registerModule("head", new Sequential(new Linear(b, 4 * 3 * 3, 6, g), new LayerNorm(b,
                    new long[] {6}), new Softplus(2, 1), new Dropout(0.25, new Generator(seed + 1)),
                    new Linear(b, 6, 3, g)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(features.forward(x));
        }
    }

    private static Tensor input(long seed) {
        return new Generator(seed).uniform(backend, Shape.of(2, 2, 5, 5), -1, 1);
    }

    @Test
    void modelAndOptimizerBuiltInsideAScopeKeepTheirTensors() {
        Net net;
        Optimizer adam;
        try (TensorScope setup = Tensors.scope()) {
            net = new Net(backend, 1);
            adam = new Adam(net.parameters(), 1e-3);
            assertThat(setup.liveTensors()).as("parameters, buffers and state belong to no scope").isZero();
        }
        assertThat(net.stateDict().values()).noneMatch(Tensor::isClosed);
        try (net; adam; TensorScope step = Tensors.scope()) {
            Tensor target = backend.tensor(new long[] {0, 2}, 2);
            Functional.crossEntropy(net.forward(input(2)), target).backward();
            adam.step();
            assertThat(adam.state().tensors().values()).noneMatch(Tensor::isClosed);
            assertThat(adam.steps()).isEqualTo(1);
        }
        assertThat(net.stateDict().values()).allMatch(Tensor::isClosed);
    }

    @Test
    void sgdMomentumStateBuiltInsideAScopeSurvivesIt() {
        Tensor p = backend.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        Optimizer sgd;
        try (TensorScope setup = Tensors.scope()) {
            sgd = new Sgd(List.of(p), 0.5, 0.9, 0, 0, false);
        }
        try (sgd) {
            for (int s = 0; s < 2; s++) {
                p.setGrad(backend.tensor(new float[] {1, 1}, 2));
                sgd.step();
            }
            // buf = 1, then 0.9 * 1 + 1 = 1.9: p = 1 - 0.5 * (1 + 1.9)
            assertThat(p.toFloatArray()).containsExactly(new float[] {1 - 0.5f * 2.9f, 2 - 0.5f * 2.9f},
                    within(1e-6f));
        }
        p.close();
    }

    /**
     * The parameter gradients of {@code loss} on a fresh model (the same weights and dropout draws every time), with
     * backward run inside the scope that computed the loss or after it closed.
     */
    private static Map<String, float[]> gradients(Function<Net, Tensor> loss, boolean afterScopeClosed) {
        try (Net net = new Net(backend, 9); TensorScope outer = Tensors.scope()) {
            if (afterScopeClosed) {
                Tensor kept;
                try (TensorScope s = Tensors.scope()) {
                    kept = s.keep(loss.apply(net));
                }
                kept.backward();
                kept.close();
                assertThat(outer.liveTensors()).as("tensors left in the step's scope").isZero();
            } else {
                loss.apply(net).backward();
            }
            Map<String, float[]> g = new LinkedHashMap<>();
            net.namedParameters().forEach((n, p) -> g.put(n, p.grad().toFloatArray()));
            return g;
        }
    }

    @Test
    void lossesKeptOutOfTheirScopeBackpropagateThroughEveryLayer() {
        List<Function<Net, Tensor>> losses = new ArrayList<>();
        Tensor target = backend.tensor(new long[] {1, 2}, 2);
        losses.add(n -> Losses.crossEntropy(n.forward(input(3)), target, 0.1, 0, Reduction.MEAN));
        losses.add(n -> Losses.mse(n.forward(input(4)), target.to(DType.FLOAT32).unsqueeze(1).expand(Shape.of(2, 3)),
                Reduction.SUM));
        losses.add(n -> Functional.cosineSimilarity(n.forward(input(5)), n.forward(input(6)), 1, 1e-8).sum());
        losses.add(n -> Losses.bceWithLogits(n.forward(input(7)), n.forward(input(8)).sigmoid().detach(), null,
                Reduction.NONE).sum());
        for (Function<Net, Tensor> loss : losses) {
            Map<String, float[]> inside = gradients(loss, false);
            Map<String, float[]> after = gradients(loss, true);
            assertThat(after.keySet()).containsExactlyElementsOf(inside.keySet());
            inside.forEach((name, g) -> assertThat(after.get(name)).as(name).containsExactly(g));
        }
        target.close();
    }

    @Test
    void embeddingOutputKeptOutOfItsScopeBackpropagates() {
        try (Embedding e = new Embedding(backend, 5, 3, new Generator(10)); TensorScope outer = Tensors.scope()) {
            Tensor idx = backend.tensor(new long[] {4, 1, 4}, 3);
            Tensor kept;
            try (TensorScope s = Tensors.scope()) {
                kept = s.keep(e.forward(idx.mul(1)).square().sum());
            }
            kept.backward();
            float[] w = e.weight().toFloatArray();
            float[] g = e.weight().grad().toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertThat(g[4 * 3 + c]).isEqualTo(2 * 2 * w[4 * 3 + c]);
                assertThat(g[1 * 3 + c]).isEqualTo(2 * w[1 * 3 + c]);
                assertThat(g[c]).isZero();
            }
            kept.close();
            assertThat(outer.liveTensors()).as("idx").isEqualTo(1);
        }
    }
}
