package io.tessera.plugin.wpca;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark of bench/wpca-proxy.sh (not a test): W-PCA candidates scored per second at initialisation on one batch
 * (build the candidate from its seed, forward the batch, count the principal components of every FFN
 * pre-activation), over a fixed list of candidates it also writes for the PyTorch implementation to score.
 *
 * <p>Arguments: {@code CANDIDATES_FILE [N] [WARMUP] [BATCH]}.
 */
public final class WpcaProxyBenchmark {
    private WpcaProxyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        SearchSpace space = SearchSpace.fashionRows();
        Candidates cands = SampleStep.sample(space, n + warmup, 1);
        List<String> lines = new ArrayList<>();
        for (Architecture a : cands.architectures()) {
            lines.add(a.name());
        }
        Files.write(file, lines);
        try (TensorBackend be = TestBackends.named("cpu"); TensorScope s = Tensors.scope()) {
            Tensor x = new Generator(5).uniform(be, Shape.of(batch, 1, 28, 28), 0, 1);
            double sum = 0;
            for (int i = 0; i < warmup; i++) {
                sum += score(be, space, cands.architectures().get(i), x);
            }
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            for (int i = warmup; i < warmup + n; i++) {
                sum += score(be, space, cands.architectures().get(i), x);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            System.out.printf(Locale.ROOT, "java,%d,%d,%.3f,%.2f,%.3f,%.3f,%.6g%n", n, batch, sec, n / sec,
                    1000 * sec / n, 1000 * cpu / n, sum);
        }
    }

    /** CPU time of the whole process (all threads), like Python's time.process_time(). */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static double score(TensorBackend be, SearchSpace space, Architecture a, Tensor x) {
        try (EncoderClassifier m = new EncoderClassifier(be, space, a, new Generator(0))) {
            return ZeroCostProxies.wpca(m, x, PcaCount.DEFAULT_ETA, LayerReduction.MEAN).wpca();
        }
    }
}
