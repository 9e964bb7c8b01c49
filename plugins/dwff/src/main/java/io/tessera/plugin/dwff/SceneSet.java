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
     * @param itemScale factor in [1, 8] by which items are enlarged (bilinear) before they are placed: patch-16
     *                  tokens see a 28-pixel item at scale 1 as barely 2×2 patches, at scale 1.5 as about 2.6×2.6
     * @param placement item corners are drawn at random multiples of this many pixels (1: any pixel; 16: on the ViT
     *                  patch grid, so every 16×16 patch token sees the same piece of an item at the same offset)
     */
    public record Options(int height, int width, int minItems, int maxItems, double threshold, double itemScale,
                          int placement) {
        /** Items at their own size. */
        public Options(int height, int width, int minItems, int maxItems, double threshold) {
            this(height, width, minItems, maxItems, threshold, 1.0);
        }

        /** Items placed at any pixel. */
        public Options(int height, int width, int minItems, int maxItems, double threshold, double itemScale) {
            this(height, width, minItems, maxItems, threshold, itemScale, 1);
        }

        public Options {
            if (placement < 1 || placement > Math.min(height, width)) {
                throw new IllegalArgumentException("placement must be in [1, " + Math.min(height, width) + "] pixels"
                        + " (1: items anywhere, 16: on the patch grid), got " + placement);
            }
            if (!(itemScale >= 1 && itemScale <= 8)) {
                throw new IllegalArgumentException("item_scale must be in [1, 8], got " + itemScale);
            }
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
        int ih = scaledSide(source.height(), o.itemScale());
        int iw = scaledSide(source.width(), o.itemScale());
        if (ih > o.height() || iw > o.width()) {
            throw new IllegalArgumentException("items of " + source + " are " + ih + "x" + iw + " (scale "
                    + o.itemScale() + "), larger than the " + o.height() + "x" + o.width() + " canvas; use a larger"
                    + " canvas or a smaller item_scale");
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
        float[] raw = new float[source.pixelsPerImage()];
        for (int s = 0; s < count; s++) {
            int n = o.minItems() + rng.nextInt(o.maxItems() - o.minItems() + 1);
            int base = s * hw;
            for (int k = 0; k < n; k++) {
                int index = rng.nextInt(source.size());
                int cls = source.label(index) + 1;
                int y0 = position(rng, o.height() - ih, o.placement());
                int x0 = position(rng, o.width() - iw, o.placement());
                source.copyPixels(index, raw, 0);
                float[] item = scale(raw, source.height(), source.width(), ih, iw);
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

    /** A random multiple of {@code step} in {@code [0, free]} (the free room along one side). */
    static int position(SplittableRandom rng, int free, int step) {
        return rng.nextInt(free / step + 1) * step;
    }

    /** The side of an item of side {@code side} enlarged by {@code scale} (rounded). */
    static int scaledSide(int side, double scale) {
        return (int) Math.round(side * scale);
    }

    /**
     * An {@code h × w} image resized to {@code oh × ow} by bilinear interpolation with half-pixel centres (PyTorch's
     * {@code align_corners=False}, edges clamped); the image itself when the size does not change.
     */
    static float[] scale(float[] img, int h, int w, int oh, int ow) {
        if (oh == h && ow == w) {
            return img;
        }
        float[] out = new float[oh * ow];
        double sy = h / (double) oh;
        double sx = w / (double) ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double wy = fy - y0;
            for (int x = 0; x < ow; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double wx = fx - x0;
                double top = img[y0 * w + x0] * (1 - wx) + img[y0 * w + x1] * wx;
                double bottom = img[y1 * w + x0] * (1 - wx) + img[y1 * w + x1] * wx;
                out[y * ow + x] = (float) (top * (1 - wy) + bottom * wy);
            }
        }
        return out;
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
