package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.nn.Linear;
import io.tessera.api.optim.Adam;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ServiceLoader;
import java.util.function.BiFunction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An optimizer restored from {@code state()} continues exactly like the original (what checkpoints rely on). */
class OptimizerStateTest {

    private static TensorBackend cpu() {
        for (TensorBackendProvider p : ServiceLoader.load(TensorBackendProvider.class)) {
            if (p.name().equals("cpu")) {
                return p.create();
            }
        }
        throw new IllegalStateException("no cpu backend on the class path");
    }

    private static void step(TensorBackend b, Linear model, Optimizer opt, int i) {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = b.tensor(new float[] {i, 1 - i, 0.5f, 2}, 2, 2);
            Tensor loss = model.forward(x).square().mean();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
    }

    private static void continuesIdentically(BiFunction<List<Tensor>, Double, Optimizer> make) {
        try (TensorBackend b = cpu(); Linear a = new Linear(b, 2, 3, new Generator(1));
             Linear c = new Linear(b, 2, 3, new Generator(1));
             Optimizer oa = make.apply(a.parameters(), 0.05); Optimizer oc = make.apply(c.parameters(), 0.05)) {
            for (int i = 0; i < 3; i++) {
                step(b, a, oa, i);
                step(b, c, oc, i);
            }
            // c's optimizer is replaced by a fresh one that loads a's state (and c gets a's weights, equal anyway)
            try (Optimizer restored = make.apply(c.parameters(), 0.9)) {
                restored.loadState(oa.state());
                assertThat(restored.steps()).isEqualTo(3);
                assertThat(restored.learningRate()).isEqualTo(0.05);
                for (int i = 3; i < 6; i++) {
                    step(b, a, oa, i);
                    step(b, c, restored, i);
                }
                assertThat(c.stateDict().get("weight").toFloatArray())
                        .containsExactly(a.stateDict().get("weight").toFloatArray());
            }
        }
    }

    @Test
    void adamContinuesExactlyFromItsSavedState() {
        continuesIdentically((params, lr) -> new Adam(params, lr));
    }

    @Test
    void sgdWithMomentumContinuesExactlyFromItsSavedState() {
        continuesIdentically((params, lr) -> new Sgd(params, lr, 0.9, 0, 0, false));
    }

    @Test
    void refusesStateOfAnotherShape() {
        try (TensorBackend b = cpu(); Linear a = new Linear(b, 2, 3, new Generator(1));
             Linear other = new Linear(b, 4, 3, new Generator(1));
             Adam oa = new Adam(a.parameters(), 0.1); Adam oo = new Adam(other.parameters(), 0.1)) {
            assertThatThrownBy(() -> oo.loadState(oa.state())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("state.0");
        }
    }
}
