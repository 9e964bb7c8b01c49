package io.tessera.training;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.plugin.datasets.MnistFolder;
import io.tessera.plugin.datasets.Split;
import io.tessera.training.models.ReferenceCnn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The real training check: the reference CNN trained by the {@link Trainer} with Adam (lr 1e-3, batch 128) on the
 * full Fashion-MNIST, printing the test accuracy per epoch, the time per training step and images per second, and the
 * resident set size at steps 100 and 1000. Run it with {@code bench/fashion-cnn.sh [DATA_DIR] [EPOCHS]}.
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

        try (TensorBackend b = TestBackends.cpu();
             ReferenceCnn model = ReferenceCnn.builder(b, seed).build()) {
            System.out.println("backend: " + b.name() + " on " + b.device() + "; model parameters: "
                    + model.parameterCount());
            TrainingOptions o = TrainingOptions.defaults().withEpochs(epochs).withBatchSize(batchSize)
                    .withMaxBatches(maxSteps).withOptimizer(OptimizerOptions.adam(1e-3));
            Trainer.forImages(model, b).options(o).seed(seed).listener(new StepTimes()).build()
                    .fit(DataLoader.ofImages(train), DataLoader.ofImages(test));
        }
    }

    /**
     * Prints the step times of each epoch (wall time from one optimizer step's end to the next's: batch collation,
     * forward, loss, backward, update), the loss every 100 steps, the resident set size at steps 100 and 1000, and the
     * test accuracy with the evaluation time.
     */
    private static final class StepTimes implements TrainingListener {
        private final List<Double> stepMs = new ArrayList<>();
        private long last;
        private long epochStart;
        private double lossSum;

        @Override
        public void onStart(TrainingState s) {
            last = System.nanoTime();
            epochStart = last;
        }

        @Override
        public void onBatchEnd(TrainingState s, double loss) {
            long now = System.nanoTime();
            stepMs.add((now - last) / 1e6);
            last = now;
            lossSum += loss;
            if (s.step() == 100 || s.step() == 1000) {
                System.out.println(rss("step " + s.step()));
            }
            if (s.batch() % 100 == 0) {
                System.out.printf(Locale.ROOT, "  epoch %d step %d/%d loss %.4f, last step %.1f ms%n", s.epoch() + 1,
                        s.batch(), s.batchesPerEpoch(), lossSum / s.batch(), stepMs.get(stepMs.size() - 1));
            }
        }

        @Override
        public void onEpochEnd(TrainingState s, Map<String, Double> m) {
            long now = System.nanoTime();
            double evalSeconds = (now - last) / 1e9;
            double trainSeconds = (last - epochStart) / 1e9;
            double[] sorted = stepMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double mean = Arrays.stream(sorted).average().orElse(0);
            long images = s.examplesPerEpoch();
            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.2f %%, %d steps in %.1f s;"
                    + " step ms min/median/mean %.1f/%.1f/%.1f; %.0f images/s; eval %.1f s%n", s.epoch(),
                    m.get("train_loss"), 100 * m.get("val_accuracy"), sorted.length, trainSeconds, sorted[0],
                    sorted[sorted.length / 2], mean, images / trainSeconds, evalSeconds);
            System.out.println(rss("end of epoch " + s.epoch()));
            stepMs.clear();
            lossSum = 0;
            last = System.nanoTime();
            epochStart = last;
        }

        @Override
        public void onEnd(TrainingState s, TrainingResult r) {
            System.out.printf(Locale.ROOT, "trainer: %d optimizer steps, %.1f ms per step (forward, loss, backward,"
                    + " update), %.0f images/s%n", r.steps(), r.msPerStep(), r.metrics().getOrDefault("images_per_s",
                    Double.NaN));
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
        return String.format(Locale.ROOT, "memory at %s: VmRSS %s, VmHWM (peak RSS) %s, heap used %d MiB, heap "
                + "committed %d MiB, ND4J off-heap (JavaCPP) %s MiB, of which the buffer pool %s MiB", when, rss, hwm,
                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20,
                mib("org.bytedeco.javacpp.Pointer", "totalBytes"),
                mib("io.tessera.backend.cpu.kernels.Buffers", "pooledBytes"));
    }

    /** A static long-valued method's result in MiB, by reflection (the benchmark runs on the class path). */
    private static String mib(String className, String method) {
        try {
            long bytes = (long) Class.forName(className).getMethod(method).invoke(null);
            return Long.toString(bytes >> 20);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "?";
        }
    }
}
