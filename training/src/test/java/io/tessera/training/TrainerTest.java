package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.pipeline.Checkpoints;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.training.models.Mlp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: determinism, resume, listeners, early stopping and failures. */
class TrainerTest {
    private static TensorBackend backend;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** 60 grey 6×6 images of 3 classes: a bright row per class plus noise. */
    static ArrayImageDataset images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 36];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 36; p++) {
                int v = r.nextInt(80) + (p / 6 == 2 * labels[i] ? 160 : 0);
                px[i * 36 + p] = (byte) Math.min(v, 255);
            }
        }
        return new ArrayImageDataset("synthetic", px, labels, 1, 6, 6, List.of("a", "b", "c"));
    }

    private static Mlp model() {
        return new Mlp(backend, new Generator(5), 36, 16, 3);
    }

    /** Checkpoint folders {@code ckpt-<position>} under a root, written as a temporary folder and renamed. */
    static final class FolderCheckpoints implements Checkpoints {
        private final Path root;

        FolderCheckpoints(Path root) throws IOException {
            this.root = Files.createDirectories(root);
        }

        @Override
        public Optional<Path> latest() {
            try (Stream<Path> s = Files.list(root)) {
                return s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).max(Path::compareTo);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Path save(long position, Writer writer) throws IOException {
            Path t = Files.createDirectories(root.resolve("tmp-" + position));
            writer.write(t);
            return Files.move(t, root.resolve(String.format("ckpt-%012d", position)));
        }
    }

    private static TrainingOptions options() {
        return TrainingOptions.defaults().withEpochs(3).withBatchSize(8).withCheckpointEvery(3)
                .withOptimizer(new OptimizerOptions(OptimizerOptions.Type.SGD, 0.05, 0.9, 1e-4))
                .withSchedule(ScheduleOptions.step(1, 0.5));
    }

    private static float[] weights(Mlp m) {
        List<Float> out = new ArrayList<>();
        for (Tensor t : m.stateDict().values()) {
            for (float f : t.toFloatArray()) {
                out.add(f);
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    @Test
    void aResumedRunEndsWithTheWeightsHistoryAndCurveOfAnUninterruptedOne() throws Exception {
        ArrayImageDataset train = images(60, 1);
        ArrayImageDataset val = images(30, 2);
        TrainingResult whole;
        float[] wholeWeights;
        List<TrainingState.LossPoint> wholeCurve = new ArrayList<>();
        try (Mlp m = model()) {
            whole = Trainer.forImages(m, backend).options(options()).seed(9)
                    .listener(new TrainingListener() {
                        @Override
                        public void onEnd(TrainingState s, TrainingResult r) {
                            wholeCurve.addAll(s.lossCurve());
                        }
                    }).build().fit(DataLoader.ofImages(train), DataLoader.ofImages(val));
            wholeWeights = weights(m);
        }
        assertThat(whole.steps()).isEqualTo(3 * 8);
        assertThat(whole.history()).hasSize(3);
        assertThat(whole.history().get(1).get("lr")).isEqualTo(0.025);

        FolderCheckpoints store = new FolderCheckpoints(tmp.resolve("ckpt"));
        AtomicInteger steps = new AtomicInteger();
        try (Mlp m = model()) {
            Trainer<ImageBatch> t = Trainer.forImages(m, backend).options(options()).seed(9)
                    .listener(new CheckpointListener(store, 3))
                    .listener(new TrainingListener() {
                        @Override
                        public void onBatchEnd(TrainingState s, double loss) {
                            steps.set((int) s.step());
                        }
                    })
                    .cancelled(() -> steps.get() == 12).build();
            // step 12 is batch 4 of epoch 2, right after a mid-epoch checkpoint
            assertThatThrownBy(() -> t.fit(DataLoader.ofImages(train), DataLoader.ofImages(val)))
                    .isInstanceOf(CancellationException.class).hasMessageContaining("epoch 2, batch 4");
        }
        assertThat(store.latest()).get().asString().endsWith("ckpt-000000000012");

        List<Map<String, Double>> replayed = new ArrayList<>();
        List<TrainingState.LossPoint> curve = new ArrayList<>();
        try (Mlp m = model()) {
            TrainingResult resumed = Trainer.forImages(m, backend).options(options()).seed(9)
                    .listener(new MetricsListener(new MetricsSink() {
                        @Override
                        public void epoch(int epoch, int epochs, Map<String, Double> metrics) {
                            replayed.add(metrics);
                        }

                        @Override
                        public void point(String series, long x, double value) {
                            curve.add(new TrainingState.LossPoint(x, value));
                        }

                        @Override
                        public void metric(String name, double value) {
                        }

                        @Override
                        public void timing(String name, double value) {
                        }
                    }))
                    .listener(new CheckpointListener(store, 3)).build()
                    .fit(DataLoader.ofImages(train), DataLoader.ofImages(val));
            assertThat(resumed.history()).isEqualTo(whole.history());
            assertThat(resumed.reproducibleMetrics()).isEqualTo(whole.reproducibleMetrics());
            assertThat(resumed.steps()).isEqualTo(whole.steps());
            assertThat(Arrays.equals(weights(m), wholeWeights)).as("weights equal bit for bit").isTrue();
        }
        assertThat(replayed).isEqualTo(whole.history());
        assertThat(curve).isEqualTo(wholeCurve);

        // a checkpoint written after the last epoch skips training altogether
        try (Mlp m = model()) {
            TrainingResult again = Trainer.forImages(m, backend).options(options()).seed(9)
                    .listener(new CheckpointListener(store, 3)).build()
                    .fit(DataLoader.ofImages(train), DataLoader.ofImages(val));
            assertThat(again.history()).isEqualTo(whole.history());
            assertThat(Arrays.equals(weights(m), wholeWeights)).isTrue();
        }
    }

    @Test
    void theSeedAloneDecidesTheBatchOrder() throws Exception {
        ArrayImageDataset train = images(60, 1);
        TrainingOptions o = options().withEpochs(1);
        try (Mlp a = model(); Mlp b = model(); Mlp c = model()) {
            TrainingResult ra = Trainer.forImages(a, backend).options(o).seed(3).build()
                    .fit(DataLoader.ofImages(train), null);
            TrainingResult rb = Trainer.forImages(b, backend).options(o).seed(3).build()
                    .fit(DataLoader.ofImages(train), null);
            TrainingResult rc = Trainer.forImages(c, backend).options(o).seed(4).build()
                    .fit(DataLoader.ofImages(train), null);
            assertThat(rb.history()).isEqualTo(ra.history());
            assertThat(rc.history()).isNotEqualTo(ra.history());
            assertThat(ra.metrics()).containsKeys("train_loss", "train_accuracy", "parameters", "ms_per_step",
                    "images_per_s").doesNotContainKeys("val_loss", "lr");
        }
    }

    @Test
    void listenersSeeEveryStepAndEpochInOrder() throws Exception {
        List<String> events = new ArrayList<>();
        TrainingOptions o = TrainingOptions.defaults().withEpochs(2).withBatchSize(25).withMaxBatches(2);
        try (Mlp m = model()) {
            Trainer.forImages(m, backend).options(o).listener(new TrainingListener() {
                @Override
                public void onStart(TrainingState s) {
                    events.add("start " + s.resumed());
                }

                @Override
                public void onBatchEnd(TrainingState s, double loss) {
                    events.add("batch " + s.epoch() + "." + s.batch() + " step " + s.step() + " seen " + s.seen()
                            + "/" + s.examplesPerEpoch());
                }

                @Override
                public void onEpochEnd(TrainingState s, Map<String, Double> metrics) {
                    events.add("epoch " + s.epoch() + " " + metrics.keySet());
                }

                @Override
                public void onEnd(TrainingState s, TrainingResult r) {
                    events.add("end " + r.steps());
                }
            }).listener(new ProgressListener((done, total, message) -> events.add("progress " + done + "/" + total
                    + " " + message.substring(0, 9)))).build().fit(DataLoader.ofImages(images(60, 1)), null);
        }
        assertThat(events).containsExactly("start false",
                "batch 0.1 step 1 seen 25/50", "progress 25/50 epoch 1/2",
                "batch 0.2 step 2 seen 50/50", "progress 50/50 epoch 1/2",
                "epoch 1 [train_loss, train_accuracy, lr]",
                "batch 1.1 step 3 seen 25/50", "progress 25/50 epoch 2/2",
                "batch 1.2 step 4 seen 50/50", "progress 50/50 epoch 2/2",
                "epoch 2 [train_loss, train_accuracy, lr]", "end 4");
    }

    @Test
    void earlyStoppingEndsTheRunWhenTheMetricStallsAndAResumeStopsThereToo() throws Exception {
        // the training loss falls every epoch, so it never "improves" towards MAX: a stop after patience epochs
        EarlyStopOptions stall = EarlyStopOptions.on("train_loss", EarlyStopOptions.Goal.MAX, 2);
        TrainingOptions o = options().withEpochs(6).withEarlyStop(stall);
        FolderCheckpoints store = new FolderCheckpoints(tmp.resolve("early"));
        TrainingResult r;
        try (Mlp m = model()) {
            r = Trainer.forImages(m, backend).options(o).seed(9).listener(new EarlyStopping(o.earlyStop()))
                    .listener(new CheckpointListener(store, 0)).build().fit(DataLoader.ofImages(images(60, 1)), null);
        }
        assertThat(r.history()).hasSize(3);
        assertThat(r.stoppedEarly()).isTrue();
        try (Mlp m = model()) {
            TrainingResult again = Trainer.forImages(m, backend).options(o).seed(9)
                    .listener(new EarlyStopping(o.earlyStop())).listener(new CheckpointListener(store, 0)).build()
                    .fit(DataLoader.ofImages(images(60, 1)), null);
            assertThat(again.history()).isEqualTo(r.history());
            assertThat(again.steps()).isEqualTo(r.steps());
        }
        try (Mlp m = model()) {
            EarlyStopping watchesNothing = new EarlyStopping(EarlyStopOptions.on("val_loss",
                    EarlyStopOptions.Goal.MIN, 1));
            assertThatThrownBy(() -> Trainer.forImages(m, backend).options(options().withEpochs(1))
                    .listener(watchesNothing).build().fit(DataLoader.ofImages(images(60, 1)), null))
                    .hasMessageContaining("early stopping watches 'val_loss'")
                    .hasMessageContaining("train_loss");
        }
    }

    @Test
    void aLossThatTurnsNaNStopsTrainingNamingThePositionAndTheLastCheckpoint() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // 0/0: the CPU backend's scalar ops do not pass a NaN scalar through (mul(NaN) gives 1e-5 times the value)
        Loss poisoned = (out, target) -> calls.incrementAndGet() == 5
                ? Functional.crossEntropy(out, target).mul(0).div(0) : Functional.crossEntropy(out, target);
        FolderCheckpoints store = new FolderCheckpoints(tmp.resolve("nan"));
        try (Mlp m = model()) {
            Trainer<ImageBatch> t = Trainer.forImages(m, backend).loss(poisoned).options(options()).seed(1)
                    .listener(new CheckpointListener(store, 3)).build();
            assertThatThrownBy(() -> t.fit(DataLoader.ofImages(images(60, 1)), null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the loss became NaN at epoch 1, batch 5 (optimizer step 5) with lr 0.05")
                    .hasMessageContaining("lower 'lr' (e.g. 0.005)")
                    .hasMessageContaining("ckpt-000000000003");
        }
    }

    @Test
    void optionsRefuseValuesOutOfRangeSayingWhich() {
        assertThatThrownBy(() -> TrainingOptions.defaults().withEpochs(0)).hasMessage("epochs must be >= 1, was 0");
        assertThatThrownBy(() -> TrainingOptions.defaults().withEpochs(3)
                .withSchedule(ScheduleOptions.warmupCosine(3)))
                .hasMessageContaining("warmup_epochs (3) must be below epochs (3)");
        assertThatThrownBy(() -> OptimizerOptions.adam(0)).hasMessageContaining("lr must be a finite number above 0");
        assertThatThrownBy(() -> OptimizerOptions.sgd(0.1, 1)).hasMessageContaining("momentum must be in [0, 1)");
        assertThatThrownBy(() -> ScheduleOptions.step(0, 0.5)).hasMessageContaining("step_size must be >= 1");
        assertThatThrownBy(() -> Loss.crossEntropy(1.5)).hasMessageContaining("label smoothing must be in [0, 1]");
        assertThat(TrainingOptions.defaults().optimizer().type()).isEqualTo(OptimizerOptions.Type.ADAM);
    }

    @Test
    void aCheckpointOfAnotherBatchCountIsRefusedWithAHint() throws Exception {
        FolderCheckpoints store = new FolderCheckpoints(tmp.resolve("other"));
        AtomicInteger steps = new AtomicInteger();
        try (Mlp m = model()) {
            Trainer<ImageBatch> t = Trainer.forImages(m, backend).options(options()).seed(9)
                    .listener(new CheckpointListener(store, 6)).listener(new TrainingListener() {
                        @Override
                        public void onBatchEnd(TrainingState s, double loss) {
                            steps.set((int) s.step());
                        }
                    }).cancelled(() -> steps.get() == 6).build();
            assertThatThrownBy(() -> t.fit(DataLoader.ofImages(images(60, 1)), null))
                    .isInstanceOf(CancellationException.class);
        }
        try (Mlp m = model()) {
            assertThatThrownBy(() -> Trainer.forImages(m, backend).options(options().withBatchSize(30)).seed(9)
                    .listener(new CheckpointListener(store, 6)).build().fit(DataLoader.ofImages(images(60, 1)), null))
                    .isInstanceOf(IOException.class).hasMessageContaining("stands at batch 6")
                    .hasMessageContaining("epochs now have 2 batches");
        }
    }
}
