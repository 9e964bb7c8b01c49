package io.tessera.plugin.dcd;

import io.tessera.api.data.ImageDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * The image-text retrieval task of the DCD plugin, built from real images: each composite places two items of an
 * MNIST-format dataset (Fashion-MNIST) side by side on a {@code h × 2w} canvas, and its caption names them with a
 * spatial relation drawn from a few templates and a small vocabulary with synonyms ("a sandal to the left of a bag",
 * "the bag is right of the sandal"). Hard negatives exist naturally: the swapped order uses the same words, and
 * similar classes (shirt, t-shirt, pullover, coat; sandal, sneaker, boot) differ in small details.
 *
 * <p>Relevance for retrieval is semantic: a caption matches every composite with the same ordered pair
 * {@code (left class, right class)}, its {@link #key(int)}. Composites are a pure function of the source images,
 * the count and the seed; build training composites from the training split and test composites from the test
 * split only.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Composites {
    /** Token id of padding. */
    public static final int PAD = 0;
    /** Items per composite. */
    public static final int ITEMS = 2;

    /** Templates with {A} the left item and {B} the right one. */
    static final List<String> TEMPLATES = List.of(
            "a {A} to the left of a {B}",
            "a {A} left of a {B}",
            "the {B} is right of the {A}",
            "a {B} to the right of a {A}",
            "{A} on the left and {B} on the right",
            "the {A} is left of the {B}");

    /** Synonyms of the Fashion-MNIST classes; other datasets use their class names. */
    static final Map<String, List<String>> SYNONYMS = Map.of(
            "T-shirt/top", List.of("t-shirt", "tee", "top"),
            "Trouser", List.of("trousers", "pants"),
            "Pullover", List.of("pullover", "sweater"),
            "Dress", List.of("dress", "gown"),
            "Coat", List.of("coat", "jacket"),
            "Sandal", List.of("sandal"),
            "Shirt", List.of("shirt", "blouse"),
            "Sneaker", List.of("sneaker", "trainer"),
            "Bag", List.of("bag", "handbag"),
            "Ankle boot", List.of("boot", "bootie"));

    private final String name;
    private final int itemHeight;
    private final int itemWidth;
    private final List<String> classNames;
    private final Vocabulary vocab;
    private final float[] pixels;
    private final int[] classes;
    private final int[] tokens;
    private final int size;

    private Composites(String name, int itemHeight, int itemWidth, List<String> classNames, Vocabulary vocab,
                       float[] pixels, int[] classes, int[] tokens, int size) {
        this.name = name;
        this.itemHeight = itemHeight;
        this.itemWidth = itemWidth;
        this.classNames = List.copyOf(classNames);
        this.vocab = vocab;
        this.pixels = pixels;
        this.classes = classes;
        this.tokens = tokens;
        this.size = size;
    }

    /** The word list and the caption generator, shared by the training and test composites of one source. */
    public static final class Vocabulary {
        private final List<String> words = new ArrayList<>();
        private final Map<String, Integer> ids = new LinkedHashMap<>();
        private final List<List<String>> classWords = new ArrayList<>();
        private final int maxLength;

        /** The vocabulary of templates and class synonyms for {@code classNames}. */
        public Vocabulary(List<String> classNames) {
            add("<pad>");
            for (String t : TEMPLATES) {
                for (String w : t.split(" ")) {
                    if (!w.startsWith("{")) {
                        add(w);
                    }
                }
            }
            for (String c : classNames) {
                List<String> syn = SYNONYMS.getOrDefault(c,
                        List.of(c.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")));
                syn.forEach(this::add);
                classWords.add(syn);
            }
            int longest = 0;
            for (String t : TEMPLATES) {
                longest = Math.max(longest, t.split(" ").length);
            }
            this.maxLength = longest;
        }

        private void add(String w) {
            if (!ids.containsKey(w)) {
                ids.put(w, words.size());
                words.add(w);
            }
        }

        /** Number of token ids (padding included). */
        public int size() {
            return words.size();
        }

        /** Tokens per caption (captions are padded to this length). */
        public int maxLength() {
            return maxLength;
        }

        /** A caption for the ordered pair (left, right): a random template and random synonyms. */
        public int[] caption(int left, int right, SplittableRandom rng) {
            String t = TEMPLATES.get(rng.nextInt(TEMPLATES.size()));
            List<String> a = classWords.get(left);
            List<String> b = classWords.get(right);
            String[] parts = t.replace("{A}", a.get(rng.nextInt(a.size())))
                    .replace("{B}", b.get(rng.nextInt(b.size()))).split(" ");
            int[] out = new int[maxLength];
            for (int i = 0; i < parts.length; i++) {
                out[i] = ids.get(parts[i]);
            }
            return out;
        }

        /** The words of a token sequence, padding dropped. */
        public String text(int[] tokens, int offset) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < maxLength; i++) {
                int id = tokens[offset + i];
                if (id != PAD) {
                    b.append(b.isEmpty() ? "" : " ").append(words.get(id));
                }
            }
            return b.toString();
        }

        /** Every word, by token id. */
        public List<String> words() {
            return List.copyOf(words);
        }
    }

    /**
     * Builds {@code count} composites from {@code source} (single-channel images), each with one caption;
     * {@code seed} fixes every choice. {@code vocab} must be built from the source's class names.
     */
    public static Composites generate(String name, ImageDataset source, Vocabulary vocab, int count, long seed) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(vocab, "vocab");
        if (source.channels() != 1) {
            throw new IllegalArgumentException("composites need single-channel items, but " + source + " has "
                    + source.channels() + " channels");
        }
        if (source.size() == 0) {
            throw new IllegalArgumentException("cannot build composites from the empty dataset " + source);
        }
        if (count < 1 || (long) count * source.pixelsPerImage() * ITEMS > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("composite count " + count + " must be >= 1 and small enough to fit"
                    + " in memory");
        }
        int ih = source.height();
        int iw = source.width();
        int per = ih * iw * ITEMS;
        float[] px = new float[count * per];
        int[] cls = new int[count * ITEMS];
        int len = vocab.maxLength();
        int[] tok = new int[count * len];
        SplittableRandom rng = new SplittableRandom(seed);
        float[] item = new float[source.pixelsPerImage()];
        for (int s = 0; s < count; s++) {
            for (int k = 0; k < ITEMS; k++) {
                int index = rng.nextInt(source.size());
                cls[s * ITEMS + k] = source.label(index);
                source.copyPixels(index, item, 0);
                for (int y = 0; y < ih; y++) {
                    System.arraycopy(item, y * iw, px, s * per + y * iw * ITEMS + k * iw, iw);
                }
            }
            System.arraycopy(vocab.caption(cls[s * ITEMS], cls[s * ITEMS + 1], rng), 0, tok, s * len, len);
        }
        return new Composites(name, ih, iw, source.classNames(), vocab, px, cls, tok, count);
    }

    /** A name for logs. */
    public String name() {
        return name;
    }

    /** Number of composites (and captions). */
    public int size() {
        return size;
    }

    /** Canvas height. */
    public int height() {
        return itemHeight;
    }

    /** Canvas width (two items side by side). */
    public int width() {
        return itemWidth * ITEMS;
    }

    /** The source's class names. */
    public List<String> classNames() {
        return classNames;
    }

    /** The vocabulary and caption generator. */
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** The class of item {@code k} (0 left, 1 right) of composite {@code i}. */
    public int itemClass(int i, int k) {
        return classes[check(i) * ITEMS + k];
    }

    /** The relevance key of composite {@code i} and of its caption: {@code left · C + right}. */
    public int key(int i) {
        return itemClass(i, 0) * classNames.size() + itemClass(i, 1);
    }

    /** The pixels of composites {@code indices}, {@code [n, 1, H, W]} row-major, in [0, 1]. */
    public float[] pixels(int[] indices) {
        int per = height() * width();
        float[] out = new float[indices.length * per];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, check(indices[i]) * per, out, i * per, per);
        }
        return out;
    }

    /** The caption tokens of composites {@code indices}, {@code [n, L]} as int64 values. */
    public long[] tokens(int[] indices) {
        int len = vocab.maxLength();
        long[] out = new long[indices.length * len];
        for (int i = 0; i < indices.length; i++) {
            int base = check(indices[i]) * len;
            for (int j = 0; j < len; j++) {
                out[i * len + j] = tokens[base + j];
            }
        }
        return out;
    }

    /** The caption of composite {@code i}. */
    public String caption(int i) {
        return vocab.text(tokens, check(i) * vocab.maxLength());
    }

    /** The indices {@code 0..size-1}. */
    public int[] all() {
        int[] out = new int[size];
        Arrays.setAll(out, i -> i);
        return out;
    }

    private int check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("composite " + index + " of " + size + " in " + name);
        }
        return index;
    }

    @Override
    public String toString() {
        return name + " (" + size + " composites " + height() + "x" + width() + ", vocabulary " + vocab.size() + ")";
    }
}
