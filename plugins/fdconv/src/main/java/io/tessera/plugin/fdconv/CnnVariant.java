package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.training.models.ReferenceCnn;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Which convolutions of the training module's {@link ReferenceCnn} become {@link FDConv2d} or {@link CondConv2d}: a
 * {@link ReferenceCnn.Replacement}. The reference CNN draws its plain layers from the seed first (conv1, conv2, fc1,
 * fc2, exactly as {@code core/train}'s {@code cnn-small}), so every variant of one seed shares the linear layers and
 * the untouched convolution; a replaced convolution takes its extra parameters from the network's second generator:
 * FDConv converts the plain convolution's initial kernel to the Fourier form (spec §4, as the official layer
 * initialises itself), CondConv draws its {@code K} expert kernels afresh.
 *
 * <p>FDConv needs {@code min(Cin, Cout) > use_fdconv_if_c_gt} (16 by default): on a grey input {@code conv1} (1→32)
 * stays a plain convolution inside its {@link FDConv2d} (spec §3), as in the official code.
 *
 * @param layer   the replacement layer
 * @param replace the convolutions to replace, among {@link ReferenceCnn#CONVOLUTIONS}; ignored for
 *                {@link Layer#PLAIN}
 * @param fdconv  the FDConv hyperparameters
 * @param experts the number of CondConv kernels
 * @param routing the CondConv routing
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record CnnVariant(Layer layer, Set<String> replace, FDConvOptions fdconv, int experts,
                         CondConv2d.Routing routing) implements ReferenceCnn.Replacement {

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

    public CnnVariant {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(fdconv, "fdconv");
        Objects.requireNonNull(routing, "routing");
        replace = Set.copyOf(replace);
        for (String r : replace) {
            if (!ReferenceCnn.CONVOLUTIONS.contains(r)) {
                throw new IllegalArgumentException("replace names '" + r + "', but the reference CNN's"
                        + " convolutions are " + ReferenceCnn.CONVOLUTIONS);
            }
        }
        if (experts < 1) {
            throw new IllegalArgumentException("experts must be >= 1, was " + experts);
        }
    }

    /** The reference CNN without replacement. */
    public static CnnVariant plain() {
        return new CnnVariant(Layer.PLAIN, Set.of(), FDConvOptions.defaults(), 4, CondConv2d.Routing.SIGMOID);
    }

    /** Whether convolution {@code name} is replaced. */
    public boolean replaces(String name) {
        return layer != Layer.PLAIN && replace.contains(name);
    }

    /**
     * A freshly initialised reference CNN of this variant for images of {@code channels × height × width} and
     * {@code classes} classes.
     *
     * @throws IllegalArgumentException for images smaller than 4×4 or an FDConv configuration the layer refuses
     */
    public ReferenceCnn build(TensorBackend b, long seed, int channels, int height, int width, int classes) {
        return ReferenceCnn.builder(b, seed).input(channels, height, width).classes(classes).replace(this).build();
    }

    @Override
    public Module replace(String name, Conv2d plain, Generator extra) {
        if (!replaces(name)) {
            return plain;
        }
        return switch (layer) {
            case FDCONV -> FDConv2d.fromConv2d(plain).options(fdconv).generator(extra).build();
            case CONDCONV -> CondConv2d.builder(plain.weight().backend(), plain.inChannels(), plain.outChannels(),
                    plain.kernelSize()[0]).padding(plain.padding()[0]).experts(experts).routing(routing)
                    .generator(extra).build();
            case PLAIN -> throw new IllegalStateException("unreachable: plain replaces nothing");
        };
    }
}
