package io.tessera.plugin.wpca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every W-PCA golden case (bundled, and those under {@code -Dtessera.golden.wpca=DIR}): the pre-activations, the
 * eigenvalues and cumulative ratios to 1e-9, the counts of every layer and edge matrix at every η exactly, the proxy
 * values, the two-batch mean, and Kendall τ-b / Spearman ρ with ties (spec §5, §7.10).
 */
class WpcaGoldenTest {
    private static TensorBackend be;

    @BeforeAll
    static void open() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static Stream<WpcaGolden> cases() {
        return WpcaGolden.all().stream();
    }

    private static void close(double[] actual, double[] expected, double tol, String what) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as(what + "[" + i + "]").isCloseTo(expected[i],
                    within(tol * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void preActivationsEigenvaluesAndCountsOfEveryLayer(WpcaGolden g) {
        try (TensorScope s = Tensors.scope()) {
            List<Tensor> hs = FfnStack.preActivations(be, g, false);
            assertThat(hs).as(g + " layers").hasSize(g.layers()).isNotEmpty();
            for (int l = 0; l < hs.size(); l++) {
                String name = g + " layer" + l;
                Tensor golden = g.tensor(be, "layer" + l + "_H");
                assertThat(hs.get(l).dims()).as(name + " H shape").containsExactly(golden.dims());
                // layer 0 is one float64 matmul; later layers go through the backend's GELU (erf) and layer norm, whose
                // float64 kernels are accurate to about 1e-8, far inside the counts' margin (min_margin_cum_vs_eta)
                close(hs.get(l).toDoubleArray(), golden.toDoubleArray(), l == 0 ? 1e-9 : 1e-6, name + " H");
                double[] eig = PcaCount.eigenvaluesDescending(golden);
                double scale = Math.max(1e-300, eig[0]);
                double[] expEig = g.array("layer" + l + "_eigvals_desc").toDoubleArray();
                assertThat(eig).hasSameSizeAs(expEig);
                for (int i = 0; i < eig.length; i++) {
                    // relative to the largest eigenvalue: the near-zero tail of a rank-deficient layer is round-off
                    assertThat(eig[i]).as(name + " eigenvalue " + i).isCloseTo(Math.max(0, expEig[i]),
                            within(1e-9 * scale));
                }
                close(PcaCount.cumulativeRatios(eig), g.array("layer" + l + "_cum_ratio").toDoubleArray(), 1e-9,
                        name + " cumulative ratio");
                JsonNode byEta = g.results().path("layers").path("layer" + l);
                assertThat(byEta.size()).as(name + " η values in the manifest").isPositive();
                Tensor own = hs.get(l);
                byEta.fields().forEachRemaining(e -> {
                    double eta = Double.parseDouble(e.getKey());
                    assertThat(PcaCount.count(golden, eta)).as(name + " count at η=" + e.getKey() + " (golden H)")
                            .isEqualTo(e.getValue().asInt());
                    assertThat(PcaCount.count(own, eta)).as(name + " count at η=" + e.getKey() + " (own H)")
                            .isEqualTo(e.getValue().asInt());
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void edgeMatrices(WpcaGolden g) {
        assertThat(g.edges()).as(g + " edge matrices").isNotEmpty();
        try (TensorScope s = Tensors.scope()) {
            for (String edge : g.edges()) {
                Tensor m = g.tensor(be, edge);
                g.results().path("edges").path(edge).fields().forEachRemaining(e ->
                        assertThat(PcaCount.count(m, Double.parseDouble(e.getKey())))
                                .as(g + " " + edge + " " + m.shape() + " at η=" + e.getKey())
                                .isEqualTo(e.getValue().asInt()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void proxyValuesAtEveryEta(WpcaGolden g) {
        long params = FfnStack.params(g);
        assertThat(params).as(g + " n_params").isEqualTo(g.manifest().path("n_params").asLong());
        try (TensorScope s = Tensors.scope()) {
            List<Tensor> hs = FfnStack.preActivations(be, g, false);
            for (String key : g.etaKeys()) {
                JsonNode exp = g.results().path("proxy").path(key);
                double eta = Double.parseDouble(key);
                WpcaScore mean = WpcaScore.ofBatch(hs, params, eta, LayerReduction.MEAN);
                WpcaScore sum = WpcaScore.ofBatch(hs, params, eta, LayerReduction.SUM);
                List<Integer> counts = new ArrayList<>();
                exp.path("counts").forEach(c -> counts.add(c.asInt()));
                assertThat(mean.counts()).as(g + " counts at η=" + key).containsExactly(counts.stream().mapToInt(Integer::intValue).toArray());
                assertThat(mean.wpca()).as(g + " wpca_mean at η=" + key)
                        .isCloseTo(exp.path("wpca_mean").asDouble(), within(1e-9 * exp.path("wpca_mean").asDouble()));
                assertThat(sum.wpca()).as(g + " wpca_sum at η=" + key)
                        .isCloseTo(exp.path("wpca_sum").asDouble(), within(1e-9 * exp.path("wpca_sum").asDouble()));
                assertThat(mean.value(Proxy.PCA)).as(g + " pca_only_mean at η=" + key)
                        .isCloseTo(exp.path("pca_only_mean").asDouble(), within(1e-12));
                assertThat(mean.value(Proxy.PARAMS)).isEqualTo(params);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void twoBatchSizeWeightedMean(WpcaGolden g) {
        JsonNode tb = g.results().path("two_batch");
        long params = FfnStack.params(g);
        try (TensorScope s = Tensors.scope()) {
            List<Tensor> hs = FfnStack.preActivations(be, g, false);
            List<WpcaScore> scores = new ArrayList<>();
            int[] sizes = new int[tb.path("row_slices").size()];
            for (int i = 0; i < sizes.length; i++) {
                long a = tb.path("row_slices").get(i).get(0).asLong();
                long b = tb.path("row_slices").get(i).get(1).asLong();
                sizes[i] = (int) (b - a);
                List<Tensor> part = hs.stream().map(h -> h.narrow(0, a, b - a)).toList();
                WpcaScore sc = WpcaScore.ofBatch(part, params, PcaCount.DEFAULT_ETA, LayerReduction.MEAN);
                double v = tb.path("values").get(i).asDouble();
                assertThat(sc.wpca()).as(g + " batch " + i).isCloseTo(v, within(1e-9 * v));
                scores.add(sc);
            }
            double w = tb.path("weighted_mean").asDouble();
            assertThat(WpcaScore.average(scores, sizes).wpca()).as(g + " weighted mean").isCloseTo(w,
                    within(1e-9 * w));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kendallTauBAndSpearmanRhoWithTies(WpcaGolden g) {
        double[] p = g.array("rank_proxy").toDoubleArray();
        double[] a = g.array("rank_acc").toDoubleArray();
        JsonNode r = g.results().path("ranking");
        assertThat(RankCorrelation.kendallTauB(p, a)).as(g + " Kendall τ-b")
                .isCloseTo(r.path("kendall_tau_b").asDouble(), within(1e-12));
        assertThat(RankCorrelation.spearmanRho(p, a)).as(g + " Spearman ρ")
                .isCloseTo(r.path("spearman_rho").asDouble(), within(1e-12));
    }
}
