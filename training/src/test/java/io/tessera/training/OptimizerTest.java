package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.optim.Adam;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.GradClip;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Optimizer updates against PyTorch's documented update rules, evaluated here in double precision on the same
 * gradient sequence; literal values where they are easy to derive by hand.
 */
class OptimizerTest {
    private static TensorBackend backend;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static final double[][] GRADS = {{0.5, -1.0, 0.25}, {0.4, -0.8, -0.5}, {-0.3, 0.2, 1.5}, {0.1, 0.1, 0.1}};
    private static final double[] START = {1.0, -2.0, 0.5};

    /** Runs {@code steps} optimizer steps with the fixed gradient sequence and returns the parameter. */
    private static float[] run(Function<List<Tensor>, Optimizer> make, int steps) {
        Tensor p = backend.tensor(toFloats(START), 3).requiresGrad(true);
        try (Optimizer opt = make.apply(List.of(p))) {
            for (int s = 0; s < steps; s++) {
                p.setGrad(backend.tensor(toFloats(GRADS[s]), 3));
                opt.step();
            }
            return p.toFloatArray();
        } finally {
            p.close();
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element " + i).isCloseTo(expected[i], within(2e-6 + 1e-5
                    * Math.abs(expected[i])));
        }
    }

    // torch.optim.SGD, documented algorithm
    private static double[] sgdReference(double lr, double momentum, double dampening, double wd, boolean nesterov,
            int steps) {
        double[] p = START.clone();
        double[] buf = new double[p.length];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < p.length; i++) {
                double g = GRADS[s][i] + wd * p[i];
                if (momentum != 0) {
                    buf[i] = s == 0 ? g : momentum * buf[i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * g;
            }
        }
        return p;
    }

    // torch.optim.Adam / AdamW, documented algorithm
    private static double[] adamReference(double lr, double b1, double b2, double eps, double wd, boolean amsgrad,
            boolean decoupled, int steps) {
        double[] p = START.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double[] vmax = new double[p.length];
        for (int s = 0; s < steps; s++) {
            int t = s + 1;
            for (int i = 0; i < p.length; i++) {
                double g = GRADS[s][i];
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    g += wd * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.max(vmax[i], v[i]);
                double second = amsgrad ? vmax[i] : v[i];
                double denom = Math.sqrt(second) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        return p;
    }

    @Test
    void plainSgdSubtractsTheScaledGradient() {
        assertClose(run(ps -> new Sgd(ps, 0.1), 1), new double[] {0.95, -1.9, 0.475});
    }

    @Test
    void sgdWithMomentumDampeningAndWeightDecayFollowsPyTorch() {
        assertClose(run(ps -> new Sgd(ps, 0.05, 0.9, 0.1, 0.01, false), 4),
                sgdReference(0.05, 0.9, 0.1, 0.01, false, 4));
    }

    @Test
    void nesterovSgdFollowsPyTorch() {
        // Step 1 by hand: buf = g, update g + 0.9 g = 1.9 g: p0 = 1 - 0.1 * 1.9 * 0.5 = 0.905.
        assertClose(run(ps -> new Sgd(ps, 0.1, 0.9, 0, 0, true), 1), new double[] {0.905, -1.81, 0.4525});
        assertClose(run(ps -> new Sgd(ps, 0.1, 0.9, 0, 0.001, true), 4), sgdReference(0.1, 0.9, 0, 0.001, true, 4));
    }

    @Test
    void adamFirstStepsMoveByTheLearningRate() {
        // With bias correction, Adam's first step is lr * g / (|g| + eps'): every coordinate moves by ~lr.
        assertClose(run(ps -> new Adam(ps, 0.1), 1), new double[] {0.9, -1.9, 0.4});
        assertClose(run(ps -> new Adam(ps, 0.01), 4), adamReference(0.01, 0.9, 0.999, 1e-8, 0, false, false, 4));
    }

    @Test
    void adamWithL2WeightDecayAndAmsgradFollowsPyTorch() {
        assertClose(run(ps -> new Adam(ps, 0.02, 0.8, 0.99, 1e-6, 0.1, true), 4),
                adamReference(0.02, 0.8, 0.99, 1e-6, 0.1, true, false, 4));
    }

    @Test
    void adamWDecaysTheWeightsBeforeTheAdamStep() {
        // Step 1 by hand: p = 1 * (1 - 0.1 * 0.1) = 0.99, then - 0.1 => 0.89.
        assertClose(run(ps -> new AdamW(ps, 0.1, 0.9, 0.999, 1e-8, 0.1, false), 1),
                new double[] {0.89, -1.88, 0.395});
        assertClose(run(ps -> new AdamW(ps, 0.01), 4), adamReference(0.01, 0.9, 0.999, 1e-8, 0.01, false, true, 4));
    }

    @Test
    void skipsParametersWithoutGradientAndZeroGradClearsThem() {
        Tensor a = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        Tensor b = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        try (Sgd sgd = new Sgd(List.of(a, b), 0.5)) {
            a.setGrad(backend.tensor(new float[] {2}, 1));
            sgd.step();
            assertThat(a.toFloatArray()).containsExactly(0f);
            assertThat(b.toFloatArray()).containsExactly(1f);
            sgd.zeroGrad();
            assertThat(a.grad()).isNull();
            assertThat(sgd.steps()).isEqualTo(1);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void rejectsBadSettings() {
        Tensor a = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        Tensor plain = backend.tensor(new float[] {1}, 1);
        try {
            assertThatThrownBy(() -> new Sgd(List.of(a), 0.1, 0, 0, 0, true)).hasMessageContaining("Nesterov");
            assertThatThrownBy(() -> new Adam(List.of(a), 0.1, 1.0, 0.999, 1e-8, 0, false))
                    .hasMessageContaining("beta1 must be in [0, 1)");
            assertThatThrownBy(() -> new Sgd(List.of(a), -1)).hasMessageContaining("learning rate");
            assertThatThrownBy(() -> new Sgd(List.of(plain), 0.1)).hasMessageContaining("requires grad");
            assertThatThrownBy(() -> new Sgd(List.of(a, a), 0.1)).hasMessageContaining("more than once");
        } finally {
            a.close();
            plain.close();
        }
    }

    @Test
    void schedulesFollowPyTorchClosedForms() {
        Tensor a = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        try (Sgd sgd = new Sgd(List.of(a), 0.1)) {
            LrScheduler step = LrScheduler.stepLr(sgd, 2, 0.5);
            double[] got = new double[6];
            for (int e = 0; e < 6; e++) {
                got[e] = sgd.learningRate();
                step.step();
            }
            assertThat(got).containsExactly(new double[] {0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, within(1e-12));
        }
        try (Sgd sgd = new Sgd(List.of(a), 0.1)) {
            LrScheduler cos = LrScheduler.cosineAnnealing(sgd, 4, 0.0);
            double[] got = new double[5];
            for (int e = 0; e < 5; e++) {
                got[e] = sgd.learningRate();
                cos.step();
            }
            assertThat(got).containsExactly(new double[] {0.1, 0.1 * (1 + Math.cos(Math.PI / 4)) / 2, 0.05,
                0.1 * (1 + Math.cos(3 * Math.PI / 4)) / 2, 0.0}, within(1e-12));
        }
        try (Sgd sgd = new Sgd(List.of(a), 0.1)) {
            LrScheduler warm = LrScheduler.linear(sgd, 0.25, 1.0, 3);
            double[] got = new double[5];
            for (int e = 0; e < 5; e++) {
                got[e] = sgd.learningRate();
                warm.step();
            }
            assertThat(got).containsExactly(new double[] {0.025, 0.05, 0.075, 0.1, 0.1}, within(1e-12));
        }
        try (Sgd sgd = new Sgd(List.of(a), 1.0)) {
            LrScheduler wc = LrScheduler.warmupCosine(sgd, 2, 4, 0.5, 0.0);
            assertThat(wc.rateAt(0)).isCloseTo(0.5, within(1e-12));
            assertThat(wc.rateAt(1)).isCloseTo(0.75, within(1e-12));
            assertThat(wc.rateAt(2)).isCloseTo(1.0, within(1e-12));
            assertThat(wc.rateAt(3)).isCloseTo(0.5, within(1e-12));
            assertThat(wc.rateAt(4)).isCloseTo(0.0, within(1e-12));
        } finally {
            a.close();
        }
    }

    @Test
    void clipsGradientsByJointNormAndByValue() {
        Tensor a = backend.tensor(new float[] {1, 1}, 2).requiresGrad(true);
        Tensor b = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        Tensor c = backend.tensor(new float[] {1}, 1).requiresGrad(true);
        try {
            a.setGrad(backend.tensor(new float[] {3, 0}, 2));
            b.setGrad(backend.tensor(new float[] {-4}, 1));
            double total = GradClip.clipGradNorm(List.of(a, b, c), 1.0);
            assertThat(total).isCloseTo(5.0, within(1e-6));
            assertThat(a.grad().toFloatArray()[0]).isCloseTo(0.6f, within(1e-5f));
            assertThat(b.grad().toFloatArray()[0]).isCloseTo(-0.8f, within(1e-5f));
            assertThat(GradClip.clipGradNorm(List.of(a, b), 10.0)).isCloseTo(1.0, within(1e-5));
            assertThat(b.grad().toFloatArray()[0]).as("below the max: unchanged").isCloseTo(-0.8f, within(1e-5f));
            assertThat(GradClip.clipGradNorm(List.of(a, b), 0.4, Double.POSITIVE_INFINITY))
                    .isCloseTo(0.8, within(1e-5));
            assertThat(b.grad().toFloatArray()[0]).isCloseTo(-0.4f, within(1e-5f));

            a.setGrad(backend.tensor(new float[] {3, -0.1f}, 2));
            GradClip.clipGradValue(List.of(a), 0.5);
            assertThat(a.grad().toFloatArray()).containsExactly(0.5f, -0.1f);
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }
}
