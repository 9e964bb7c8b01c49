package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * The reference CNN of the project's training checks (conv 1→32 3×3 pad 1, ReLU, max-pool 2; conv 32→64 3×3 pad 1,
 * ReLU, max-pool 2; linear 3136→128, ReLU; linear 128→classes, for 28×28 grey images), with any of its two
 * convolutions replaced by {@link FDConv2d} or {@link CondConv2d}. Parameter names are PyTorch's ({@code conv1.weight},
 * {@code conv2.dft_weight}, {@code conv2.KSM_Global.fc.weight}, {@code fc1.bias}, ...).
 *
 * <p><b>Initialisation</b> from one seed: the plain layers are drawn first, in the order conv1, conv2, fc1, fc2 from
 * {@code Generator(seed)}, exactly as {@code core/train}'s {@code cnn-small}, so the plain variant equals that model
 * and every variant shares the same linear layers (and the same untouched convolution). A replaced convolution then
 * takes its extra parameters from a second generator derived from the seed: FDConv converts the plain convolution's
 * initial kernel to the Fourier form (spec §4, as the official layer initialises itself), CondConv draws its
 * {@code K} expert kernels afresh.
 *
 * <p>FDConv needs {@code min(Cin, Cout) > use_fdconv_if_c_gt} (16 by default): on a grey input {@code conv1} (1→32)
 * stays a plain convolution inside its {@link FDConv2d} (spec §3), as in the official code.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ReferenceCnn extends Module {

    /** The convolutions that can be replaced. */
    public static final List<String> CONVOLUTIONS = List.of("conv1", "conv2");

    /** What a replaced convolution becomes. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Layer {
        /** No replacement: the reference CNN itself. */
        PLAIN,
        /** {@link FDConv2d}, converted from the plain convolution's initial kernel. */
        FDCONV,
        /** {@link CondConv2d} with {@code experts} full kernels. */
        CONDCONV;

        /** The name pipelines use: {@code plain}, {@code fdconv}, {@code condconv}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Which convolutions become which layer.
     *
     * @param layer   the replacement layer
     * @param replace the convolutions to replace, among {@link #CONVOLUTIONS}; ignored for {@link Layer#PLAIN}
     * @param fdconv  the FDConv hyperparameters
     * @param experts the number of CondConv kernels
     * @param routing the CondConv routing
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Variant(Layer layer, Set<String> replace, FDConvOptions fdconv, int experts,
                          CondConv2d.Routing routing) {
        public Variant {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(fdconv, "fdconv");
            Objects.requireNonNull(routing, "routing");
            replace = Set.copyOf(replace);
            for (String r : replace) {
                if (!CONVOLUTIONS.contains(r)) {
                    throw new IllegalArgumentException("replace names '" + r + "', but the reference CNN's"
                            + " convolutions are " + CONVOLUTIONS);
                }
            }
            if (experts < 1) {
                throw new IllegalArgumentException("experts must be >= 1, was " + experts);
            }
        }

        /** The reference CNN without replacement. */
        public static Variant plain() {
            return new Variant(Layer.PLAIN, Set.of(), FDConvOptions.defaults(), 4, CondConv2d.Routing.SIGMOID);
        }

        /** Whether convolution {@code name} is replaced. */
        public boolean replaces(String name) {
            return layer != Layer.PLAIN && replace.contains(name);
        }
    }

    private final Module conv1;
    private final Module conv2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc1;
    private final Linear fc2;

    /**
     * A freshly initialised network for images of {@code channels × height × width} and {@code classes} classes.
     *
     * @throws IllegalArgumentException for images smaller than 4×4 or an FDConv configuration the layer refuses
     */
    public ReferenceCnn(TensorBackend b, long seed, int channels, int height, int width, int classes, Variant v) {
        if (height < 4 || width < 4) {
            throw new IllegalArgumentException("the reference CNN needs images of at least 4×4 pixels, got " + height
                    + "×" + width);
        }
        Generator g = new Generator(seed);
        Conv2d plain1 = Conv2d.builder(b, channels, 32, 3).padding(1).generator(g).build();
        Conv2d plain2 = Conv2d.builder(b, 32, 64, 3).padding(1).generator(g).build();
        Linear l1 = new Linear(b, 64 * (height / 4) * (width / 4), 128, g);
        Linear l2 = new Linear(b, 128, classes, g);
        Generator extra = new Generator(new SplittableRandom(seed).split().nextLong());
        conv1 = registerModule("conv1", replaced(plain1, "conv1", v, extra));
        conv2 = registerModule("conv2", replaced(plain2, "conv2", v, extra));
        fc1 = registerModule("fc1", l1);
        fc2 = registerModule("fc2", l2);
    }

    private static Module replaced(Conv2d plain, String name, Variant v, Generator extra) {
        if (!v.replaces(name)) {
            return plain;
        }
        try (plain) {
            return switch (v.layer()) {
                case FDCONV -> FDConv2d.fromConv2d(plain).options(v.fdconv()).generator(extra).build();
                case CONDCONV -> CondConv2d.builder(plain.weight().backend(), plain.inChannels(), plain.outChannels(),
                        plain.kernelSize()[0]).padding(plain.padding()[0]).experts(v.experts()).routing(v.routing())
                        .generator(extra).build();
                case PLAIN -> throw new IllegalStateException("unreachable: plain replaces nothing");
            };
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = pool.forward(conv1.forward(x).relu());
        h = pool.forward(conv2.forward(h).relu());
        return fc2.forward(fc1.forward(h.flatten(1)).relu());
    }

    /** The first convolution: a {@link Conv2d}, {@link FDConv2d} or {@link CondConv2d}. */
    public Module conv1() {
        return conv1;
    }

    /** The second convolution: a {@link Conv2d}, {@link FDConv2d} or {@link CondConv2d}. */
    public Module conv2() {
        return conv2;
    }
}
