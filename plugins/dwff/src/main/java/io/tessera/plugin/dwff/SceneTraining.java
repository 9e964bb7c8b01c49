package io.tessera.plugin.dwff;

import io.tessera.api.data.DataLoader;
import io.tessera.api.metrics.ConfusionMatrix;
import io.tessera.api.metrics.SegmentationMetrics;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.training.Batches;
import io.tessera.training.Loss;
import io.tessera.training.OptimizerOptions;
import io.tessera.training.ScheduleOptions;
import io.tessera.training.Trainer;
import io.tessera.training.TrainingListener;
import io.tessera.training.TrainingOptions;
import io.tessera.training.TrainingState;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Trains and evaluates a {@link DwffDecoder} on scenes whose frozen-encoder levels are precomputed
 * ({@link LevelFeatures}), with the recipe of spec §6 scaled to CPU: AdamW (decoupled weight decay), a cosine
 * schedule stepped per epoch, the DWFF loss (entropy term only for dynamic fusion), dropout on while training; the
 * loop is the training module's {@link Trainer}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SceneTraining {
    private SceneTraining() {
    }

    /**
     * Loop settings.
     *
     * @param epochs      passes over the training scenes
     * @param batchSize   scenes per optimizer step
     * @param lr          AdamW learning rate (the official 1e-4 is for 150 epochs; short CPU runs use more)
     * @param weightDecay AdamW decoupled weight decay (official 0.04)
     */
    public record Options(int epochs, int batchSize, double lr, double weightDecay) {
        public Options {
            if (epochs < 1 || batchSize < 1 || !(lr > 0) || weightDecay < 0) {
                throw new IllegalArgumentException("training needs epochs >= 1, batch_size >= 1, lr > 0 and"
                        + " weight_decay >= 0; got " + epochs + ", " + batchSize + ", " + lr + ", " + weightDecay);
            }
        }
    }

    /** What the loop reports as it goes. */
    public interface Listener {
        /** After each optimizer step. */
        default void step(long step, double loss) {
        }

        /** After each epoch, with its mean loss and the learning rate it used. */
        default void epoch(int epoch, int epochs, double meanLoss, double lr) {
        }

        /** Whether to stop early (a cancelled run). */
        default boolean cancelled() {
            return false;
        }
    }

    /** Trains a new decoder of {@code config} (initial weights and batch order from {@code seed}). */
    public static DwffDecoder train(TensorBackend b, DwffConfig config, LevelFeatures train, SceneSet scenes,
                                    Options o, long seed, Listener listener) {
        if (train.size() != scenes.size()) {
            throw new IllegalArgumentException("levels of " + train.size() + " scenes for " + scenes.size()
                    + " scenes");
        }
        DwffDecoder decoder = new DwffDecoder(b, config, new Generator(seed));
        DwffLoss loss = DwffLoss.forFusion(config.fusion());
        Fitting model = new Fitting(decoder);
        Batches<int[]> batches = new Batches<>() {
            @Override
            public int size(int[] idx) {
                return idx.length;
            }

            @Override
            public Tensor input(int[] idx, TensorBackend backend) {
                return Tensors.concat(train.batch(backend, idx), 1);
            }

            @Override
            public Tensor target(int[] idx, TensorBackend backend) {
                return backend.tensor(scenes.labels(idx), idx.length, scenes.height(), scenes.width());
            }
        };
        try {
            fit(model, b, batches, (logits, target) -> loss.compute(logits, target, model.lastWeights).total(),
                    scenes.size(), o.epochs(), o.batchSize(), o.lr(), o.weightDecay(), seed, listener, null);
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        decoder.eval();
        return decoder;
    }

    /**
     * The one training loop of this plugin, the training module's {@link Trainer} (zero-grad, backward, AdamW step,
     * the NaN guard, cosine schedule per epoch, cancellation): batches of indices {@code 0..size-1} shuffled by
     * {@code seed}, reported to {@code listener}; {@code epochStart}, when not null, is told each epoch before its
     * first batch.
     */
    static <M extends io.tessera.api.nn.Module> void fit(M model, TensorBackend b, Batches<int[]> batches,
                                                       Loss loss, int size, int epochs, int batchSize, double lr,
                                                       double weightDecay, long seed, Listener listener,
                                                       java.util.function.IntConsumer epochStart) {
        TrainingOptions options = TrainingOptions.defaults().withEpochs(epochs).withBatchSize(batchSize)
                .withOptimizer(new OptimizerOptions(OptimizerOptions.Type.ADAMW, lr, 0, weightDecay))
                .withSchedule(ScheduleOptions.cosine());
        Trainer<int[]> trainer = Trainer.builder(model, b, batches).options(options).loss(loss).seed(seed)
                .cancelled(listener::cancelled)
                .listener(new TrainingListener() {
                    @Override
                    public void onStart(TrainingState state) {
                        if (epochStart != null) {
                            epochStart.accept(state.epoch());
                        }
                    }

                    @Override
                    public void onBatchEnd(TrainingState state, double batchLoss) {
                        listener.step(state.step(), batchLoss);
                    }

                    @Override
                    public void onEpochEnd(TrainingState state, java.util.Map<String, Double> metrics) {
                        listener.epoch(state.epoch(), epochs, metrics.get("train_loss"), metrics.get("lr"));
                        if (epochStart != null && state.epoch() < epochs) {
                            epochStart.accept(state.epoch());
                        }
                    }
                }).build();
        model.train();
        try {
            trainer.fit(DataLoader.of(size, idx -> idx), null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The decoder as the trainer's model: its input is the levels concatenated on the channel axis, its output the
     * logits; the fusion weights of the same pass are kept for the loss's entropy term (spec §5).
     */
    private static final class Fitting extends io.tessera.api.nn.Module {
        private final DwffDecoder decoder;
        private Tensor lastWeights;

        Fitting(DwffDecoder decoder) {
            this.decoder = registerModule("decoder", decoder);
        }

        @Override
        public Tensor forward(Tensor levels) {
            long[] sizes = new long[decoder.config().levels()];
            java.util.Arrays.fill(sizes, decoder.config().inChannels());
            DwffDecoder.Output out = decoder.run(Tensors.split(levels, 1, sizes));
            lastWeights = out.fusionWeights();
            return out.logits();
        }
    }

    /**
     * Results on a scene set.
     *
     * @param foreground    pixel confusion matrix without background targets (the official metric, ignore index 0)
     * @param all           pixel confusion matrix over every pixel
     * @param fusionWeights {@code [scenes × L]} fusion weights per scene, row-major
     * @param examples      predicted label maps of the first scenes (as many as asked for)
     */
    public record Evaluation(ConfusionMatrix foreground, ConfusionMatrix all, float[] fusionWeights,
                            List<int[]> examples) {
    }

    /** Predicts every scene and counts pixels; keeps the label maps of the first {@code examples} scenes. */
    @SuppressWarnings("try")
    public static Evaluation evaluate(TensorBackend b, DwffDecoder decoder, LevelFeatures levels, SceneSet scenes,
                                      int batch, int examples) {
        int k = scenes.numClasses();
        if (decoder.config().classes() != k) {
            throw new IllegalArgumentException("the decoder predicts " + decoder.config().classes() + " classes but"
                    + " the scenes have " + k + " labels");
        }
        ConfusionMatrix fg = ConfusionMatrix.empty(k);
        ConfusionMatrix all = ConfusionMatrix.empty(k);
        int l = decoder.config().levels();
        float[] weights = new float[scenes.size() * l];
        List<int[]> shown = new ArrayList<>();
        int hw = scenes.height() * scenes.width();
        boolean was = decoder.isTraining();
        decoder.eval();
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (int from = 0; from < scenes.size(); from += batch) {
                int n = Math.min(batch, scenes.size() - from);
                int[] idx = LevelFeatures.range(from, n);
                try (TensorScope sc = Tensors.scope()) {
                    DwffDecoder.Output out = decoder.run(levels.batch(b, idx));
                    float[] logits = out.logits().toFloatArray();
                    System.arraycopy(out.fusionWeights().toFloatArray(), 0, weights, from * l, n * l);
                    for (int i = 0; i < n; i++) {
                        float[] one = new float[k * hw];
                        System.arraycopy(logits, i * k * hw, one, 0, k * hw);
                        int[] pred = SegmentationMetrics.argmaxClasses(one, k);
                        int[] target = scenes.labelMap(from + i);
                        fg.add(target, pred, SceneSet.BACKGROUND);
                        all.add(target, pred, -1);
                        if (from + i < examples) {
                            shown.add(pred);
                        }
                    }
                }
            }
        } finally {
            decoder.train(was);
        }
        return new Evaluation(fg, all, weights, shown);
    }
}
