package io.tessera.plugin.dcd;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.training.OptimizerOptions;
import io.tessera.training.ScheduleOptions;
import io.tessera.training.Trainer;
import io.tessera.training.TrainingOptions;
import io.tessera.training.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;
import org.apiguardian.api.API;

/**
 * The teacher's image stem (docs/methods/dcd.md, "Teacher"): a small convolutional classifier of single items
 * (conv 3×3 → ReLU → max-pool, twice, then a hidden linear layer with ReLU and a class head), pretrained on the
 * training composites' items (training-split items only) by the training module's {@link Trainer}. Its hidden
 * features, one vector per item, become the cross-encoder's image tokens, in the role of the pretrained vision
 * backbone of DCD's METER teacher.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ItemStem extends Module {
    private final int height;
    private final int width;
    private final int hidden;
    private final int channels;
    private final int classes;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc1;
    private final Linear head;

    /** A stem for {@code height × width} single-channel items (multiples of 4) and {@code classes} classes. */
    public ItemStem(TensorBackend b, int height, int width, int channels, int hidden, int classes, Generator gen) {
        if (height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0 || channels < 1 || hidden < 1
                || classes < 2) {
            throw new IllegalArgumentException("ItemStem: items " + height + "x" + width + " need sides that are"
                    + " multiples of 4, and channels (" + channels + "), hidden (" + hidden + ") >= 1, classes ("
                    + classes + ") >= 2");
        }
        this.height = height;
        this.width = width;
        this.hidden = hidden;
        this.channels = channels;
        this.classes = classes;
        this.conv1 = registerModule("conv1", Conv2d.builder(b, 1, channels, 3).padding(1).generator(gen).build());
        this.conv2 = registerModule("conv2", Conv2d.builder(b, channels, 2 * channels, 3).padding(1).generator(gen)
                .build());
        this.fc1 = registerModule("fc1", new Linear(b, 2 * channels * (height / 4) * (width / 4), hidden, gen));
        this.head = registerModule("head", new Linear(b, hidden, classes, gen));
    }

    /** Hidden features {@code [n, hidden]} of items {@code [n, 1, h, w]}. */
    public Tensor features(Tensor items) {
        if (items.rank() != 4 || items.size(1) != 1 || items.size(2) != height || items.size(3) != width) {
            throw new IllegalArgumentException("ItemStem: expected items [n, 1, " + height + ", " + width + "], got "
                    + items.shape());
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor h = pool.forward(conv1.forward(items).relu());
            h = pool.forward(conv2.forward(h).relu());
            return sc.keep(fc1.forward(h.flatten(1)).relu());
        }
    }

    /** Class logits {@code [n, classes]} (what pretraining minimises cross-entropy on). */
    @Override
    public Tensor forward(Tensor items) {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(head.forward(features(items)));
        }
    }

    /** Feature width. */
    public int hidden() {
        return hidden;
    }

    /** Channels of the first convolution (the second has twice as many). */
    public int channels() {
        return channels;
    }

    /** Classes of the pretraining head. */
    public int classes() {
        return classes;
    }

    /** Item height. */
    public int itemHeight() {
        return height;
    }

    /** Item width. */
    public int itemWidth() {
        return width;
    }

    /**
     * The items of {@code train} (every composite's {@link Composites#ITEMS} items, cut from the canvas, labelled
     * with their classes) as an image dataset.
     */
    static ArrayImageDataset items(Composites train) {
        int h = train.height();
        int iw = train.width() / Composites.ITEMS;
        int n = train.size() * Composites.ITEMS;
        byte[] px = new byte[n * h * iw];
        int[] labels = new int[n];
        float[] canvas = train.pixels(train.all());
        int per = h * train.width();
        for (int i = 0; i < train.size(); i++) {
            for (int k = 0; k < Composites.ITEMS; k++) {
                int item = i * Composites.ITEMS + k;
                labels[item] = train.itemClass(i, k);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < iw; x++) {
                        float v = canvas[i * per + y * train.width() + k * iw + x];
                        px[(item * h + y) * iw + x] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                    }
                }
            }
        }
        return new ArrayImageDataset(train.name() + " items", px, labels, 1, h, iw, train.classNames());
    }

    /**
     * Pretrains a stem on the items of {@code train}: Adam, cosine schedule, {@code epochs} epochs of {@code batch}
     * items. Returns the stem (train mode left to the caller) and the training result.
     */
    static TrainingResult pretrain(ItemStem stem, TensorBackend b, Composites train, int epochs, int batch,
                                   double lr, long seed, BooleanSupplier cancelled) {
        TrainingOptions o = TrainingOptions.defaults().withEpochs(epochs).withBatchSize(batch)
                .withOptimizer(OptimizerOptions.adam(lr)).withSchedule(ScheduleOptions.cosine());
        try {
            return Trainer.forImages(stem, b).options(o).seed(seed).cancelled(cancelled).build()
                    .fit(DataLoader.ofImages(items(train)), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String extraRepr() {
        return height + "x" + width + ", hidden " + hidden;
    }
}
