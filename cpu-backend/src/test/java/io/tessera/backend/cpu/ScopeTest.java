package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScopeTest {
    static TensorBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void closesIntermediatesButNotKeptTensors() {
        Tensor x = be.ones(3);
        Tensor kept;
        Tensor tmp;
        try (TensorScope s = Tensors.scope()) {
            tmp = x.mul(2.0);
            kept = s.keep(tmp.add(1.0));
        }
        assertThat(tmp.isClosed()).isTrue();
        assertThat(kept.isClosed()).isFalse();
        assertThat(x.isClosed()).isFalse();
        assertThat(kept.toFloatArray()).containsExactly(3, 3, 3);
        kept.close();
        x.close();
    }

    @Test
    void keptTensorMovesToTheEnclosingScope() {
        Tensor inner;
        try (TensorScope outer = Tensors.scope()) {
            try (TensorScope s = Tensors.scope()) {
                inner = s.keep(be.zeros(2));
            }
            assertThat(inner.isClosed()).isFalse();
        }
        assertThat(inner.isClosed()).isTrue();
    }

    @Test
    void compositeOpsLeaveNothingBehindWithoutGradients() {
        try (TensorScope s = Tensors.scope()) {
            Tensor logits = be.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor target = be.tensor(new long[] {0, 2}, 2);
            int before = s.liveTensors();
            Tensor loss = Functional.crossEntropy(logits, target, 0.1);
            assertThat(s.liveTensors()).isEqualTo(before + 1);
            loss.close();
        }
    }

    @Test
    void trainingStepsInAScopeDoNotAccumulateTensors() {
        Tensor w = be.tensor(new float[] {0.5f, -0.5f, 0.25f, 1}, 2, 2).requiresGrad(true);
        Tensor x = be.tensor(new float[] {1, 2, 3, 4}, 2, 2);
        List<Integer> live = new ArrayList<>();
        try (TensorScope outer = Tensors.scope()) {
            for (int step = 0; step < 5; step++) {
                try (TensorScope s = Tensors.scope()) {
                    Tensor loss = x.matmul(w).gelu().square().mean();
                    loss.backward();
                    try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                        w.addInPlace(w.grad(), -0.1);
                    }
                    w.zeroGrad();
                }
                live.add(outer.liveTensors());
            }
        }
        assertThat(live).containsOnly(0);
        w.close();
        x.close();
    }

    @Test
    void backwardWorksOnAKeptLossAfterItsScopeClosed() {
        Tensor w = be.tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor loss;
        try (TensorScope s = Tensors.scope()) {
            loss = s.keep(w.mul(w).softplus(2, 20).sum());
        }
        loss.backward();
        // loss = sum softplus_2(w^2) = sum ln(1 + e^(2 w^2)) / 2; d loss / dw = sigmoid(2 w^2) * 2w
        double[] ws = {1, 2, 3};
        double expectedLoss = 0;
        float[] expectedGrad = new float[3];
        for (int i = 0; i < 3; i++) {
            double x = ws[i] * ws[i];
            expectedLoss += Math.log1p(Math.exp(2 * x)) / 2;
            expectedGrad[i] = (float) (2 * ws[i] / (1 + Math.exp(-2 * x)));
        }
        assertThat(loss.item()).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(w.grad().toFloatArray()).containsExactly(expectedGrad,
                org.assertj.core.data.Offset.offset(1e-5f));
        loss.close();
        w.close();
    }
}
