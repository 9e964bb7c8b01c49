package io.tessera.plugin.wpca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property tests of spec §7 (numbered as there), on random matrices (full-rank, low-rank, wide) and on every
 * golden layer matrix ({@code layer<l>_H}, bundled and under {@code -Dtessera.golden.wpca=DIR}), whatever their shapes.
 */
class WpcaPropertyTest {
    private static final double[] ETAS = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
    private static TensorBackend be;

    @BeforeAll
    static void open() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** A named matrix {@code [n, d]} row-major, and its rank (of the centred matrix; -1 when unknown). */
    record M(String name, double[] v, int n, int d, int rank) {
        Tensor t() {
            return be.tensor(v, n, d);
        }

        double get(int i, int j) {
            return v[i * d + j];
        }

        @Override
        public String toString() {
            return name + " [" + n + "x" + d + "]";
        }
    }

    static Stream<M> matrices() {
        List<M> out = new ArrayList<>();
        Random r = new Random(15);
        int[][] shapes = {{40, 8}, {64, 24}, {6, 20}, {200, 48}, {3, 3}};
        for (int[] s : shapes) {
            out.add(new M("random", gaussian(r, s[0] * s[1]), s[0], s[1], Math.min(s[0] - 1, s[1])));
        }
        for (int rank : new int[] {1, 3, 7}) {
            int n = 50;
            int d = 16;
            double[] a = gaussian(r, n * rank);
            double[] b = gaussian(r, rank * d);
            double[] h = new double[n * d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    for (int k = 0; k < rank; k++) {
                        h[i * d + j] += a[i * rank + k] * b[k * d + j];
                    }
                }
            }
            out.add(new M("rank-" + rank, h, n, d, rank));
        }
        for (WpcaGolden g : WpcaGolden.all()) {
            for (int l = 0; l < g.layers(); l++) {
                var a = g.array("layer" + l + "_H");
                long[] sh = a.shape();
                out.add(new M(g + " layer" + l, a.toDoubleArray(), (int) sh[0], (int) sh[1], -1));
            }
        }
        return out.stream();
    }

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static int count(double[] v, int n, int d, double eta) {
        try (TensorScope s = Tensors.scope()) {
            return PcaCount.count(be.tensor(v, n, d), eta);
        }
    }

    private static int[] counts(M m) {
        int[] c = new int[ETAS.length];
        for (int i = 0; i < ETAS.length; i++) {
            c[i] = count(m.v, m.n, m.d, ETAS[i]);
        }
        return c;
    }

    // 1, 2, 3
    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void boundsMonotonicityAndEtaEdges(M m) {
        int[] c = counts(m);
        for (int i = 0; i < ETAS.length; i++) {
            assertThat(c[i]).as(m + " η=" + ETAS[i]).isBetween(1, m.d);
            if (m.rank >= 1 && ETAS[i] < 1) {
                assertThat(c[i]).as(m + " η=" + ETAS[i] + " at most the rank " + m.rank).isLessThanOrEqualTo(m.rank);
            }
            if (i > 0) {
                assertThat(c[i]).as(m + " monotonic at η=" + ETAS[i]).isGreaterThanOrEqualTo(c[i - 1]);
            }
        }
        assertThat(c[0]).as(m + " η=0").isEqualTo(1);
        assertThat(c[ETAS.length - 1]).as(m + " η=1").isEqualTo(m.d);
        assertThat(count(m.v, m.n, m.d, 1.5)).as(m + " η>1").isEqualTo(m.d);
    }

    // 4
    @Test
    void zeroVarianceAndSingleRowGiveOne() {
        double[] constant = new double[9 * 4];
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 4; j++) {
                constant[i * 4 + j] = 0.1 * (j + 1) + 1e3 * j;
            }
        }
        for (double eta : ETAS) {
            assertThat(count(constant, 9, 4, eta)).as("constant columns, η=" + eta).isEqualTo(1);
            assertThat(count(new double[] {1, -2, 3.5, 7, 0.25}, 1, 5, eta)).as("one row, η=" + eta).isEqualTo(1);
            assertThat(count(new double[12], 3, 4, eta)).as("zeros, η=" + eta).isEqualTo(1);
        }
    }

    // 5
    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void invariantUnderPermutationsShiftScaleAndRotation(M m) {
        int[] base = counts(m);
        Random r = new Random(m.name.hashCode());
        List<Integer> rows = shuffled(m.n, r);
        List<Integer> cols = shuffled(m.d, r);
        double[] shift = gaussian(r, m.d);
        double[] permRows = new double[m.v.length];
        double[] permCols = new double[m.v.length];
        double[] shifted = new double[m.v.length];
        double[] scaledNeg = new double[m.v.length];
        double[] scaledBig = new double[m.v.length];
        for (int i = 0; i < m.n; i++) {
            for (int j = 0; j < m.d; j++) {
                permRows[i * m.d + j] = m.get(rows.get(i), j);
                permCols[i * m.d + j] = m.get(i, cols.get(j));
                shifted[i * m.d + j] = m.get(i, j) + 10 * shift[j];
                scaledNeg[i * m.d + j] = -2.5 * m.get(i, j);
                scaledBig[i * m.d + j] = 1e4 * m.get(i, j);
            }
        }
        double[] q = orthogonal(m.d, r);
        double[] rotated = new double[m.v.length];
        for (int i = 0; i < m.n; i++) {
            for (int j = 0; j < m.d; j++) {
                double s = 0;
                for (int k = 0; k < m.d; k++) {
                    s += m.get(i, k) * q[k * m.d + j];
                }
                rotated[i * m.d + j] = s;
            }
        }
        for (int e = 0; e < ETAS.length; e++) {
            double eta = ETAS[e];
            assertThat(count(permRows, m.n, m.d, eta)).as(m + " rows permuted, η=" + eta).isEqualTo(base[e]);
            assertThat(count(permCols, m.n, m.d, eta)).as(m + " columns permuted, η=" + eta).isEqualTo(base[e]);
            assertThat(count(shifted, m.n, m.d, eta)).as(m + " shifted, η=" + eta).isEqualTo(base[e]);
            assertThat(count(scaledNeg, m.n, m.d, eta)).as(m + " scaled by -2.5, η=" + eta).isEqualTo(base[e]);
            assertThat(count(scaledBig, m.n, m.d, eta)).as(m + " scaled by 1e4, η=" + eta).isEqualTo(base[e]);
            assertThat(count(rotated, m.n, m.d, eta)).as(m + " rotated, η=" + eta).isEqualTo(base[e]);
        }
    }

    private static List<Integer> shuffled(int n, Random r) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        Collections.shuffle(l, r);
        return l;
    }

    /** A random orthogonal matrix (Gram-Schmidt, twice, of a Gaussian one). */
    private static double[] orthogonal(int d, Random r) {
        double[] a = gaussian(r, d * d);
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += a[i * d + j] * a[i * d + k];
                    }
                    for (int i = 0; i < d; i++) {
                        a[i * d + j] -= dot * a[i * d + k];
                    }
                }
                double norm = 0;
                for (int i = 0; i < d; i++) {
                    norm += a[i * d + j] * a[i * d + j];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < d; i++) {
                    a[i * d + j] /= norm;
                }
            }
        }
        return a;
    }

    // 6. Appending copies or multiples of a SUBSET of columns can lower the count (it concentrates variance in the
    // copied directions: random 40x8 with 4 appended copies/multiples gives 1 instead of 2 at η=0.25), so spec §7.6's
    // "never lowers" holds in its exact form: appending c·H (every unit copied, c ≠ 0) leaves the count unchanged,
    // since the spectrum is only scaled by 1 + c² and padded with zeros; and any appended copies keep the count
    // within the number of independent columns (docs/methods/wpca.md §6).
    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void duplicatedUnitsKeepTheCountAndStayWithinTheIndependentColumns(M m) {
        int extra = Math.max(1, m.d / 2);
        int d2 = m.d + extra;
        double[] some = new double[m.n * d2];
        for (int i = 0; i < m.n; i++) {
            for (int j = 0; j < m.d; j++) {
                some[i * d2 + j] = m.get(i, j);
            }
            for (int k = 0; k < extra; k++) {
                some[i * d2 + m.d + k] = (k % 2 == 0 ? 1.0 : -3.0) * m.get(i, (k * 7) % m.d);
            }
        }
        int independent = m.rank >= 0 ? m.rank : Math.min(m.n - 1, m.d);
        for (double c : new double[] {1.0, -3.0}) {
            double[] all = new double[m.n * 2 * m.d];
            for (int i = 0; i < m.n; i++) {
                for (int j = 0; j < m.d; j++) {
                    all[i * 2 * m.d + j] = m.get(i, j);
                    all[i * 2 * m.d + m.d + j] = c * m.get(i, j);
                }
            }
            for (double eta : ETAS) {
                if (eta >= 1) {
                    continue;
                }
                assertThat(count(all, m.n, 2 * m.d, eta)).as(m + " with every unit copied x" + c + ", η=" + eta)
                        .isEqualTo(count(m.v, m.n, m.d, eta));
            }
        }
        for (double eta : ETAS) {
            if (eta < 1) {
                assertThat(count(some, m.n, d2, eta)).as(m + " with " + extra + " duplicated units, η=" + eta)
                        .isBetween(1, independent);
            }
        }
    }

    // 7, 8
    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void proxyLinearInParamsMeanIsSumOverLayersAndIdenticalBatchesAverageToOne(M m) {
        try (TensorScope s = Tensors.scope()) {
            List<Tensor> layers = List.of(m.t(), m.t().mul(2.0), m.t().add(1.0));
            WpcaScore mean = WpcaScore.ofBatch(layers, 1000, 0.99, LayerReduction.MEAN);
            WpcaScore sum = WpcaScore.ofBatch(layers, 1000, 0.99, LayerReduction.SUM);
            WpcaScore mean3 = WpcaScore.ofBatch(layers, 3000, 0.99, LayerReduction.MEAN);
            assertThat(mean.pcaScore()).isCloseTo(sum.pcaScore() / layers.size(), within(1e-12));
            assertThat(mean3.wpca()).isCloseTo(3 * mean.wpca(), within(1e-9));
            assertThat(mean.wpca()).isCloseTo(1000 * mean.value(Proxy.PCA), within(1e-9));
            WpcaScore avg = WpcaScore.average(List.of(mean, mean, mean), new int[] {4, 7, 1});
            assertThat(avg.wpca()).isCloseTo(mean.wpca(), within(1e-9 * mean.wpca()));
            assertThat(avg.counts()).containsExactly(mean.counts());
        }
    }

    // 9
    @Test
    void preActivationNotActivationIsMeasured() {
        int differing = 0;
        int layers = 0;
        for (WpcaGolden g : WpcaGolden.all()) {
            try (TensorScope s = Tensors.scope()) {
                List<Tensor> pre = FfnStack.preActivations(be, g, false);
                List<Tensor> post = FfnStack.preActivations(be, g, true);
                for (int l = 0; l < pre.size(); l++) {
                    layers++;
                    for (String key : g.etaKeys()) {
                        double eta = Double.parseDouble(key);
                        int expected = g.results().path("layers").path("layer" + l).path(key).asInt();
                        assertThat(PcaCount.count(pre.get(l), eta)).isEqualTo(expected);
                        if (PcaCount.count(post.get(l), eta) != expected) {
                            differing++;
                        }
                    }
                }
            }
        }
        assertThat(layers).isPositive();
        assertThat(differing).as("layer/η pairs where GELU-first gives a different count than the golden")
                .isPositive();
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        try (TensorScope s = Tensors.scope()) {
            assertThatThrownBy(() -> PcaCount.count(be.zeros(2, 3, 4), 0.99))
                    .hasMessageContaining("[B*L, d]");
            assertThatThrownBy(() -> PcaCount.count(be.zeros(3, 4), Double.NaN)).hasMessageContaining("NaN");
            assertThatThrownBy(() -> WpcaScore.average(List.of(), new int[0])).hasMessageContaining("at least one");
            assertThatThrownBy(() -> RankCorrelation.kendallTauB(new double[] {1}, new double[] {1}))
                    .hasMessageContaining("at least 2");
        }
    }
}
