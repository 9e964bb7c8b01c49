package io.tessera.training.models;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * The reference CNN: conv {@code C→c1} 3×3 pad 1, ReLU, max-pool 2; conv {@code c1→c2} 3×3 pad 1, ReLU, max-pool 2;
 * linear {@code c2·(H/4)·(W/4)→hidden}, ReLU; linear {@code hidden→classes}. With the default widths (32, 64, 128)
 * on 28×28 grey images and 10 classes it has 421,642 parameters, as the PyTorch peer's. Parameter names are
 * PyTorch's ({@code conv1.weight}, ..., {@code fc2.bias}).
 *
 * <p><b>Initialisation</b> from one seed: the layers are drawn in the order conv1, conv2, fc1, fc2 from
 * {@code Generator(seed)}. A {@link Replacement} may then swap either convolution for another layer (FDConv, CondConv,
 * ...), drawing what it needs from a second generator derived from the seed; the untouched layers keep their weights,
 * so every variant of one seed shares them.
 *
 * <pre>{@code
 * ReferenceCnn plain = ReferenceCnn.builder(backend, 7).build();                       // 1×28×28, 10 classes
 * ReferenceCnn small = ReferenceCnn.builder(backend, 7).widths(8, 16, 32).build();
 * ReferenceCnn fd = ReferenceCnn.builder(backend, 7).replace((name, conv, g) -> name.equals("conv2")
 *         ? FDConv2d.fromConv2d(conv).generator(g).build() : conv).build();
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ReferenceCnn extends Module {

    /** The names of the two convolutions, in order. */
    public static final List<String> CONVOLUTIONS = List.of("conv1", "conv2");

    /** Replaces a convolution of a freshly initialised network. */
    @FunctionalInterface
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public interface Replacement {
        /**
         * The layer to use in place of {@code initial}: {@code initial} itself to keep it, or a new layer with the same
         * input and output channels and spatial arithmetic (3×3, padding 1), in which case the builder closes
         * {@code initial}.
         *
         * @param name      {@code conv1} or {@code conv2}
         * @param initial   the plain convolution as initialised from the seed
         * @param generator draws the new layer's extra parameters (shared by both convolutions, conv1 first)
         */
        Module replace(String name, Conv2d initial, Generator generator);
    }

    private final Module conv1;
    private final Module conv2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc1;
    private final Linear fc2;

    private ReferenceCnn(Builder b) {
        if (b.height < 4 || b.width < 4) {
            throw new IllegalArgumentException("the reference CNN needs images of at least 4×4 pixels, got "
                    + b.height + "×" + b.width);
        }
        Generator g = new Generator(b.seed);
        Conv2d plain1 = Conv2d.builder(b.backend, b.channels, b.c1, 3).padding(1).generator(g).build();
        Conv2d plain2 = Conv2d.builder(b.backend, b.c1, b.c2, 3).padding(1).generator(g).build();
        int features = Math.toIntExact((long) b.c2 * (b.height / 4) * (b.width / 4));
        Linear l1 = new Linear(b.backend, features, b.hidden, g);
        Linear l2 = new Linear(b.backend, b.hidden, b.classes, g);
        Generator extra = new Generator(new SplittableRandom(b.seed).split().nextLong());
        conv1 = registerModule("conv1", replaced("conv1", plain1, b.replacement, extra));
        conv2 = registerModule("conv2", replaced("conv2", plain2, b.replacement, extra));
        fc1 = registerModule("fc1", l1);
        fc2 = registerModule("fc2", l2);
    }

    private static Module replaced(String name, Conv2d plain, Replacement r, Generator extra) {
        Module m = r.replace(name, plain, extra);
        if (m == null) {
            throw new IllegalStateException("the replacement of " + name + " returned null; return the convolution"
                    + " itself to keep it");
        }
        if (m != plain) {
            plain.close();
        }
        return m;
    }

    /** A network for 1×28×28 images and 10 classes with the default widths, initialised from {@code seed}. */
    public static Builder builder(TensorBackend backend, long seed) {
        return new Builder(backend, seed);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = pool.forward(conv1.forward(x).relu());
        h = pool.forward(conv2.forward(h).relu());
        return fc2.forward(fc1.forward(h.flatten(1)).relu());
    }

    /** The first convolution: a {@link Conv2d} unless replaced. */
    public Module conv1() {
        return conv1;
    }

    /** The second convolution: a {@link Conv2d} unless replaced. */
    public Module conv2() {
        return conv2;
    }

    /** Shape, widths and replacements of a {@link ReferenceCnn}. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public static final class Builder {
        private final TensorBackend backend;
        private final long seed;
        private int channels = 1;
        private int height = 28;
        private int width = 28;
        private int classes = 10;
        private int c1 = 32;
        private int c2 = 64;
        private int hidden = 128;
        private Replacement replacement = (name, conv, g) -> conv;

        private Builder(TensorBackend backend, long seed) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.seed = seed;
        }

        /** Images of {@code channels × height × width} (at least 4×4). */
        public Builder input(int channels, int height, int width) {
            if (channels < 1) {
                throw new IllegalArgumentException("channels must be >= 1, was " + channels);
            }
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        /** The number of classes, at least 1. */
        public Builder classes(int classes) {
            if (classes < 1) {
                throw new IllegalArgumentException("classes must be >= 1, was " + classes);
            }
            this.classes = classes;
            return this;
        }

        /** The output channels of conv1 and conv2 and the hidden width of fc1 (defaults 32, 64, 128). */
        public Builder widths(int c1, int c2, int hidden) {
            if (c1 < 1 || c2 < 1 || hidden < 1) {
                throw new IllegalArgumentException("widths must be >= 1, were " + c1 + ", " + c2 + ", " + hidden);
            }
            this.c1 = c1;
            this.c2 = c2;
            this.hidden = hidden;
            return this;
        }

        /** Replaces convolutions after initialisation (see {@link Replacement}). */
        public Builder replace(Replacement replacement) {
            this.replacement = Objects.requireNonNull(replacement, "replacement");
            return this;
        }

        /**
         * The network.
         *
         * @throws IllegalArgumentException for images smaller than 4×4, or as the replacement
         */
        public ReferenceCnn build() {
            return new ReferenceCnn(this);
        }
    }
}
