package io.tessera.pipelines.internal;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.training.models.Mlp;
import io.tessera.training.models.ReferenceCnn;
import java.util.Locale;

/** The built-in architectures of {@code core/train}: the training module's reference models, by name. */
final class Models {

    /** What {@code core/train}'s {@code model} key names. */
    enum Architecture {
        /** The reference CNN ({@link ReferenceCnn} with its default widths). */
        CNN_SMALL,
        /** A two-layer perceptron ({@link Mlp}). */
        MLP;

        /** The name pipelines use: {@code cnn-small}, {@code mlp}. */
        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private Models() {
    }

    /**
     * A freshly initialised model for images of {@code channels × height × width} and {@code classes} classes, its
     * weights drawn from {@code seed}.
     *
     * @param hidden the hidden width of {@code mlp} (the CNN's is fixed at 128)
     */
    static Module create(Architecture a, int channels, int height, int width, int classes, int hidden,
            TensorBackend b, long seed) {
        return switch (a) {
            case CNN_SMALL -> ReferenceCnn.builder(b, seed).input(channels, height, width).classes(classes).build();
            case MLP -> new Mlp(b, new Generator(seed), channels * height * width, hidden, classes);
        };
    }
}
