package io.tessera.plugin.dcd;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Embedding;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.ModuleList;
import io.tessera.api.nn.TransformerEncoderLayer;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The teacher: a small cross-encoder in the role of DCD's fine-tuned METER (docs/methods/dcd.md, spec §2). Image
 * patch tokens (a strided convolution over {@code patch × patch} patches, plus learned positions) and word tokens
 * (embeddings plus learned positions) are concatenated after a class token and pass together through pre-norm
 * transformer layers, so every word attends to every patch and back (joint attention). The rank head, a linear layer
 * on the final class token, gives one matching score per (image, caption) pair. Padding words are masked out of the
 * attention. Every pair costs a full pass, which is what makes a cross-encoder slow at retrieval.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CrossEncoder extends Module {
    private final int height;
    private final int width;
    private final int patch;
    private final int dim;
    private final int maxLength;
    private final int vocabulary;
    private final int heads;
    private final Conv2d patchEmbed;
    private final ItemStem stem;
    private final Linear stemProjection;
    private final Embedding wordEmbed;
    private final Tensor clsToken;
    private final Tensor imagePos;
    private final Tensor textPos;
    private final ModuleList<TransformerEncoderLayer> layers;
    private final LayerNorm norm;
    private final Linear rankOutput;

    /**
     * A cross-encoder for {@code height × width} single-channel images (multiples of {@code patch}) and captions of
     * {@code maxLength} tokens from {@code vocabulary} ids, with {@code depth} layers of width {@code dim}.
     */
    public CrossEncoder(TensorBackend b, int height, int width, int patch, int vocabulary, int maxLength, int dim,
                        int depth, int heads, Generator gen) {
        this(b, height, width, patch, null, vocabulary, maxLength, dim, depth, heads, gen);
    }

    /**
     * A cross-encoder whose image tokens are the features of a pretrained {@link ItemStem}, one token per item (the
     * canvas is {@link Composites#ITEMS} items side by side), projected to {@code dim}; the stem stays frozen
     * ({@link #trainableParameters()} leaves it out and its features are computed without gradients).
     */
    public CrossEncoder(TensorBackend b, int height, int width, ItemStem stem, int vocabulary, int maxLength, int dim,
                        int depth, int heads, Generator gen) {
        this(b, height, width, stem.itemWidth(), stem, vocabulary, maxLength, dim, depth, heads, gen);
        if (stem.itemHeight() != height || stem.itemWidth() * Composites.ITEMS != width) {
            throw new IllegalArgumentException("CrossEncoder: a stem for " + stem.itemHeight() + "x"
                    + stem.itemWidth() + " items does not fit a " + height + "x" + width + " canvas of "
                    + Composites.ITEMS + " items");
        }
    }

    private CrossEncoder(TensorBackend b, int height, int width, int patch, ItemStem stem, int vocabulary,
                         int maxLength, int dim, int depth, int heads, Generator gen) {
        if (patch < 1 || height % patch != 0 || width % patch != 0) {
            throw new IllegalArgumentException("CrossEncoder: image " + height + "x" + width + " must have sides"
                    + " that are multiples of the patch " + patch);
        }
        if (depth < 1 || dim < 1 || heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("CrossEncoder: need depth >= 1 and dim (" + dim + ") divisible by"
                    + " heads (" + heads + ")");
        }
        this.height = height;
        this.width = width;
        this.patch = patch;
        this.dim = dim;
        this.maxLength = maxLength;
        this.vocabulary = vocabulary;
        this.heads = heads;
        int patches = (height / patch) * (width / patch);
        this.clsToken = registerParameter("cls_token", gen.normal(b, Shape.of(1, 1, dim), 0, 0.02));
        this.imagePos = registerParameter("image_pos", gen.normal(b, Shape.of(1, patches, dim), 0, 0.02));
        this.textPos = registerParameter("text_pos", gen.normal(b, Shape.of(1, maxLength, dim), 0, 0.02));
        if (stem == null) {
            this.patchEmbed = registerModule("patch_embed", Conv2d.builder(b, 1, dim, patch).stride(patch)
                    .generator(gen).build());
            this.stem = null;
            this.stemProjection = null;
        } else {
            this.patchEmbed = null;
            this.stem = registerModule("stem", stem);
            this.stemProjection = registerModule("stem_proj", new Linear(b, stem.hidden(), dim, gen));
        }
        this.wordEmbed = registerModule("word_embed", new Embedding(b, vocabulary, dim, gen));
        List<TransformerEncoderLayer> ls = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            ls.add(layer(b, dim, heads, gen));
        }
        this.layers = registerModule("cross_layers", new ModuleList<>(ls));
        this.norm = registerModule("norm", new LayerNorm(b, dim));
        this.rankOutput = registerModule("rank_output", new Linear(b, dim, 1, gen));
    }

    static TransformerEncoderLayer layer(TensorBackend b, int dim, int heads, Generator gen) {
        return TransformerEncoderLayer.builder(b, dim, heads).dimFeedforward(2 * dim)
                .activation(TransformerEncoderLayer.Activation.GELU).normFirst(true).batchFirst(true).dropout(0)
                .generator(gen).build();
    }

    /** Patch tokens of images {@code [n, 1, H, W]}: {@code [n, P, D]}, positions added. */
    public Tensor imageTokens(Tensor images) {
        if (images.rank() != 4 || images.size(1) != 1 || images.size(2) != height || images.size(3) != width) {
            throw new IllegalArgumentException("CrossEncoder: expected images [n, 1, " + height + ", " + width
                    + "], got " + images.shape());
        }
        try (TensorScope sc = Tensors.scope()) {
            if (stem == null) {
                return sc.keep(patchEmbed.forward(images).flatten(2).transpose(1, 2).add(imagePos));
            }
            long n = images.size(0);
            List<Tensor> items = new ArrayList<>();
            for (int k = 0; k < Composites.ITEMS; k++) {
                items.add(images.narrow(3, (long) k * patch, patch));
            }
            Tensor features;
            try (var ng = Autograd.noGrad()) {
                features = stem.features(Tensors.concat(items, 0));              // [ITEMS·n, hidden], item-major
            }
            Tensor perImage = features.reshape(Composites.ITEMS, n, stem.hidden()).transpose(0, 1); // [n, ITEMS, h]
            return sc.keep(stemProjection.forward(perImage).add(imagePos));
        }
    }

    /** The parameters that teacher training updates: all but the frozen stem's. */
    public List<Tensor> trainableParameters() {
        return without(parameters(), stem);
    }

    /** {@code all} without the parameters of {@code frozen} (all of them when it is null). */
    static List<Tensor> without(List<Tensor> all, Module frozen) {
        if (frozen == null) {
            return all;
        }
        java.util.Set<Tensor> skip = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        skip.addAll(frozen.parameters());
        return all.stream().filter(p -> !skip.contains(p)).toList();
    }

    /**
     * The smaller cross-encoder student of spec §2 (docs/methods/dcd.md, "Students"): {@code layers.length} cross
     * layers initialised by copying this model's layers {@code layers} (the official code copies teacher layers 0, 3
     * and 5 of 6), and copies of every other part (stem, token embeddings and positions, final norm, rank head). The
     * copy shares no tensor with this model; its stem stays frozen as the teacher's does.
     *
     * @throws IllegalArgumentException when {@code layers} is empty, not increasing or out of range
     */
    public CrossEncoder smallerCopy(TensorBackend b, int[] layers) {
        if (layers.length == 0) {
            throw new IllegalArgumentException("CrossEncoder.smallerCopy: name at least one teacher layer");
        }
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] < 0 || layers[i] >= depth() || (i > 0 && layers[i] <= layers[i - 1])) {
                throw new IllegalArgumentException("CrossEncoder.smallerCopy: teacher layers "
                        + java.util.Arrays.toString(layers) + " must be increasing indices in 0.." + (depth() - 1));
            }
        }
        Generator unused = new Generator(0);     // every tensor is overwritten by the copy below
        CrossEncoder out;
        if (stem == null) {
            out = new CrossEncoder(b, height, width, patch, vocabulary, maxLength, dim, layers.length, heads, unused);
        } else {
            ItemStem s = new ItemStem(b, stem.itemHeight(), stem.itemWidth(), stem.channels(), stem.hidden(),
                    stem.classes(), unused);
            out = new CrossEncoder(b, height, width, s, vocabulary, maxLength, dim, layers.length, heads, unused);
        }
        java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        String prefix = "cross_layers.";
        for (java.util.Map.Entry<String, Tensor> e : stateDict().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(prefix)) {
                state.put(key, e.getValue());
                continue;
            }
            int dot = key.indexOf('.', prefix.length());
            int from = Integer.parseInt(key.substring(prefix.length(), dot));
            for (int i = 0; i < layers.length; i++) {
                if (layers[i] == from) {
                    state.put(prefix + i + key.substring(dot), e.getValue());
                }
            }
        }
        out.loadStateDict(state, true);
        if (out.stem != null) {
            out.stem.eval();
        }
        return out;
    }

    /** The pretrained item stem, or null for patch tokens. */
    public ItemStem stem() {
        return stem;
    }

    /**
     * Matching scores {@code [n]} of image tokens {@code [n, P, D]} (from {@link #imageTokens}) with captions
     * {@code [n, L]} (int64 token ids, {@link Composites#PAD} padding).
     */
    public Tensor score(Tensor imageTokens, Tensor captions) {
        long n = imageTokens.size(0);
        if (captions.rank() != 2 || captions.size(0) != n || captions.size(1) != maxLength) {
            throw new IllegalArgumentException("CrossEncoder: expected captions [" + n + ", " + maxLength
                    + "], got " + captions.shape());
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor words = wordEmbed.forward(captions).add(textPos);
            Tensor x = Tensors.concat(List.of(clsToken.expand(Shape.of(n, 1, dim)), imageTokens, words), 1);
            long prefix = 1 + imageTokens.size(1);
            Tensor pad = Tensors.concat(List.of(captions.backend().zeros(Shape.of(n, prefix),
                    io.tessera.api.tensor.DType.BOOL), captions.eq(Composites.PAD)), 1);
            for (TransformerEncoderLayer l : layers.asList()) {
                x = l.forward(x, null, pad);
            }
            Tensor cls = norm.forward(x.narrow(1, 0, 1).reshape(n, dim));
            return sc.keep(rankOutput.forward(cls).reshape(n));
        }
    }

    /** A cross-encoder takes two inputs; use {@link #score(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("CrossEncoder scores (image, caption) pairs: call"
                + " score(imageTokens(images), captions)");
    }

    /** Caption length. */
    public int maxLength() {
        return maxLength;
    }

    /** Number of cross layers. */
    public int depth() {
        return layers.size();
    }

    @Override
    protected String extraRepr() {
        return height + "x" + width + (stem == null ? ", patch " + patch : ", item stem " + stem.hidden()) + ", dim " + dim + ", depth " + depth();
    }
}
