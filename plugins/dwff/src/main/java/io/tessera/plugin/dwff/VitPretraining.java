package io.tessera.plugin.dwff;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.training.Batches;
import io.tessera.training.Loss;
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
     * @param placement item corners at random multiples of this many pixels (that of the scenes)
     */
    public record Options(int dim, int depth, int heads, int mlpRatio, int epochs, int batchSize, double lr,
                          PatchVit.Pooling pooling, double itemScale, int placement) {
        /** Items placed at any pixel. */
        public Options(int dim, int depth, int heads, int mlpRatio, int epochs, int batchSize, double lr,
                       PatchVit.Pooling pooling, double itemScale) {
            this(dim, depth, heads, mlpRatio, epochs, batchSize, lr, pooling, itemScale, 1);
        }

        public Options {
            if (placement < 1) {
                throw new IllegalArgumentException("placement must be >= 1 pixel, got " + placement);
            }
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
        float[] raw = new float[train.pixelsPerImage()];
        // a new placement stream every epoch, drawn in batch order
        SplittableRandom[] place = {new SplittableRandom(seed * 1_000_003L)};
        Batches<int[]> batches = new Batches<>() {
            @Override
            public int size(int[] idx) {
                return idx.length;
            }

            @Override
            public Tensor input(int[] idx, TensorBackend backend) {
                float[] canvas = new float[idx.length * height * width];
                for (int i = 0; i < idx.length; i++) {
                    train.copyPixels(idx[i], raw, 0);
                    float[] item = SceneSet.scale(raw, train.height(), train.width(), ih, iw);
                    int y0 = SceneSet.position(place[0], height - ih, o.placement());
                    int x0 = SceneSet.position(place[0], width - iw, o.placement());
                    for (int y = 0; y < ih; y++) {
                        System.arraycopy(item, y * iw, canvas, i * height * width + (y0 + y) * width + x0, iw);
                    }
                }
                return backend.tensor(canvas, idx.length, 1, height, width);
            }

            @Override
            public Tensor target(int[] idx, TensorBackend backend) {
                long[] labels = new long[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    labels[i] = train.label(idx[i]);
                }
                return backend.tensor(labels, idx.length);
            }
        };
        try {
            SceneTraining.fit(vit, b, batches, Loss.crossEntropy(), train.size(), o.epochs(), o.batchSize(), o.lr(),
                    0.05, seed, listener, epoch -> place[0] = new SplittableRandom(seed * 1_000_003L + epoch));
        } catch (RuntimeException e) {
            vit.close();
            throw e;
        }
        vit.eval();
        return vit;
    }
}
