package io.tessera.training;

import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Losses;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;

/**
 * The reference CNN of the PyTorch peer benchmark ({@code shared/peers/torch-cpu.md}): conv 1→c1 3×3 pad 1, ReLU,
 * max-pool 2; conv c1→c2 3×3 pad 1, ReLU, max-pool 2; linear c2·7·7→hidden, ReLU; linear hidden→10. With
 * (32, 64, 128) it has 421,642 parameters, as the peer's.
 */
final class ReferenceCnn extends Module {
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc1;
    private final Linear fc2;

    ReferenceCnn(TensorBackend b, Generator g) {
        this(b, g, 32, 64, 128);
    }

    ReferenceCnn(TensorBackend b, Generator g, int c1, int c2, int hidden) {
        conv1 = registerModule("conv1", Conv2d.builder(b, 1, c1, 3).padding(1).generator(g).build());
        conv2 = registerModule("conv2", Conv2d.builder(b, c1, c2, 3).padding(1).generator(g).build());
        fc1 = registerModule("fc1", new Linear(b, c2 * 7 * 7, hidden, g));
        fc2 = registerModule("fc2", new Linear(b, hidden, 10, g));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = pool.forward(conv1.forward(x).relu());
        h = pool.forward(conv2.forward(h).relu());
        return fc2.forward(fc1.forward(h.flatten(1)).relu());
    }

    /** One optimisation step on a batch; returns the loss. Every intermediate is closed before it returns. */
    static double trainStep(Module model, Optimizer opt, TensorBackend b, ImageBatch batch) {
        try (TensorScope scope = Tensors.scope()) {
            Tensor x = b.tensor(batch.pixels(), batch.shape());
            Tensor y = b.tensor(batch.labelsAsLongs(), batch.size());
            Tensor loss = Losses.crossEntropy(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            return loss.item();
        }
    }

    /** Top-1 accuracy on a dataset, in eval mode without gradients. */
    static double accuracy(Module model, TensorBackend b, ImageDataset data, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (ImageBatch batch : DataLoader.ofImages(data).batchSize(batchSize).build().epoch(0)) {
                try (TensorScope scope = Tensors.scope()) {
                    Tensor x = b.tensor(batch.pixels(), batch.shape());
                    long[] pred = model.forward(x).argmax(1, false).toLongArray();
                    int[] labels = batch.labels();
                    for (int i = 0; i < labels.length; i++) {
                        correct += pred[i] == labels[i] ? 1 : 0;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return correct / (double) data.size();
    }
}
