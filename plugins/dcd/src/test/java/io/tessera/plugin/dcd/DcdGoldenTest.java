package io.tessera.plugin.dcd;

import static io.tessera.plugin.dcd.DcdGolden.close;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DCD golden case (bundled copy of {@code golden/dcd}, plus {@code -Dtessera.golden.dcd=DIR}) through
 * {@link HardNegatives}, {@link CosineScores} and {@link DcdLoss}: selection indices, both teacher orders, student
 * scores, p, h, w, r, the per-row hard-label terms, every loss scalar in both modes and both teacher orders, and the
 * gradients of each total with respect to the scores and both embeddings (autograd). Float64 on both sides, so only
 * summation order differs: rtol 1e-9, atol 1e-11 (a manifest may set {@code tolerance.rtol/atol}).
 */
class DcdGoldenTest {
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
        assertThat(all).as("golden cases").isNotEmpty();
        return all.stream();
    }

    private static double rtol(DcdGolden g) {
        return g.data().manifest().path("tolerance").path("rtol").asDouble(1e-9);
    }

    private static double atol(DcdGolden g) {
        return g.data().manifest().path("tolerance").path("atol").asDouble(1e-11);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selectionAndTeacherTargets(DcdGolden g) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor full = g.tensor(be, "teacher_full");
            HardNegatives.Selection sel = HardNegatives.select(full, g.k());
            assertThat(sel.indices()).as(g + " sel_idx").containsExactly(g.longs("sel_idx"));
            close(g + " teacher_sel", sel.gather(full).toDoubleArray(), g.doubles("teacher_sel"), 0, 0);
            close(g + " teacher_sel_official_order", HardNegatives.officialOrderTargets(full, g.k()).toDoubleArray(),
                    g.doubles("teacher_sel_official_order"), 0, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightsAndLossTermsBothModes(DcdGolden g) {
        double rt = rtol(g);
        double at = atol(g);
        try (TensorScope sc = Tensors.scope()) {
            Tensor full = g.tensor(be, "teacher_full");
            HardNegatives.Selection sel = HardNegatives.select(full, g.k());
            Tensor t = sel.gather(full);
            Tensor s = CosineScores.selected(g.tensor(be, "student_img"), g.tensor(be, "student_txt"), sel,
                    g.hp("logit_scale"));
            close(g + " student_scores", s.toDoubleArray(), g.doubles("student_scores"), rt, at);
            DcdLoss.Weights w = DcdLoss.weights(t);
            close(g + " teacher_probs", w.probs().toDoubleArray(), g.doubles("teacher_probs"), rt, at);
            close(g + " neg_entropy", w.negEntropy().toDoubleArray(), g.doubles("neg_entropy"), rt, at);
            close(g + " w_ce", w.w().toDoubleArray(), g.doubles("w_ce"), rt, at);
            close(g + " r_kd", w.r().toDoubleArray(), g.doubles("r_kd"), rt, at);
            for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
                DcdLoss.Terms terms = DcdLoss.compute(t, s, options(g, mode));
                String m = mode == DcdLoss.Mode.OFFICIAL ? "official" : "per_sample";
                close(g + " ce_rows", terms.ceRows().toDoubleArray(), g.doubles("ce_rows"), rt, at);
                close(g + " ce", terms.ce().item(), g.scalar("ce"), rt, at);
                close(g + " kd_" + m, terms.kd().item(), g.scalar("kd_" + m), rt, at);
                close(g + " total_" + m, terms.total().item(), g.scalar("total_" + m), rt, at);
            }
            Tensor official = HardNegatives.officialOrderTargets(full, g.k());
            DcdLoss.Terms off = DcdLoss.compute(official, s, options(g, DcdLoss.Mode.OFFICIAL));
            close(g + " kd_official_offorder", off.kd().item(), g.scalar("kd_official_offorder"), rt, at);
            close(g + " ce_offorder", off.ce().item(), g.scalar("ce_offorder"), rt, at);
            close(g + " total_official_offorder", off.total().item(), g.scalar("total_official_offorder"), rt, at);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsOfEveryTotal(DcdGolden g) {
        double rt = rtol(g);
        double at = atol(g);
        for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
            String m = mode == DcdLoss.Mode.OFFICIAL ? "official" : "per_sample";
            try (TensorScope sc = Tensors.scope()) {
                Tensor full = g.tensor(be, "teacher_full");
                HardNegatives.Selection sel = HardNegatives.select(full, g.k());
                Tensor img = g.tensor(be, "student_img").requiresGrad(true);
                Tensor txt = g.tensor(be, "student_txt").requiresGrad(true);
                Tensor s = CosineScores.selected(img, txt, sel, g.hp("logit_scale"));
                Tensor sLeaf = s.detach().requiresGrad(true);
                DcdLoss.compute(sel.gather(full), sLeaf, options(g, mode)).total().backward();
                close(g + " grad_s_total_" + m, sLeaf.grad().toDoubleArray(), g.doubles("grad_s_total_" + m), rt, at);
                DcdLoss.compute(sel.gather(full), s, options(g, mode)).total().backward();
                close(g + " grad_img_total_" + m, img.grad().toDoubleArray(), g.doubles("grad_img_total_" + m), rt,
                        at);
                close(g + " grad_txt_total_" + m, txt.grad().toDoubleArray(), g.doubles("grad_txt_total_" + m), rt,
                        at);
            }
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor full = g.tensor(be, "teacher_full");
            Tensor s = g.tensor(be, "student_scores").requiresGrad(true);
            DcdLoss.compute(HardNegatives.officialOrderTargets(full, g.k()), s, options(g, DcdLoss.Mode.OFFICIAL))
                    .total().backward();
            close(g + " grad_s_total_official_offorder", s.grad().toDoubleArray(),
                    g.doubles("grad_s_total_official_offorder"), rt, at);
        }
    }

    static DcdLoss.Options options(DcdGolden g, DcdLoss.Mode mode) {
        return new DcdLoss.Options(mode, g.hp("alpha"), g.hp("T"));
    }
}
