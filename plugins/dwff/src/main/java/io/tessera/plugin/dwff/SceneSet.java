package io.tessera.plugin.dwff;

import io.tessera.api.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * Segmentation scenes built from real images: each scene is a grey canvas ({@code height × width}, multiples of the
 * ViT patch 16) holding several items of an MNIST-format dataset (Fashion-MNIST, MNIST) at random positions, and a
 * label map that gives every pixel the class of the item covering it (label {@code 1 + item class}) or background
 * (label 0). An item covers a pixel where its intensity reaches {@code threshold} and is the brightest item there, so
 * image and labels agree where items overlap. Scenes are a pure function of the source images, the options and the
 * seed; build training scenes from the training split and test scenes from the test split only.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SceneSet {
    /** Label of pixels that no item covers. */
    public static final int BACKGROUND = 0;

    private final String name;
    private final int height;
    private final int width;
    private final List<String> classNames;
    private final float[] pixels;
    private final byte[] labels;
    private final int size;

    private SceneSet(String name, int height, int width, List<String> classNames, float[] pixels, byte[] labels,
                     int size) {
        this.name = name;
        this.height = height;
        this.width = width;
        this.classNames = List.copyOf(classNames);
        this.pixels = pixels;
        this.labels = labels;
        this.size = size;
    }

    /**
     * Options of the scene generator.
     *
     * @param height    canvas height, a positive multiple of 16 and at least the item height
     * @param width     canvas width, a positive multiple of 16 and at least the item width
     * @param minItems  fewest items per scene, at least 1
     * @param maxItems  most items per scene
     * @param threshold intensity in (0, 1] from which an item's pixel is labelled with its class
     */
    public record Options(int height, int width, int minItems, int maxItems, double threshold) {
        public Options {
            if (height < 16 || width < 16 || height % 16 != 0 || width % 16 != 0) {
                throw new IllegalArgumentException("scene canvas " + height + "x" + width + " must have sides that"
                        + " are positive multiples of 16 (the ViT patch), e.g. 64x64");
            }
            if (minItems < 1 || maxItems < minItems) {
                throw new IllegalArgumentException("items per scene must satisfy 1 <= min_items <= max_items, got "
                        + minItems + ".." + maxItems);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
            }
        }
    }

    /**
     * Builds {@code count} scenes from {@code source} (single-channel images); {@code seed} fixes every choice.
     */
    public static SceneSet generate(String name, ImageDataset source, int count, Options o, long seed) {
        Objects.requireNonNull(source, "source");
        if (source.channels() != 1) {
            throw new IllegalArgumentException("scenes need single-channel items, but " + source + " has "
                    + source.channels() + " channels");
        }
        if (source.height() > o.height() || source.width() > o.width()) {
            throw new IllegalArgumentException("items of " + source + " are " + source.height() + "x"
                    + source.width() + ", larger than the " + o.height() + "x" + o.width() + " canvas; use a larger"
                    + " canvas");
        }
        if (source.size() == 0) {
            throw new IllegalArgumentException("cannot build scenes from the empty dataset " + source);
        }
        if (source.numClasses() + 1 > 127) {
            throw new IllegalArgumentException(source + " has " + source.numClasses() + " classes; scenes"
                    + " hold at most 126");
        }
        if (count < 1 || (long) count * o.height() * o.width() > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("scene count " + count + " must be >= 1 and small enough to fit in"
                    + " memory at " + o.height() + "x" + o.width());
        }
        int hw = o.height() * o.width();
        float[] px = new float[count * hw];
        byte[] lab = new byte[count * hw];
        SplittableRandom rng = new SplittableRandom(seed);
        float[] item = new float[source.pixelsPerImage()];
        int ih = source.height();
        int iw = source.width();
        for (int s = 0; s < count; s++) {
            int n = o.minItems() + rng.nextInt(o.maxItems() - o.minItems() + 1);
            int base = s * hw;
            for (int k = 0; k < n; k++) {
                int index = rng.nextInt(source.size());
                int cls = source.label(index) + 1;
                int y0 = rng.nextInt(o.height() - ih + 1);
                int x0 = rng.nextInt(o.width() - iw + 1);
                source.copyPixels(index, item, 0);
                for (int y = 0; y < ih; y++) {
                    for (int x = 0; x < iw; x++) {
                        float v = item[y * iw + x];
                        int p = base + (y0 + y) * o.width() + x0 + x;
                        if (v > px[p]) {
                            px[p] = v;
                            if (v >= o.threshold()) {
                                lab[p] = (byte) cls;
                            }
                        }
                    }
                }
            }
        }
        List<String> names = new ArrayList<>();
        names.add("background");
        names.addAll(source.classNames());
        return new SceneSet(name, o.height(), o.width(), names, px, lab, count);
    }

    /** A name for logs ({@code fashion-mnist-train-scenes}). */
    public String name() {
        return name;
    }

    /** Number of scenes. */
    public int size() {
        return size;
    }

    /** Canvas height. */
    public int height() {
        return height;
    }

    /** Canvas width. */
    public int width() {
        return width;
    }

    /** Class names by label: {@code background}, then the source's classes. */
    public List<String> classNames() {
        return classNames;
    }

    /** Number of labels (background included). */
    public int numClasses() {
        return classNames.size();
    }

    /** The pixels of scenes {@code indices}, {@code [n, 1, H, W]} row-major, in [0, 1]. */
    public float[] pixels(int[] indices) {
        int hw = height * width;
        float[] out = new float[indices.length * hw];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, check(indices[i]) * hw, out, i * hw, hw);
        }
        return out;
    }

    /** The labels of scenes {@code indices}, {@code [n, H, W]} as int64 values. */
    public long[] labels(int[] indices) {
        int hw = height * width;
        long[] out = new long[indices.length * hw];
        for (int i = 0; i < indices.length; i++) {
            int base = check(indices[i]) * hw;
            for (int p = 0; p < hw; p++) {
                out[i * hw + p] = labels[base + p];
            }
        }
        return out;
    }

    /** The label map of one scene, {@code H·W} values. */
    public int[] labelMap(int index) {
        int hw = height * width;
        int base = check(index) * hw;
        int[] out = new int[hw];
        for (int p = 0; p < hw; p++) {
            out[p] = labels[base + p];
        }
        return out;
    }

    /** How many pixels of all scenes carry each label. */
    public long[] labelCounts() {
        long[] out = new long[numClasses()];
        for (int i = 0; i < size * height * width; i++) {
            out[labels[i]]++;
        }
        return out;
    }

    private int check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("scene " + index + " of " + size + " in " + name);
        }
        return index;
    }

    @Override
    public String toString() {
        return name + " (" + size + " scenes " + height + "x" + width + ", " + numClasses() + " labels)";
    }
}
