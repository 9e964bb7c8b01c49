package io.tessera.plugin.dwff;

import io.tessera.api.data.DataLoader;
import io.tessera.api.metrics.ConfusionMatrix;
import io.tessera.api.metrics.SegmentationMetrics;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Trains and evaluates a {@link DwffDecoder} on scenes whose frozen-encoder levels are precomputed
 * ({@link LevelFeatures}), with the recipe of spec §6 scaled to CPU: AdamW (decoupled weight decay), a cosine
 * schedule stepped per epoch, the DWFF loss (entropy term only for dynamic fusion), dropout on while training.
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
        DataLoader<int[]> loader = DataLoader.of(scenes.size(), idx -> idx).batchSize(o.batchSize()).shuffle(true)
                .seed(seed).build();
        try (AdamW opt = new AdamW(decoder.parameters(), o.lr(), 0.9, 0.999, 1e-8, o.weightDecay(), false)) {
            LrScheduler schedule = LrScheduler.cosineAnnealing(opt, o.epochs(), 0);
            long step = 0;
            decoder.train();
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                double sum = 0;
                int batches = 0;
                double lr = opt.learningRate();
                for (int[] idx : loader.epoch(epoch)) {
                    if (listener.cancelled()) {
                        throw new java.util.concurrent.CancellationException("cancelled");
                    }
                    try (TensorScope sc = Tensors.scope()) {
                        DwffDecoder.Output out = decoder.run(train.batch(b, idx));
                        Tensor target = b.tensor(scenes.labels(idx), idx.length, scenes.height(), scenes.width());
                        Tensor total = loss.compute(out.logits(), target, out.fusionWeights()).total();
                        opt.zeroGrad();
                        total.backward();
                        opt.step();
                        double v = total.item();
                        if (!Double.isFinite(v)) {
                            throw new IllegalStateException("the loss became " + v + " at step " + step + "; lower"
                                    + " the learning rate");
                        }
                        sum += v;
                        batches++;
                        listener.step(++step, v);
                    }
                }
                schedule.step();
                listener.epoch(epoch + 1, o.epochs(), sum / Math.max(1, batches), lr);
            }
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        decoder.eval();
        return decoder;
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
