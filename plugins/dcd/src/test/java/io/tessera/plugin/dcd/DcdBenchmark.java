package io.tessera.plugin.dcd;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.Arrays;
import java.util.Locale;

/**
 * The DCD benchmark of issue 13 (bench/dcd-bench.sh; not a test): the loss with the teacher-mined selection, forward
 * and backward, at the official COCO sizes (B 512, pool 1 + 15, K 7, embeddings of D 256), in both modes; the
 * teacher's and the students' scoring throughput at the sizes of examples/pipelines/dcd-retrieval.yaml. Prints
 * {@code name value unit} lines; bench/dcd_torch.py prints the same names.
 *
 * <p>Arguments: {@code [repeats]}.
 */
public final class DcdBenchmark {
    static final int B = 512;
    static final int N = 16;
    static final int K = 7;
    static final int D = 256;

    private DcdBenchmark() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (TensorBackend be = TestBackends.named("cpu")) {
            Generator g = new Generator(0);
            Tensor teacher = g.normal(be, Shape.of(B, N), 0, 2);
            Tensor img0 = g.normal(be, Shape.of(B, D), 0, 1);
            Tensor txt0 = g.normal(be, Shape.of(B, N, D), 0, 1);
            for (DcdLoss.Mode mode : DcdLoss.Mode.values()) {
                double ms = median(repeats, () -> {
                    try (TensorScope sc = Tensors.scope()) {
                        Tensor img = img0.detach().requiresGrad(true);
                        Tensor txt = txt0.detach().requiresGrad(true);
                        HardNegatives.Selection sel = HardNegatives.select(teacher, K);
                        Tensor s = CosineScores.selected(img, txt, sel, 5.0);
                        DcdLoss.Terms t = DcdLoss.compute(sel.gather(teacher), s, DcdLoss.Options.of(mode));
                        t.total().backward();
                        img.grad().sum().item();
                        txt.grad().sum().item();
                    }
                });
                print("loss_fwd_bwd_" + mode.name().toLowerCase(Locale.ROOT), ms, "ms");
            }
            double selMs = median(repeats, () -> {
                try (TensorScope sc = Tensors.scope()) {
                    HardNegatives.select(teacher, K).gather(teacher).sum().item();
                }
            });
            print("selection_gather", selMs, "ms");

            // scoring at the pipeline's sizes: 28x56 composites, captions of 8 tokens over 30 ids
            int pairs = 256;
            int vocab = 30;
            int len = 8;
            Tensor images = g.uniform(be, Shape.of(pairs, 1, 28, 56), 0, 1);
            long[] tok = new long[pairs * len];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
            for (int i = 0; i < tok.length; i++) {
                tok[i] = i % len < 6 ? 1 + rng.nextInt(vocab - 1) : 0;
            }
            Tensor captions = be.tensor(tok, pairs, len);
            try (ItemStem stem = new ItemStem(be, 28, 28, 8, 64, 10, new Generator(1));
                 CrossEncoder ce = new CrossEncoder(be, 28, 56, stem, vocab, len, 64, 2, 4, new Generator(2));
                 DualEncoder de = new DualEncoder(be, 28 * 56, vocab, len, 128, 32, 10, new Generator(3))) {
                ce.eval();
                de.eval();
                double teacherMs = median(repeats, () -> {
                    try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                        ce.score(ce.imageTokens(images), captions).sum().item();
                    }
                });
                print("teacher_pairs_per_s", pairs / (teacherMs / 1e3), "pairs/s");
                double studentMs = median(repeats, () -> {
                    try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                        Tensor a = de.encodeImages(images);
                        Tensor t = de.encodeTexts(captions);
                        CosineScores.pairs(a, t.unsqueeze(1), de.logitScale()).sum().item();
                    }
                });
                print("student_pairs_per_s", pairs / (studentMs / 1e3), "pairs/s");
            }
        }
    }

    private static double median(int repeats, Runnable r) {
        for (int i = 0; i < 3; i++) {
            r.run();
        }
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    private static void print(String name, double value, String unit) {
        System.out.printf(Locale.ROOT, "%s %.3f %s%n", name, value, unit);
    }
}
