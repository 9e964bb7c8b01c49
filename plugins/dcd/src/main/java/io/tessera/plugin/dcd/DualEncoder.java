package io.tessera.plugin.dcd;

import io.tessera.api.nn.Embedding;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The student: a dual encoder, cheap at retrieval time (docs/methods/dcd.md). An image tower (a two-layer perceptron
 * over the whole canvas, so left and right stay apart) and a text tower (word embeddings plus learned position
 * embeddings, padding zeroed, concatenated in word order and mapped by a two-layer perceptron, so word order counts)
 * each map to an embedding; the score is
 * {@link CosineScores} {@code logit_scale · cos}. Gallery embeddings are computed once, so ranking {@code n}
 * candidates costs one query encoding and one matrix product instead of {@code n} cross-encoder passes.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class DualEncoder extends Module {
    private final int pixels;
    private final int maxLength;
    private final int dim;
    private final double logitScale;
    private final ItemStem stem;
    private final Linear img1;
    private final Linear img2;
    private final Embedding wordEmbed;
    private final Tensor textPos;
    private final Linear text1;
    private final Linear text2;

    /**
     * A student for images of {@code pixels} values and captions of {@code maxLength} ids below {@code vocabulary},
     * with hidden width {@code hidden} (both towers) and embeddings of {@code dim}, scored with
     * {@code logitScale · cos}.
     */
    public DualEncoder(TensorBackend b, int pixels, int vocabulary, int maxLength, int hidden, int dim,
                       double logitScale, Generator gen) {
        this(b, pixels, null, vocabulary, maxLength, hidden, dim, logitScale, gen);
    }

    /**
     * A student whose image tower reads the features of {@code stem} (a copy of the teacher's pretrained
     * {@link ItemStem}, frozen as the official student keeps the teacher's unimodal encoders frozen, spec §2), one
     * vector per item concatenated in canvas order, instead of the raw pixels. The student owns {@code stem}.
     */
    public DualEncoder(TensorBackend b, ItemStem stem, int vocabulary, int maxLength, int hidden, int dim,
                       double logitScale, Generator gen) {
        this(b, stem.itemHeight() * stem.itemWidth() * Composites.ITEMS, stem, vocabulary, maxLength, hidden, dim,
                logitScale, gen);
    }

    private DualEncoder(TensorBackend b, int pixels, ItemStem stem, int vocabulary, int maxLength, int hidden,
                        int dim, double logitScale, Generator gen) {
        if (pixels < 1 || maxLength < 1 || hidden < 1 || dim < 1 || !(logitScale > 0)) {
            throw new IllegalArgumentException("DualEncoder: need positive sizes and a positive logit scale, got"
                    + " hidden " + hidden + ", dim " + dim + ", logit scale " + logitScale);
        }
        this.pixels = pixels;
        this.maxLength = maxLength;
        this.dim = dim;
        this.logitScale = logitScale;
        this.stem = stem == null ? null : registerModule("image_stem", stem);
        int imageIn = stem == null ? pixels : Composites.ITEMS * stem.hidden();
        this.img1 = registerModule("image_fc1", new Linear(b, imageIn, hidden, gen));
        this.img2 = registerModule("image_fc2", new Linear(b, hidden, dim, gen));
        this.wordEmbed = registerModule("text_word_embed", new Embedding(b, vocabulary, dim, gen));
        this.textPos = registerParameter("text_pos", gen.normal(b, Shape.of(1, maxLength, dim), 0, 0.02));
        this.text1 = registerModule("text_fc1", new Linear(b, maxLength * dim, hidden, gen));
        this.text2 = registerModule("text_fc2", new Linear(b, hidden, dim, gen));
    }

    /** Image embeddings {@code [n, D]} of images {@code [n, 1, H, W]} (or {@code [n, H·W]}). */
    public Tensor encodeImages(Tensor images) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = images.reshape(images.size(0), pixels);
            if (stem != null) {
                x = stemFeatures(images);
            }
            return sc.keep(img2.forward(img1.forward(x).relu()));
        }
    }

    private Tensor stemFeatures(Tensor images) {
        long n = images.size(0);
        int iw = stem.itemWidth();
        Tensor canvas = images.reshape(n, 1, stem.itemHeight(), (long) iw * Composites.ITEMS);
        java.util.List<Tensor> items = new java.util.ArrayList<>();
        for (int k = 0; k < Composites.ITEMS; k++) {
            items.add(canvas.narrow(3, (long) k * iw, iw));
        }
        try (var ng = io.tessera.api.tensor.Autograd.noGrad()) {
            Tensor f = stem.features(Tensors.concat(items, 0));            // [ITEMS·n, h], item-major
            return f.reshape(Composites.ITEMS, n, stem.hidden()).transpose(0, 1)
                    .reshape(n, (long) Composites.ITEMS * stem.hidden());
        }
    }

    /** The parameters that student training updates: all but the frozen stem's. */
    public java.util.List<Tensor> trainableParameters() {
        return CrossEncoder.without(parameters(), stem);
    }

    /** Caption embeddings {@code [n, D]} of token ids {@code [n, L]} ({@link Composites#PAD} padding). */
    public Tensor encodeTexts(Tensor captions) {
        if (captions.rank() != 2 || captions.size(1) != maxLength) {
            throw new IllegalArgumentException("DualEncoder: expected captions [n, " + maxLength + "], got "
                    + captions.shape());
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = wordEmbed.forward(captions).add(textPos);                  // [n, L, D]
            Tensor keep = captions.ne(Composites.PAD).to(x.dtype()).unsqueeze(2); // [n, L, 1]
            Tensor flat = x.mul(keep).reshape(captions.size(0), (long) maxLength * dim);
            return sc.keep(text2.forward(text1.forward(flat).relu()));
        }
    }

    /** The score scale. */
    public double logitScale() {
        return logitScale;
    }

    /** Embedding width. */
    public int dim() {
        return dim;
    }

    /** Caption length. */
    public int maxLength() {
        return maxLength;
    }

    /** A dual encoder takes two inputs; use {@link #encodeImages} and {@link #encodeTexts}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("DualEncoder encodes images and captions separately: call"
                + " encodeImages(images) and encodeTexts(captions)");
    }

    @Override
    protected String extraRepr() {
        return (stem == null ? pixels + " pixels" : "teacher stem " + stem.hidden()) + ", dim " + dim + ", logit scale " + logitScale;
    }
}
