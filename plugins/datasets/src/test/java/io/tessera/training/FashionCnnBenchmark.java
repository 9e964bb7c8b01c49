package io.tessera.training;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.plugin.datasets.MnistFolder;
import io.tessera.plugin.datasets.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The real training check: the reference CNN with Adam (lr 1e-3, batch 128) on the full Fashion-MNIST, printing the
 * test accuracy per epoch, the time per training step and images per second, and the resident set size at steps
 * 100 and 1000. Run it with {@code bench/fashion-cnn.sh [DATA_DIR] [EPOCHS]}.
 *
 * <p>Arguments: {@code [dataDir] [epochs] [batchSize] [seed] [maxStepsPerEpoch]}; defaults
 * {@code ../shared/data/fashion-mnist 3 128 0 0} (0 = all steps).
 */
public final class FashionCnnBenchmark {
    private FashionCnnBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/fashion-mnist");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 0;
        int maxSteps = args.length > 4 ? Integer.parseInt(args[4]) : 0;

        ArrayImageDataset train = MnistFolder.fashionMnist(dir, Split.TRAIN);
        ArrayImageDataset test = MnistFolder.fashionMnist(dir, Split.TEST);
        System.out.printf(Locale.ROOT, "data: %s (%d train, %d test); epochs %d, batch %d, seed %d%n", dir,
                train.size(), test.size(), epochs, batchSize, seed);
        System.out.printf(Locale.ROOT, "jvm: %s %s, %d processors, max heap %d MiB%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.println(rss("start"));

        try (TensorBackend b = CpuBackend.create();
             ReferenceCnn model = new ReferenceCnn(b, new Generator(seed));
             Adam adam = new Adam(model.parameters(), 1e-3)) {
            System.out.println("backend: " + b.name() + " on " + b.device() + "; model parameters: "
                    + model.parameterCount());
            DataLoader<ImageBatch> loader = DataLoader.ofImages(train).batchSize(batchSize).shuffle(true)
                    .seed(seed).build();
            long globalStep = 0;
            for (int e = 0; e < epochs; e++) {
                int steps = maxSteps > 0 ? Math.min(maxSteps, loader.batchesPerEpoch()) : loader.batchesPerEpoch();
                double[] stepMs = new double[steps];
                double lossSum = 0;
                int images = 0;
                long epochStart = System.nanoTime();
                int s = 0;
                for (ImageBatch batch : loader.epoch(e)) {
                    if (s == steps) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    lossSum += ReferenceCnn.trainStep(model, adam, b, batch);
                    stepMs[s] = (System.nanoTime() - t0) / 1e6;
                    images += batch.size();
                    s++;
                    globalStep++;
                    if (globalStep == 100 || globalStep == 1000) {
                        System.out.println(rss("step " + globalStep));
                    }
                    if (s % 100 == 0) {
                        System.out.printf(Locale.ROOT, "  epoch %d step %d/%d loss %.4f, last step %.1f ms%n",
                                e + 1, s, steps, lossSum / s, stepMs[s - 1]);
                    }
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                long evalStart = System.nanoTime();
                double acc = ReferenceCnn.accuracy(model, b, test, 500);
                double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
                double[] sorted = stepMs.clone();
                Arrays.sort(sorted);
                double mean = Arrays.stream(stepMs).average().orElse(0);
                System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.2f %%, %d steps in %.1f s;"
                        + " step ms min/median/mean %.1f/%.1f/%.1f; %.0f images/s; eval %.1f s%n", e + 1,
                        lossSum / steps, 100 * acc, steps, trainSeconds, sorted[0], sorted[sorted.length / 2], mean,
                        images / trainSeconds, evalSeconds);
                System.out.println(rss("end of epoch " + (e + 1)));
            }
        }
    }

    /** VmRSS and VmHWM of this process (Linux), plus the JVM heap in use. */
    static String rss(String when) {
        String rss = "?";
        String hwm = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = line.substring(6).strip();
                } else if (line.startsWith("VmHWM:")) {
                    hwm = line.substring(6).strip();
                }
            }
        } catch (IOException e) {
            rss = "unavailable (" + e.getMessage() + ")";
        }
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "memory at %s: VmRSS %s, VmHWM (peak RSS) %s, heap used %d MiB", when, rss,
                hwm, (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
}
