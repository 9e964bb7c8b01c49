package io.tessera.plugin.dwff;

import io.tessera.api.optim.AdamW;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The DWFF timing benchmark of {@code bench/dwff-bench.sh} (not a test): decoder forward+backward of the total loss
 * at the official widths (Fc 512, mid 256/128, L 4, D 1024, K 16) on a 16×16 patch grid with batch 2, and one
 * training step (forward, loss, backward, AdamW) of the scene pipeline's decoder (Fc 64, 64/32, L 4, D 64, 4×4 grid,
 * batch 16, K 11). Prints one line per case: median and min milliseconds over the timed iterations.
 *
 * <pre>{@code java -cp ... io.tessera.plugin.dwff.DwffBenchmark [WARMUP=2] [ITERS=5] [CASES=official,scene]}</pre>
 */
public final class DwffBenchmark {
    private DwffBenchmark() {
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> cases = Arrays.asList((args.length > 2 ? args[2] : "official,scene").split(","));
        TensorBackend be = TestBackends.named("cpu");
        if (cases.contains("official")) {
            run(be, "decoder fwd+bwd official (Fc512 256/128 L4 D1024 16x16 B2 K16)",
                    DwffConfig.official(), 2, 16, false, warmup, iters);
        }
        if (cases.contains("scene")) {
            run(be, "scene train step (Fc64 64/32 L4 D64 4x4 B16 K11, AdamW)",
                    new DwffConfig(4, 64, 64, 64, 32, 11, Fusion.DYNAMIC, 0.2, 0.1), 16, 4, true, warmup, iters);
        }
        be.close();
    }

    private static void run(TensorBackend be, String name, DwffConfig cfg, int batch, int grid, boolean step,
                            int warmup, int iters) {
        Generator g = new Generator(0);
        try (DwffDecoder d = new DwffDecoder(be, cfg, g);
             AdamW opt = new AdamW(d.parameters(), 1e-3, 0.9, 0.999, 1e-8, 0.04, false)) {
            d.train(step);
            if (!step) {
                d.eval(); // the forward+backward case times the deterministic pass (dropout off)
            }
            List<Tensor> feats = new ArrayList<>();
            for (int i = 0; i < cfg.levels(); i++) {
                feats.add(Tensors.unscoped(() -> g.normal(be, Shape.of(batch, cfg.inChannels(), grid, grid), 0, 1)));
            }
            int side = 16 * grid;
            long[] labels = new long[batch * side * side];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = g.nextLong(cfg.classes());
            }
            Tensor target = Tensors.unscoped(() -> be.tensor(labels, batch, side, side));
            DwffLoss loss = DwffLoss.official();
            double[] ms = new double[iters];
            for (int it = -warmup; it < iters; it++) {
                long t0 = System.nanoTime();
                try (TensorScope sc = Tensors.scope()) {
                    DwffDecoder.Output out = d.run(feats);
                    Tensor total = loss.compute(out.logits(), target, out.fusionWeights()).total();
                    if (step) {
                        opt.zeroGrad();
                    } else {
                        d.zeroGrad();
                    }
                    total.backward();
                    if (step) {
                        opt.step();
                    }
                    total.item();
                }
                if (it >= 0) {
                    ms[it] = (System.nanoTime() - t0) / 1e6;
                }
            }
            feats.forEach(Tensor::close);
            target.close();
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "java   | %-62s | median %9.1f ms | min %9.1f ms | %d iters%n", name,
                    sorted[sorted.length / 2], sorted[0], iters);
        }
    }
}
