package io.tessera.plugin.dwff;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.ModuleList;
import io.tessera.api.nn.TransformerEncoderLayer;
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
 * A small ViT encoder for the scene task, the stand-in for DWFF-Net's frozen DINOv3 (spec §2): 16×16 patches
 * embedded by a strided convolution, a class token, learned position embeddings, pre-norm transformer blocks (GELU),
 * a final layer norm and a linear head used only for its pre-training, reading either the class token or the mean of
 * the patch tokens ({@link Pooling}). {@link #hiddenStates} returns what Hugging
 * Face calls {@code hidden_states} (index 0 the embedding output, index i the output of block i), and
 * {@link #levels} turns chosen depths into the decoder's inputs as spec §2 does: drop the class token, reshape the
 * patch tokens row-major to {@code [B, h, w, D]} and permute to {@code [B, D, h, w]}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PatchVit extends Module {
    /** Patch side. */
    public static final int PATCH = 16;

    /** What the pre-training head reads. */
    public enum Pooling {
        /** The class token (ViT-B/16 style). */
        CLS,
        /**
         * The mean of the patch tokens (global average pooling): every patch token then has to carry the class
         * evidence of what it covers, which is what a segmentation decoder reads from the frozen levels.
         */
        MEAN
    }

    private final int height;
    private final int width;
    private final int dim;
    private final Conv2d patchEmbed;
    private final Tensor clsToken;
    private final Tensor posEmbed;
    private final ModuleList<TransformerEncoderLayer> blocks;
    private final LayerNorm norm;
    private final Linear head;
    private final Pooling pooling;

    /** A ViT whose head reads the class token; see the full constructor. */
    public PatchVit(TensorBackend b, int height, int width, int dim, int depth, int heads, int mlpRatio, int classes,
                    Generator gen) {
        this(b, height, width, dim, depth, heads, mlpRatio, classes, Pooling.CLS, gen);
    }

    /**
     * A ViT for {@code height × width} single-channel images (multiples of 16) with {@code depth} blocks of width
     * {@code dim}, {@code heads} heads and an MLP of {@code mlpRatio·dim}, classifying into {@code classes} from the
     * normalised token(s) chosen by {@code pooling}.
     */
    public PatchVit(TensorBackend b, int height, int width, int dim, int depth, int heads, int mlpRatio, int classes,
                    Pooling pooling, Generator gen) {
        if (height % PATCH != 0 || width % PATCH != 0 || height < PATCH || width < PATCH) {
            throw new IllegalArgumentException("PatchVit: image " + height + "x" + width + " must have sides that are"
                    + " positive multiples of the patch " + PATCH);
        }
        if (depth < 1 || dim < 1 || heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("PatchVit: need depth >= 1 and dim (" + dim + ") divisible by heads ("
                    + heads + ")");
        }
        this.height = height;
        this.width = width;
        this.dim = dim;
        this.pooling = java.util.Objects.requireNonNull(pooling, "pooling");
        int tokens = (height / PATCH) * (width / PATCH) + 1;
        this.clsToken = registerParameter("cls_token", gen.normal(b, Shape.of(1, 1, dim), 0, 0.02));
        this.posEmbed = registerParameter("pos_embed", gen.normal(b, Shape.of(1, tokens, dim), 0, 0.02));
        this.patchEmbed = registerModule("patch_embed", Conv2d.builder(b, 1, dim, PATCH).stride(PATCH)
                .generator(gen).build());
        List<TransformerEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            layers.add(TransformerEncoderLayer.builder(b, dim, heads).dimFeedforward(mlpRatio * dim)
                    .activation(TransformerEncoderLayer.Activation.GELU).normFirst(true).batchFirst(true)
                    .dropout(0).generator(gen).build());
        }
        this.blocks = registerModule("blocks", new ModuleList<>(layers));
        this.norm = registerModule("norm", new LayerNorm(b, dim));
        this.head = registerModule("head", new Linear(b, dim, classes, gen));
    }

    /** Image height this encoder's position embeddings fit. */
    public int height() {
        return height;
    }

    /** Image width. */
    public int width() {
        return width;
    }

    /** Token width D. */
    public int dim() {
        return dim;
    }

    /** Number of transformer blocks. */
    public int depth() {
        return blocks.size();
    }

    /** What the head reads. */
    public Pooling pooling() {
        return pooling;
    }

    /**
     * Class logits (pre-training objective) from the normalised class token, or from the mean of the normalised
     * patch tokens ({@link Pooling#MEAN}).
     */
    @Override
    public Tensor forward(Tensor images) {
        try (TensorScope sc = Tensors.scope()) {
            List<Tensor> hs = hiddenStates(images);
            Tensor normed = norm.forward(hs.get(hs.size() - 1));
            long patches = normed.size(1) - 1;
            Tensor pooled = pooling == Pooling.CLS ? normed.narrow(1, 0, 1).reshape(images.size(0), dim)
                    : normed.narrow(1, 1, patches).mean(new int[] {1}, false);
            return sc.keep(head.forward(pooled));
        }
    }

    /** {@code depth + 1} tensors {@code [B, 1 + h·w, D]}: the embedding output, then each block's output. */
    public List<Tensor> hiddenStates(Tensor images) {
        if (images.rank() != 4 || images.size(1) != 1 || images.size(2) != height || images.size(3) != width) {
            throw new IllegalArgumentException("PatchVit: expected images [B, 1, " + height + ", " + width + "], got "
                    + images.shape());
        }
        long b = images.size(0);
        Tensor patches = patchEmbed.forward(images).flatten(2).transpose(1, 2); // [B, h·w, D]
        Tensor cls = clsToken.expand(Shape.of(b, 1, dim));
        Tensor x = Tensors.concat(List.of(cls, patches), 1).add(posEmbed);
        List<Tensor> out = new ArrayList<>();
        out.add(x);
        for (TransformerEncoderLayer block : blocks.asList()) {
            x = block.forward(x);
            out.add(x);
        }
        return out;
    }

    /**
     * The decoder's levels at hidden-state indices {@code layers} (0 the embedding, i block i, negative from the end
     * as in Python: -1 is the last block), each {@code [B, D, H/16, W/16]} (spec §2).
     */
    public List<Tensor> levels(Tensor images, int[] layers) {
        List<Tensor> hs = hiddenStates(images);
        int h = height / PATCH;
        int w = width / PATCH;
        List<Tensor> out = new ArrayList<>();
        for (int layer : layers) {
            int i = layer < 0 ? hs.size() + layer : layer;
            if (i < 0 || i >= hs.size()) {
                throw new IllegalArgumentException("hidden state " + layer + " does not exist; this ViT has "
                        + hs.size() + " (0 = embedding, 1.." + (hs.size() - 1) + " = blocks, or -1, -2, ...)");
            }
            Tensor tokens = hs.get(i);
            out.add(tokens.narrow(1, 1, (long) h * w).reshape(images.size(0), h, w, dim).permute(0, 3, 1, 2));
        }
        return out;
    }

    /** Checks hidden-state indices against this encoder's depth without running it. */
    public void checkLayers(int[] layers) {
        for (int layer : layers) {
            int i = layer < 0 ? depth() + 1 + layer : layer;
            if (i < 0 || i > depth()) {
                throw new IllegalArgumentException("hidden state " + layer + " does not exist; this ViT has "
                        + (depth() + 1) + " (0 = embedding, 1.." + depth() + " = blocks, or -1, -2, ...)");
            }
        }
    }

    @Override
    protected String extraRepr() {
        return height + "x" + width + ", patch " + PATCH + ", dim " + dim + ", depth " + depth() + ", head on "
                + pooling;
    }

}
