package io.tessera.pipelines.internal;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.List;

/** The built-in architectures of {@code core/train}, by name. */
final class Models {
    static final List<String> NAMES = List.of("cnn-small", "mlp");

    private Models() {
    }

    /**
     * A freshly initialised model for images of {@code channels × height × width} and {@code classes} classes.
     *
     * @param hidden the hidden width of {@code mlp} (the CNN's is fixed at 128)
     */
    static Module create(String name, int channels, int height, int width, int classes, int hidden,
            TensorBackend b, Generator g) {
        return switch (name) {
            case "cnn-small" -> new SmallCnn(b, g, channels, height, width, classes);
            case "mlp" -> new Mlp(b, g, channels * height * width, hidden, classes);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; use one of " + NAMES);
        };
    }

    /**
     * The reference CNN: conv 1→32 3×3 pad 1, ReLU, max-pool 2; conv 32→64 3×3 pad 1, ReLU, max-pool 2;
     * linear 3136→128, ReLU; linear 128→10 (for 28×28 grey images; other sizes and class counts scale the linear
     * layers). Parameter names as PyTorch's {@code conv1.weight}, ..., {@code fc2.bias}.
     */
    static final class SmallCnn extends Module {
        private final Conv2d conv1;
        private final Conv2d conv2;
        private final MaxPool2d pool = new MaxPool2d(2);
        private final Linear fc1;
        private final Linear fc2;

        SmallCnn(TensorBackend b, Generator g, int channels, int height, int width, int classes) {
            if (height < 4 || width < 4) {
                throw new IllegalArgumentException("cnn-small needs images of at least 4×4 pixels, got " + height
                        + "×" + width);
            }
            conv1 = registerModule("conv1", Conv2d.builder(b, channels, 32, 3).padding(1).generator(g).build());
            conv2 = registerModule("conv2", Conv2d.builder(b, 32, 64, 3).padding(1).generator(g).build());
            fc1 = registerModule("fc1", new Linear(b, 64 * (height / 4) * (width / 4), 128, g));
            fc2 = registerModule("fc2", new Linear(b, 128, classes, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = pool.forward(conv1.forward(x).relu());
            h = pool.forward(conv2.forward(h).relu());
            return fc2.forward(fc1.forward(h.flatten(1)).relu());
        }
    }

    /** A two-layer perceptron: flatten, linear in→hidden, ReLU, linear hidden→classes. */
    static final class Mlp extends Module {
        private final Linear fc1;
        private final Linear fc2;

        Mlp(TensorBackend b, Generator g, int in, int hidden, int classes) {
            fc1 = registerModule("fc1", new Linear(b, in, hidden, g));
            fc2 = registerModule("fc2", new Linear(b, hidden, classes, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(fc1.forward(x.flatten(1)).relu());
        }
    }
}
