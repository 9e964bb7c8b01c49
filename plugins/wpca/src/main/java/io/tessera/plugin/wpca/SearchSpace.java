package io.tessera.plugin.wpca;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apiguardian.api.API;

/**
 * The CPU-sized search space of spec §6 (the official space, §3, scaled down): encoders over the 28 rows of a
 * Fashion-MNIST image (28 tokens of 28 pixels), model width {@code hidden}, {@code heads} heads, {@code maxLayers}
 * layer slots. A slot's gene is a block index {@code type × |widths| + width index} ({@link BlockType#BERT} blocks
 * first, then bottleneck blocks) or {@link #skip()} (no layer in this slot); a candidate is legal when it has at least
 * {@code minLayers} layers and at most {@code paramCap} encoder parameters (the official {@code max_params} rule).
 *
 * @param seqLen    tokens per sequence (image rows)
 * @param tokenDim  features per token (image columns)
 * @param classes   output classes
 * @param hidden    model width
 * @param heads     attention heads (the bottleneck blocks use the same number on half the width)
 * @param minLayers fewest layers of a legal candidate
 * @param maxLayers layer slots
 * @param widths    FFN inner widths of the blocks
 * @param paramCap  largest legal encoder parameter count ({@link #params})
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record SearchSpace(int seqLen, int tokenDim, int classes, int hidden, int heads, int minLayers, int maxLayers,
        List<Integer> widths, long paramCap) {

    public SearchSpace {
        widths = List.copyOf(widths);
        if (hidden < 2 || hidden % 2 != 0 || heads < 1 || (hidden / 2) % heads != 0) {
            throw new IllegalArgumentException("search space: hidden " + hidden + " must be even and hidden/2 divisible"
                    + " by heads " + heads + " (the bottleneck blocks attend on hidden/2)");
        }
        if (minLayers < 1 || maxLayers < minLayers) {
            throw new IllegalArgumentException("search space: need 1 <= min_layers <= max_layers, got " + minLayers
                    + ", " + maxLayers);
        }
        if (widths.isEmpty() || widths.stream().anyMatch(w -> w < 1)) {
            throw new IllegalArgumentException("search space: FFN widths must be a non-empty list of positive sizes,"
                    + " got " + widths);
        }
        if (seqLen < 1 || tokenDim < 1 || classes < 2) {
            throw new IllegalArgumentException("search space: sequence " + seqLen + "x" + tokenDim + " and " + classes
                    + " classes are not a classification task");
        }
    }

    /**
     * Spec §6 on Fashion-MNIST rows: width 32, 2 heads, 2–4 layers, FFN widths {16, 32, 48, 64, 96}, cap 35,000
     * encoder parameters (candidates range from 7,488 to 44,320, so the cap binds).
     */
    public static SearchSpace fashionRows() {
        return new SearchSpace(28, 28, 10, 32, 2, 2, 4, List.of(16, 32, 48, 64, 96), 35_000);
    }

    /** Number of block choices ({@code 2 × |widths|}). */
    public int blocks() {
        return 2 * widths.size();
    }

    /** The gene value of an empty slot ({@link #blocks()}). */
    public int skip() {
        return blocks();
    }

    /** Gene values per slot, skip included. */
    public int choices() {
        return blocks() + 1;
    }

    /** The architecture of a gene vector (any values; legality is {@link #isLegal}). */
    public Architecture decode(List<Integer> genes) {
        if (genes.size() != maxLayers) {
            throw new IllegalArgumentException("search space: " + genes.size() + " genes for " + maxLayers
                    + " layer slots");
        }
        List<Architecture.Layer> layers = new ArrayList<>();
        for (int g : genes) {
            if (g < 0 || g > skip()) {
                throw new IllegalArgumentException("search space: gene " + g + " is not in [0, " + skip() + "]");
            }
            if (g != skip()) {
                layers.add(new Architecture.Layer(g < widths.size() ? BlockType.BERT : BlockType.BOTTLENECK,
                        widths.get(g % widths.size())));
            }
        }
        return new Architecture(genes, layers);
    }

    /** Whether {@code a} has enough layers and at most {@code paramCap} encoder parameters. */
    public boolean isLegal(Architecture a) {
        return a.layers().size() >= minLayers && params(a) <= paramCap;
    }

    /**
     * Encoder parameters (what W-PCA multiplies, spec §2 step 5: embeddings and every Linear, attention and LayerNorm
     * of the blocks; the classifier head and its norm are left out), counted from the shapes of
     * {@link EncoderClassifier}.
     */
    public long params(Architecture a) {
        long h = hidden;
        long n = tokenDim * h + h + (long) seqLen * h; // token projection, position embedding
        for (Architecture.Layer l : a.layers()) {
            long f = l.ffn();
            if (l.type() == BlockType.BERT) {
                n += attention(h) + 2 * h + (h * f + f) + (f * h + h) + 2 * h;
            } else {
                long i = h / 2;
                n += (h * i + i) + attention(i) + 2 * i + (i * f + f) + (f * i + i) + 2 * i + (i * h + h) + 2 * h;
            }
        }
        return n;
    }

    private static long attention(long e) {
        return 4 * e * e + 4 * e;
    }

    /** A gene vector drawn uniformly from {@code [low, high]} per slot (the official {@code get_random}). */
    public List<Integer> randomGenes(Random r, int low, int high) {
        List<Integer> g = new ArrayList<>();
        for (int i = 0; i < maxLayers; i++) {
            g.add(low + r.nextInt(high - low + 1));
        }
        return g;
    }
}
