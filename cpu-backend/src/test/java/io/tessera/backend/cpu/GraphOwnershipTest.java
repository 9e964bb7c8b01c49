package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who owns the intermediates of an autograd graph when results leave the scopes that made them: results kept out of
 * nested scopes (a module's scope around a composite op's own scope) still backpropagate, and closing the results
 * frees every storage.
 */
class GraphOwnershipTest {
    static CpuBackend kernels;
    static TensorBackend be;

    @BeforeAll
    static void open() {
        kernels = new CpuBackend("cpu");
        be = TensorBackend.of(kernels);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static Tensor leaf(long seed, long... shape) {
        try (TensorScope s = Tensors.scope()) {
            Tensor t = new Generator(seed).uniform(be, Shape.of(shape), -1, 1).to(DType.FLOAT64);
            return s.keep(t).requiresGrad(true);
        }
    }

    /** The gradients of {@code loss} with every intermediate alive until backward has run. */
    private static double[][] referenceGrads(Supplier<Tensor> loss, Tensor... leaves) {
        try (TensorScope s = Tensors.scope()) {
            loss.get().backward();
            double[][] g = new double[leaves.length][];
            for (int i = 0; i < leaves.length; i++) {
                g[i] = leaves[i].grad().toDoubleArray();
                leaves[i].zeroGrad();
            }
            return g;
        }
    }

    /** A module's forward: its own scope around an intermediate, a composite op and an activation. */
    private static Tensor moduleForward(Tensor x, Tensor w, Tensor b) {
        try (TensorScope s = Tensors.scope()) {
            Tensor h = x.mul(2.0);
            return s.keep(Functional.linear(h, w, b).relu());
        }
    }

    @Test
    void compositeResultKeptOutOfAnOuterScopeStillBackpropagates() {
        long before = kernels.openStorages.get();
        Tensor x = leaf(1, 4, 3);
        Tensor w = leaf(2, 5, 3);
        Tensor b = leaf(3, 5);
        double[][] expected = referenceGrads(() -> x.mul(2.0).matmul(w.t()).add(b).relu().square().sum(), x, w, b);

        Tensor out = moduleForward(x, w, b);
        try (TensorScope step = Tensors.scope()) {
            out.square().sum().backward();
        }

        assertThat(x.grad().toDoubleArray()).containsExactly(expected[0], within());
        assertThat(w.grad().toDoubleArray()).containsExactly(expected[1], within());
        assertThat(b.grad().toDoubleArray()).containsExactly(expected[2], within());
        out.close();
        x.close();
        w.close();
        b.close();
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }

    @Test
    void resultKeptAgainByAnEnclosingScopeTakesThatScopesPartOfTheGraphToo() {
        long before = kernels.openStorages.get();
        Tensor x = leaf(4, 4, 3);
        Tensor w = leaf(5, 3, 3);
        Tensor b = leaf(6, 3);
        double[][] expected = referenceGrads(() -> {
            Tensor h1 = x.mul(2.0).matmul(w.t()).add(b).relu();
            return h1.mul(0.5).mul(2.0).matmul(w.t()).add(b).relu().sum();
        }, x, w, b);

        Tensor out;
        try (TensorScope model = Tensors.scope()) {
            Tensor h1 = moduleForward(x, w, b);
            Tensor h2 = moduleForward(h1.mul(0.5), w, b);
            out = model.keep(h2);
            assertThat(model.liveTensors()).as("h1 and h1 * 0.5 went with the result").isZero();
        }
        try (TensorScope step = Tensors.scope()) {
            out.sum().backward();
        }

        assertThat(x.grad().toDoubleArray()).containsExactly(expected[0], within());
        assertThat(w.grad().toDoubleArray()).containsExactly(expected[1], within());
        assertThat(b.grad().toDoubleArray()).containsExactly(expected[2], within());
        out.close();
        x.close();
        w.close();
        b.close();
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }

    @Test
    void resultsSharingAnIntermediateEachKeepIt() {
        long before = kernels.openStorages.get();
        Tensor x = leaf(7, 5);
        Tensor exp;
        Tensor sin;
        try (TensorScope s = Tensors.scope()) {
            Tensor a = x.mul(3.0);
            exp = s.keep(a.exp());
            sin = s.keep(a.sin());
        }
        exp.close();
        try (TensorScope step = Tensors.scope()) {
            sin.sum().backward();
        }
        double[] xs = x.toDoubleArray();
        double[] g = x.grad().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertThat(g[i]).isCloseTo(3 * Math.cos(3 * xs[i]), within());
        }
        sin.close();
        x.close();
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }

    @Test
    void keepingStopsAtTensorsOfOtherScopes() {
        Tensor x = leaf(8, 3);
        try (TensorScope outer = Tensors.scope()) {
            Tensor shared = x.mul(2.0);
            Tensor r;
            try (TensorScope inner = Tensors.scope()) {
                r = inner.keep(Functional.linear(shared.reshape(1, 3), shared.reshape(1, 3), null));
            }
            assertThat(outer.liveTensors()).as("shared and r").isEqualTo(2);
            r.close();
            assertThat(shared.isClosed()).isFalse();
            assertThat(outer.liveTensors()).as("shared").isEqualTo(1);
        }
        x.close();
    }

    @Test
    void unscopedTensorsOutliveEveryEnclosingScope() {
        long before = kernels.openStorages.get();
        Tensor state;
        Tensor kept;
        try (TensorScope outer = Tensors.scope(); TensorScope inner = Tensors.scope()) {
            state = Tensors.unscoped(() -> be.zeros(3));
            kept = Tensors.unscoped(() -> Tensors.inScope(() -> be.ones(3).mul(2.0).add(1.0)));
            assertThat(inner.liveTensors()).isZero();
            assertThat(outer.liveTensors()).isZero();
            Tensor tmp = be.ones(1);
            assertThat(inner.liveTensors()).as("scopes own tensors again after unscoped").isEqualTo(1);
            assertThat(tmp.isClosed()).isFalse();
        }
        assertThat(state.isClosed()).isFalse();
        assertThat(kept.toFloatArray()).containsExactly(3, 3, 3);
        state.close();
        kept.close();
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }

    @Test
    void disownedTensorLeavesItsScopeWithTheGraphItNeeds() {
        long before = kernels.openStorages.get();
        Tensor x = leaf(9, 4);
        Tensor y;
        try (TensorScope outer = Tensors.scope()) {
            try (TensorScope s = Tensors.scope()) {
                y = Tensors.disown(x.mul(2.0).exp());
                assertThat(s.liveTensors()).isZero();
            }
        }
        assertThat(y.isClosed()).isFalse();
        try (TensorScope step = Tensors.scope()) {
            y.sum().backward();
        }
        double[] xs = x.toDoubleArray();
        double[] g = x.grad().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertThat(g[i]).isCloseTo(2 * Math.exp(2 * xs[i]), within());
        }
        y.close();
        x.close();
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }

    @Test
    void disownedIntermediateNoLongerClosesWithTheResultHoldingIt() {
        Tensor x = leaf(10, 2);
        Tensor mid;
        Tensor r;
        try (TensorScope s = Tensors.scope()) {
            mid = x.mul(2.0);
            r = s.keep(mid.exp());
        }
        Tensors.disown(mid);
        r.close();
        assertThat(mid.isClosed()).isFalse();
        mid.close();
        x.close();
    }

    @Test
    void trainingStepsThroughNestedScopesLeaveNothingBehind() {
        Tensor x = leaf(11, 4, 3);
        Tensor w = leaf(12, 5, 3);
        Tensor b = leaf(13, 5);
        List<Long> storages = new ArrayList<>();
        try (TensorScope outer = Tensors.scope()) {
            for (int step = 0; step < 4; step++) {
                Tensor loss;
                try (TensorScope forward = Tensors.scope()) {
                    loss = forward.keep(moduleForward(x, w, b).square().mean());
                }
                loss.backward();
                try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                    w.addInPlace(w.grad(), -0.1);
                }
                x.zeroGrad();
                w.zeroGrad();
                b.zeroGrad();
                loss.close();
                assertThat(outer.liveTensors()).isZero();
                storages.add(kernels.openStorages.get());
            }
        }
        assertThat(storages).as("open storages after each step").containsOnly(storages.get(0));
        x.close();
        w.close();
        b.close();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-12);
    }
}
