package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static TensorBackend backend;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static final float[] LOGITS = {2, 0, -1, 0.5f, 0.5f, 0.5f, -3, 1, 2};

    // -log softmax(row)[t], computed by hand in double precision
    private static double nll(int row, int t) {
        double lse = 0;
        for (int c = 0; c < 3; c++) {
            lse += Math.exp(LOGITS[row * 3 + c]);
        }
        return Math.log(lse) - LOGITS[row * 3 + t];
    }

    @Test
    void crossEntropyMatchesTheFormula() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = backend.tensor(LOGITS, 3, 3);
            Tensor target = backend.tensor(new long[] {0, 2, 1}, 3);
            double expected = (nll(0, 0) + nll(1, 2) + nll(2, 1)) / 3;
            assertThat(Functional.crossEntropy(logits, target).item()).isCloseTo(expected, within(1e-6));
            assertThat(Losses.crossEntropy(logits, target, 0, Losses.NO_IGNORE, Reduction.SUM).item())
                    .isCloseTo(3 * expected, within(1e-5));
            assertThat(Losses.crossEntropy(logits, target, 0, Losses.NO_IGNORE, Reduction.NONE).toFloatArray()[1])
                    .isCloseTo((float) nll(1, 2), within(1e-6f));
        }
    }

    @Test
    void crossEntropyIgnoresTargetsEqualToIgnoreIndex() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = backend.tensor(LOGITS, 3, 3).requiresGrad(true);
            Tensor target = backend.tensor(new long[] {0, -100, 1}, 3);
            Tensor loss = Losses.crossEntropy(logits, target, 0, -100, Reduction.MEAN);
            assertThat(loss.item()).isCloseTo((nll(0, 0) + nll(2, 1)) / 2, within(1e-6));
            loss.backward();
            float[] g = logits.grad().toFloatArray();
            assertThat(g[3]).isZero();
            assertThat(g[4]).isZero();
            assertThat(g[5]).isZero();
            assertThat(g[0]).isNegative();
            logits.zeroGrad();
        }
    }

    @Test
    void labelSmoothingAgreesWithTheFunctionalForm() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = backend.tensor(LOGITS, 3, 3);
            Tensor target = backend.tensor(new long[] {1, 1, 0}, 3);
            double smoothed = Losses.crossEntropy(logits, target, 0.1, Losses.NO_IGNORE, Reduction.MEAN).item();
            double byHand = 0;
            for (int r = 0; r < 3; r++) {
                int t = r == 2 ? 0 : 1;
                double uniform = (nll(r, 0) + nll(r, 1) + nll(r, 2)) / 3;
                byHand += 0.9 * nll(r, t) + 0.1 * uniform;
            }
            assertThat(smoothed).isCloseTo(byHand / 3, within(1e-6));
        }
    }

    @Test
    void rejectsTargetsOutsideTheClasses() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logits = backend.tensor(LOGITS, 3, 3);
            Tensor target = backend.tensor(new long[] {0, 3, 1}, 3);
            assertThatThrownBy(() -> Losses.crossEntropy(logits, target, 0, -100, Reduction.MEAN))
                    .hasMessageContaining("1 target(s) outside [0, 3)");
        }
    }

    @Test
    void regressionLossesReduceAsAsked() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = backend.tensor(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor t = backend.tensor(new float[] {0, 2, 5, 4}, 2, 2);
            assertThat(Functional.mseLoss(x, t).item()).isCloseTo(1.25, within(1e-6));
            assertThat(Losses.mse(x, t, Reduction.SUM).item()).isCloseTo(5, within(1e-6));
            assertThat(Functional.l1Loss(x, t).item()).isCloseTo(0.75, within(1e-6));
            assertThat(Losses.l1(x, t, Reduction.NONE).toFloatArray()).containsExactly(1, 0, 2, 0);
        }
    }

    @Test
    void bceWithLogitsHandlesPositiveWeights() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = backend.tensor(new float[] {0.5f, -2, 30}, 3);
            Tensor t = backend.tensor(new float[] {1, 0, 1}, 3);
            double[] byHand = new double[3];
            float[] xs = {0.5f, -2, 30};
            float[] ts = {1, 0, 1};
            double mean = 0;
            for (int i = 0; i < 3; i++) {
                double sig = 1 / (1 + Math.exp(-xs[i]));
                byHand[i] = -(ts[i] * Math.log(sig) + (1 - ts[i]) * Math.log(1 - sig));
                mean += byHand[i] / 3;
            }
            assertThat(Functional.bceWithLogits(x, t).item()).isCloseTo(mean, within(1e-6));
            assertThat(Losses.bceWithLogits(x, t, backend.ones(3), Reduction.MEAN).item()).isCloseTo(mean,
                    within(1e-6));
            // pos_weight 2 doubles the positive term of the first element
            double weighted = Losses.bceWithLogits(x, t, backend.tensor(new float[] {2, 2, 2}, 3), Reduction.NONE)
                    .toFloatArray()[0];
            assertThat(weighted).isCloseTo(2 * byHand[0], within(1e-6));
        }
    }

    @Test
    void klDivergenceAndCosineSimilarity() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor logq = backend.tensor(new float[] {(float) Math.log(0.5), (float) Math.log(0.5)}, 1, 2);
            Tensor p = backend.tensor(new float[] {0.25f, 0.75f}, 1, 2);
            double kl = 0.25 * Math.log(0.25 / 0.5) + 0.75 * Math.log(0.75 / 0.5);
            assertThat(Functional.klDiv(logq, p).item()).isCloseTo(kl, within(1e-6));
            assertThat(Losses.klDiv(logq, p.log(), true, Reduction.SUM).item()).isCloseTo(kl, within(1e-6));
            Tensor a = backend.tensor(new float[] {1, 0, 1, 1}, 2, 2);
            Tensor b = backend.tensor(new float[] {1, 1, -1, -1}, 2, 2);
            float[] cos = Functional.cosineSimilarity(a, b, 1, 1e-8).toFloatArray();
            assertThat(cos[0]).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-6f));
            assertThat(cos[1]).isCloseTo(-1f, within(1e-6f));
        }
    }
}
