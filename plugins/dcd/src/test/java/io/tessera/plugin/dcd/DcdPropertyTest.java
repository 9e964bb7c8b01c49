package io.tessera.plugin.dcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.GradCheck;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property tests of spec §7 (docs/methods/dcd.md), on seeded random scores of several batch sizes, pools and K,
 * and on the inputs of every golden case (bundled, and under {@code -Dtessera.golden.dcd=DIR}; shapes come from the
 * arrays).
 */
class DcdPropertyTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void closeBackend() {
        be.close();
    }

    static Stream<DcdGolden> cases() {
        List<DcdGolden> all = DcdGolden.all();
        assertThat(all).isNotEmpty();
        return all.stream();
    }

    private static Tensor random(SplittableRandom rng, double scale, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * scale;
        }
        return be.tensor(v, shape);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    /** §7.1: Σw = 1, Σr = 1, w ≥ 0, r > 0 for any finite teacher; with B = 1, w = r = [1]. */
    @Test
    void weightsAreDistributions() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int b : new int[] {1, 2, 5, 17}) {
            for (int c : new int[] {2, 8, 16}) {
                try (TensorScope sc = Tensors.scope()) {
                    DcdLoss.Weights w = DcdLoss.weights(random(rng, 1 + rng.nextDouble() * 20, b, c));
                    double[] wv = w.w().toDoubleArray();
                    double[] rv = w.r().toDoubleArray();
                    assertThat(sum(wv)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(sum(rv)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
                    for (int i = 0; i < b; i++) {
                        assertThat(wv[i]).isGreaterThanOrEqualTo(0);
                        assertThat(rv[i]).isPositive();
                    }
                    for (double h : w.negEntropy().toDoubleArray()) {
                        assertThat(h).isLessThanOrEqualTo(0);
                    }
                    if (b == 1) {
                        assertThat(wv).containsExactly(1.0);
                        assertThat(rv).containsExactly(1.0);
                    }
                }
            }
        }
        try (TensorScope sc = Tensors.scope()) {
            // every row one-hot in the limit: Σh = 0 exactly, the spec's uniform choice
            DcdLoss.Weights w = DcdLoss.weights(be.tensor(new double[] {1e4, 0, 0, 2e4, 0, 0}, 2, 3));
            assertThat(w.w().toDoubleArray()).containsExactly(0.5, 0.5);
        }
    }

    /** §7.2: the official KD term is mean((t − s)²), whatever T and r. */
    @Test
    void officialKdIndependentOfTemperatureAndWeights() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 5; trial++) {
            try (TensorScope sc = Tensors.scope()) {
                int b = 1 + rng.nextInt(8);
                int c = 2 + rng.nextInt(10);
                Tensor t = random(rng, 5, b, c);
                Tensor s = random(rng, 5, b, c);
                double mse = t.sub(s).square().mean().item();
                for (double temp : new double[] {0.5, 1, 2, 7}) {
                    double kd = DcdLoss.compute(t, s, new DcdLoss.Options(DcdLoss.Mode.OFFICIAL, 0.2, temp)).kd()
                            .item();
                    assertThat(Math.abs(kd - mse)).isLessThanOrEqualTo(1e-12 * Math.abs(mse));
                }
            }
        }
    }

    /** §7.3: a uniform teacher row has the smallest h and the largest w; a peaked row gets w close to 0. */
    @Test
    void uniformRowGetsLargestWeight() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = be.tensor(new double[] {2, 2, 2, 2, 3, 1, 0, -1, 40, 0, 0, 0, 1, 0.5, 0.2, 0.1}, 4, 4);
            DcdLoss.Weights w = DcdLoss.weights(t);
            double[] h = w.negEntropy().toDoubleArray();
            double[] wv = w.w().toDoubleArray();
            for (int i = 1; i < 4; i++) {
                assertThat(h[0]).isLessThan(h[i]);
                assertThat(wv[0]).isGreaterThan(wv[i]);
            }
            assertThat(wv[2]).isLessThan(1e-12);
        }
    }

    /** §7.4: permuting the rows permutes w, r and the per-row terms and leaves every total unchanged. */
    @Test
    void permutationEquivariance() {
        SplittableRandom rng = new SplittableRandom(4);
        int b = 6;
        int c = 5;
        int[] perm = {3, 0, 5, 1, 4, 2};
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = random(rng, 4, b, c);
            Tensor s = random(rng, 4, b, c);
            Tensor idx = be.tensor(new long[] {3, 0, 5, 1, 4, 2}, b);
            Tensor tp = t.indexSelect(0, idx);
            Tensor sp = s.indexSelect(0, idx);
            for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
                DcdLoss.Terms a = DcdLoss.compute(t, s, DcdLoss.Options.of(mode));
                DcdLoss.Terms p = DcdLoss.compute(tp, sp, DcdLoss.Options.of(mode));
                assertThat(p.total().item()).isCloseTo(a.total().item(), org.assertj.core.data.Offset.offset(1e-12));
                double[] wa = a.weights().w().toDoubleArray();
                double[] wp = p.weights().w().toDoubleArray();
                double[] ra = a.weights().r().toDoubleArray();
                double[] rp = p.weights().r().toDoubleArray();
                double[] ca = a.ceRows().toDoubleArray();
                double[] cp = p.ceRows().toDoubleArray();
                for (int i = 0; i < b; i++) {
                    assertThat(wp[i]).isCloseTo(wa[perm[i]], org.assertj.core.data.Offset.offset(1e-14));
                    assertThat(rp[i]).isCloseTo(ra[perm[i]], org.assertj.core.data.Offset.offset(1e-14));
                    assertThat(cp[i]).isCloseTo(ca[perm[i]], org.assertj.core.data.Offset.offset(1e-14));
                }
            }
        }
    }

    /**
     * §7.5: sel[:, 0] = 0, the negatives are distinct, never 0 and the teacher's highest; with K = P every index is
     * selected (in teacher order); candidates not selected get an exactly-zero gradient.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selectionInvariantsOnGoldenInputs(DcdGolden g) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor full = g.tensor(be, "teacher_full");
            checkSelection(full, g.k());
            checkSelection(full, (int) full.size(1) - 1);
            HardNegatives.Selection sel = HardNegatives.select(full, g.k());
            Tensor img = g.tensor(be, "student_img").requiresGrad(true);
            Tensor txt = g.tensor(be, "student_txt").requiresGrad(true);
            Tensor s = CosineScores.selected(img, txt, sel, g.hp("logit_scale"));
            DcdLoss.compute(sel.gather(full), s, DcdLoss.Options.of(DcdLoss.Mode.PER_SAMPLE)).total().backward();
            double[] grad = txt.grad().toDoubleArray();
            int n = sel.pool();
            int d = (int) txt.size(2);
            for (int i = 0; i < sel.rows(); i++) {
                Set<Long> chosen = new HashSet<>();
                for (int j = 0; j < sel.width(); j++) {
                    chosen.add(sel.indices()[i * sel.width() + j]);
                }
                for (int c = 0; c < n; c++) {
                    for (int e = 0; e < d; e++) {
                        double v = grad[(i * n + c) * d + e];
                        if (!chosen.contains((long) c)) {
                            assertThat(v).as(g + " grad txt[" + i + "," + c + "]").isEqualTo(0.0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void selectionInvariantsOnRandomPoolsAndTies() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 20; trial++) {
            try (TensorScope sc = Tensors.scope()) {
                int b = 1 + rng.nextInt(6);
                int n = 2 + rng.nextInt(30);
                int k = 1 + rng.nextInt(n - 1);
                Tensor full = random(rng, 3, b, n);
                checkSelection(full, k);
            }
        }
        try (TensorScope sc = Tensors.scope()) {
            // ties go to the smaller index
            HardNegatives.Selection sel = HardNegatives.select(be.tensor(new double[] {0, 1, 2, 1, 2}, 1, 5), 3);
            assertThat(sel.indices()).containsExactly(0, 2, 4, 1);
            assertThatThrownBy(() -> HardNegatives.select(be.tensor(new double[] {0, 1}, 1, 2), 2))
                    .hasMessageContaining("K = 2").hasMessageContaining("N - 1 = 1");
            assertThatThrownBy(() -> HardNegatives.select(be.tensor(new double[] {0, Double.NaN}, 1, 2), 1))
                    .hasMessageContaining("finite");
        }
    }

    private static void checkSelection(Tensor full, int k) {
        HardNegatives.Selection sel = HardNegatives.select(full, k);
        int n = (int) full.size(1);
        double[] t = full.toDoubleArray();
        assertThat(sel.width()).isEqualTo(k + 1);
        for (int i = 0; i < sel.rows(); i++) {
            assertThat(sel.indices()[i * (k + 1)]).isZero();
            Set<Long> seen = new HashSet<>();
            double lowestSelected = Double.POSITIVE_INFINITY;
            for (int j = 1; j <= k; j++) {
                long c = sel.indices()[i * (k + 1) + j];
                assertThat(c).isBetween(1L, (long) n - 1);
                assertThat(seen.add(c)).as("distinct").isTrue();
                double v = t[i * n + (int) c];
                if (j > 1) {
                    assertThat(v).as("descending").isLessThanOrEqualTo(t[i * n + (int) sel.indices()[i * (k + 1) + j
                            - 1]]);
                }
                lowestSelected = Math.min(lowestSelected, v);
            }
            for (int c = 1; c < n; c++) {
                if (!seen.contains((long) c)) {
                    assertThat(t[i * n + c]).as("an unselected negative never outscores a selected one")
                            .isLessThanOrEqualTo(lowestSelected);
                }
            }
            if (k == n - 1) {
                assertThat(seen).hasSize(n - 1);
            }
        }
    }

    /** §7.6: adding a constant to a teacher row leaves p, h, w and r unchanged; the KD term changes. */
    @Test
    void weightsAreShiftInvariant() {
        SplittableRandom rng = new SplittableRandom(6);
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = random(rng, 3, 4, 6);
            Tensor s = random(rng, 3, 4, 6);
            Tensor shift = be.tensor(new double[] {5, -3, 0, 11}, 4, 1);
            Tensor t2 = t.add(shift);
            DcdLoss.Weights a = DcdLoss.weights(t);
            DcdLoss.Weights b = DcdLoss.weights(t2);
            DcdGolden.close("p", b.probs().toDoubleArray(), a.probs().toDoubleArray(), 1e-12, 1e-14);
            DcdGolden.close("h", b.negEntropy().toDoubleArray(), a.negEntropy().toDoubleArray(), 1e-12, 1e-14);
            DcdGolden.close("w", b.w().toDoubleArray(), a.w().toDoubleArray(), 1e-12, 1e-14);
            DcdGolden.close("r", b.r().toDoubleArray(), a.r().toDoubleArray(), 1e-12, 1e-14);
            DcdLoss.Options o = DcdLoss.Options.of(DcdLoss.Mode.OFFICIAL);
            assertThat(DcdLoss.compute(t2, s, o).kd().item()).isNotCloseTo(DcdLoss.compute(t, s, o).kd().item(),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** §7.7: finite differences of both totals against autograd, in the scores and in both embeddings. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientCheck(DcdGolden g) {
        for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
            try (TensorScope sc = Tensors.scope()) {
                Tensor full = g.tensor(be, "teacher_full");
                HardNegatives.Selection sel = HardNegatives.select(full, g.k());
                Tensor t = sel.gather(full);
                DcdLoss.Options o = DcdGoldenTest.options(g, mode);
                double scale = g.hp("logit_scale");
                // the image embeddings of the golden case (its text pool's gradient is checked on a small pool
                // below, to keep finite differences to seconds)
                Tensor txt = g.tensor(be, "student_txt");
                GradCheck.of(in -> DcdLoss.compute(t, CosineScores.selected(in[0], txt, sel, scale), o).total())
                        .tolerance(1e-6, 1e-8)
                        .check(g.tensor(be, "student_img").requiresGrad(true));
                GradCheck.of(in -> DcdLoss.compute(t, in[0], o).total()).tolerance(1e-6, 1e-8)
                        .check(g.tensor(be, "student_scores").requiresGrad(true));
            }
        }
    }

    /** §7.7 on a small random pool: finite differences in both embeddings, both modes, a teacher-chosen subset. */
    @Test
    void gradientCheckSmallPool() {
        SplittableRandom rng = new SplittableRandom(7);
        for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
            try (TensorScope sc = Tensors.scope()) {
                Tensor full = random(rng, 3, 3, 5);
                HardNegatives.Selection sel = HardNegatives.select(full, 2);
                Tensor t = sel.gather(full);
                DcdLoss.Options o = new DcdLoss.Options(mode, 0.3, 1.5);
                GradCheck.of(in -> DcdLoss.compute(t, CosineScores.selected(in[0], in[1], sel, 4.0), o).total())
                        .tolerance(1e-6, 1e-8)
                        .check(random(rng, 1, 3, 4).requiresGrad(true), random(rng, 1, 3, 5, 4).requiresGrad(true));
            }
        }
    }

    /** §7.8: a student equal to the teacher has no KD loss and no KD gradient (official mode). */
    @Test
    void perfectStudentHasNoKdGradient() {
        SplittableRandom rng = new SplittableRandom(8);
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = random(rng, 4, 5, 8);
            Tensor s = t.copy().requiresGrad(true);
            DcdLoss.Terms terms = DcdLoss.compute(t, s, new DcdLoss.Options(DcdLoss.Mode.OFFICIAL, 1.0, 1.0));
            assertThat(terms.kd().item()).isZero();
            terms.total().backward();
            for (double v : s.grad().toDoubleArray()) {
                assertThat(v).isZero();
            }
        }
    }

    /**
     * §7.9: the official-order teacher equals the aligned one when the teacher ranks the positive first in every row,
     * and differs in rows where it does not (the manifests' {@code teacher_rank_positive_first}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void officialOrderEqualsAlignedOnlyWhenPositiveRanksFirst(DcdGolden g) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor full = g.tensor(be, "teacher_full");
            int k = g.k();
            double[] aligned = HardNegatives.select(full, k).gather(full).toDoubleArray();
            double[] official = HardNegatives.officialOrderTargets(full, k).toDoubleArray();
            boolean[] first = g.positiveFirst();
            int n = (int) full.size(1);
            double[] t = full.toDoubleArray();
            for (int i = 0; i < first.length; i++) {
                boolean top = true;
                for (int c = 1; c < n; c++) {
                    top &= t[i * n] > t[i * n + c];
                }
                assertThat(top).as(g + " row " + i + " positive first (manifest)").isEqualTo(first[i]);
                boolean same = true;
                for (int j = 0; j <= k; j++) {
                    same &= aligned[i * (k + 1) + j] == official[i * (k + 1) + j];
                }
                assertThat(same).as(g + " row " + i + " official order equals aligned").isEqualTo(first[i]);
            }
            // a teacher that ranks every positive first: both orders agree everywhere
            double[] lifted = t.clone();
            for (int i = 0; i < full.size(0); i++) {
                lifted[i * n] = 1e3;
            }
            Tensor l = be.tensor(lifted, full.dims());
            assertThat(HardNegatives.officialOrderTargets(l, k).toDoubleArray())
                    .containsExactly(HardNegatives.select(l, k).gather(l).toDoubleArray());
        }
    }

    /** §7.10: teacher rows with gaps of ±1e3 give finite p, h, w and r (0·log 0 = 0) and a finite loss. */
    @Test
    void hugeGapsStayFinite() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = be.tensor(new double[] {1e3, -1e3, 0, 5, 1e3, 1e3, -1e3, -1e3, 0, 0, 0, 0}, 3, 4);
            Tensor s = be.tensor(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4);
            DcdLoss.Terms terms = DcdLoss.compute(t, s, DcdLoss.Options.of(DcdLoss.Mode.PER_SAMPLE));
            for (Tensor x : List.of(terms.weights().probs(), terms.weights().negEntropy(), terms.weights().w(),
                    terms.weights().r(), terms.total())) {
                for (double v : x.toDoubleArray()) {
                    assertThat(Double.isFinite(v)).as(x + " finite").isTrue();
                }
            }
            assertThat(terms.weights().negEntropy().toDoubleArray()[0]).isCloseTo(0.0,
                    org.assertj.core.data.Offset.offset(1e-300));
        }
    }

    /** Bad inputs get messages that say what is wrong. */
    @Test
    void rejectsBadShapesAndOptions() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor t = be.zeros(2, 3);
            assertThatThrownBy(() -> DcdLoss.compute(t.to(io.tessera.api.tensor.DType.FLOAT64),
                    be.zeros(2, 4).to(io.tessera.api.tensor.DType.FLOAT64),
                    DcdLoss.Options.of(DcdLoss.Mode.OFFICIAL))).hasMessageContaining("same shape");
            assertThatThrownBy(() -> new DcdLoss.Options(DcdLoss.Mode.OFFICIAL, 1.5, 1)).hasMessageContaining("alpha");
            assertThatThrownBy(() -> DcdLoss.weights(be.zeros(3)))
                    .hasMessageContaining("[B, K+1]");
        }
    }
}
