package io.tessera.plugin.d2nwg;

import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.function.IntConsumer;

/**
 * The small classifiers' training and evaluation on task features (docs/methods/d2nwg.md §7): Adam on cross-entropy
 * over random mini-batches, and test accuracy. Written on nn/optim directly, not on a generic training loop.
 */
final class Classifiers {
    private Classifiers() {
    }

    /** The task data as tensors: features {@code (n, d)} float32 and labels int64. */
    record Batchable(Tensor x, Tensor y, int n) implements AutoCloseable {
        static Batchable of(TensorBackend be, Zoo.TaskData d) {
            long[] y = new long[d.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = d.y()[i];
            }
            return new Batchable(Tensors.unscoped(() -> be.tensor(d.x(), d.size(), d.dim())),
                    Tensors.unscoped(() -> be.tensor(y, y.length)), d.size());
        }

        @Override
        public void close() {
            x.close();
            y.close();
        }
    }

    /**
     * {@code steps} Adam steps of batch {@code batch} on {@code data}; {@code afterStep} is called with the number of
     * steps done after each (and with 0 first), for curves.
     */
    static void train(Mlp model, Batchable data, int steps, int batch, double lr, Generator gen,
            IntConsumer afterStep) {
        if (data.n() == 0) {
            throw new IllegalArgumentException("the task has no training images");
        }
        TensorBackend be = data.x().backend();
        int b = Math.min(batch, data.n());
        if (afterStep != null) {
            afterStep.accept(0);
        }
        try (Adam opt = new Adam(model.parameters(), lr)) {
            for (int s = 1; s <= steps; s++) {
                long[] idx = new long[b];
                for (int i = 0; i < b; i++) {
                    idx[i] = gen.nextLong(data.n());
                }
                try (TensorScope sc = Tensors.scope()) {
                    Tensor ix = be.tensor(idx, b);
                    Tensor loss = Functional.crossEntropy(model.forward(data.x().indexSelect(0, ix)),
                            data.y().indexSelect(0, ix));
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                }
                if (afterStep != null) {
                    afterStep.accept(s);
                }
            }
        }
    }

    /** Test accuracy of {@code model} on {@code data}. */
    static double accuracy(Mlp model, Batchable data) {
        if (data.n() == 0) {
            throw new IllegalArgumentException("the task has no test images");
        }
        try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            Tensor pred = model.forward(data.x()).argmax(1, false);
            return pred.eq(data.y()).to(io.tessera.api.tensor.DType.FLOAT32).mean().item();
        }
    }
}
