package io.tessera.plugin.dwff;

import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * Pre-trains the {@link PatchVit} encoder on training-split images only: each image is placed at a random position of
 * an empty canvas of the scene size (a new position every epoch) and the head learns its class by cross-entropy
 * (from the class token, or from the mean of the patch tokens). Pixel labels are never seen, so the encoder stays a generic frozen backbone for the decoder.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class VitPretraining {
    private VitPretraining() {
    }

    /**
     * Encoder shape and loop settings.
     *
     * @param dim       token width D
     * @param depth     transformer blocks
     * @param heads     attention heads
     * @param mlpRatio  MLP width as a multiple of D
     * @param epochs    passes over the images
     * @param batchSize images per step
     * @param lr        AdamW learning rate (cosine schedule per epoch, weight decay 0.05)
     * @param pooling   what the classification head reads (class token or mean of the patch tokens)
     * @param itemScale factor by which items are enlarged before placement (that of the scenes)
     */
    public record Options(int dim, int depth, int heads, int mlpRatio, int epochs, int batchSize, double lr,
                          PatchVit.Pooling pooling, double itemScale) {
        public Options {
            if (!(itemScale >= 1 && itemScale <= 8)) {
                throw new IllegalArgumentException("item_scale must be in [1, 8], got " + itemScale);
            }
            java.util.Objects.requireNonNull(pooling, "pooling");
            if (dim < 1 || depth < 1 || heads < 1 || dim % heads != 0 || mlpRatio < 1 || epochs < 1 || batchSize < 1
                    || !(lr > 0)) {
                throw new IllegalArgumentException("ViT pre-training needs dim divisible by heads and positive"
                        + " depth, mlp_ratio, epochs, batch_size and lr; got dim " + dim + ", heads " + heads
                        + ", depth " + depth + ", mlp_ratio " + mlpRatio + ", epochs " + epochs + ", batch_size "
                        + batchSize + ", lr " + lr);
            }
        }
    }

    /** Trains a new encoder for {@code height × width} canvases; returns it in eval mode. */
    public static PatchVit pretrain(TensorBackend b, ImageDataset train, int height, int width, Options o, long seed,
                                    SceneTraining.Listener listener) {
        int ih = SceneSet.scaledSide(train.height(), o.itemScale());
        int iw = SceneSet.scaledSide(train.width(), o.itemScale());
        if (train.channels() != 1 || ih > height || iw > width) {
            throw new IllegalArgumentException("ViT pre-training places single-channel items of at most " + height
                    + "x" + width + " on the canvas; " + train + " has " + train.channels() + "x"
                    + train.height() + "x" + train.width() + " items, " + ih + "x" + iw + " at scale "
                    + o.itemScale());
        }
        PatchVit vit = new PatchVit(b, height, width, o.dim(), o.depth(), o.heads(), o.mlpRatio(), train.numClasses(),
                o.pooling(), new Generator(seed));
        DataLoader<int[]> loader = DataLoader.of(train.size(), idx -> idx).batchSize(o.batchSize()).shuffle(true)
                .seed(seed).build();
        float[] raw = new float[train.pixelsPerImage()];
        try (AdamW opt = new AdamW(vit.parameters(), o.lr(), 0.9, 0.999, 1e-8, 0.05, false)) {
            LrScheduler schedule = LrScheduler.cosineAnnealing(opt, o.epochs(), 0);
            long step = 0;
            vit.train();
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                SplittableRandom place = new SplittableRandom(seed * 1_000_003L + epoch);
                double sum = 0;
                int batches = 0;
                double lr = opt.learningRate();
                for (int[] idx : loader.epoch(epoch)) {
                    if (listener.cancelled()) {
                        throw new java.util.concurrent.CancellationException("cancelled");
                    }
                    float[] canvas = new float[idx.length * height * width];
                    long[] labels = new long[idx.length];
                    for (int i = 0; i < idx.length; i++) {
                        train.copyPixels(idx[i], raw, 0);
                        float[] item = SceneSet.scale(raw, train.height(), train.width(), ih, iw);
                        labels[i] = train.label(idx[i]);
                        int y0 = place.nextInt(height - ih + 1);
                        int x0 = place.nextInt(width - iw + 1);
                        for (int y = 0; y < ih; y++) {
                            System.arraycopy(item, y * iw, canvas, i * height * width + (y0 + y) * width + x0, iw);
                        }
                    }
                    try (TensorScope sc = Tensors.scope()) {
                        Tensor x = b.tensor(canvas, idx.length, 1, height, width);
                        Tensor loss = Functional.crossEntropy(vit.forward(x), b.tensor(labels, idx.length));
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        double v = loss.item();
                        if (!Double.isFinite(v)) {
                            throw new IllegalStateException("ViT pre-training loss became " + v + "; lower lr");
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
            vit.close();
            throw e;
        }
        vit.eval();
        return vit;
    }
}
