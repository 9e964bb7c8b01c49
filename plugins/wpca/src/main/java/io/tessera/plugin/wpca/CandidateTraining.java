package io.tessera.plugin.wpca;

import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.function.BooleanSupplier;
import org.apiguardian.api.API;

/**
 * The ground truth of the ranking experiment (spec §6): a candidate trained from scratch for a fixed budget (Adam,
 * cross-entropy, {@code epochs} passes over the first {@code trainLimit} training images in a seeded order) and its
 * accuracy on the first {@code testLimit} test images. Small on purpose: nn, optim and DataLoader directly.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CandidateTraining {

    /**
     * The fixed budget.
     *
     * @param epochs     passes over the training subset
     * @param batchSize  images per Adam step
     * @param lr         Adam learning rate
     * @param trainLimit training images used (0 = all)
     * @param testLimit  test images evaluated (0 = all)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Budget(int epochs, int batchSize, double lr, int trainLimit, int testLimit) {
        public Budget {
            if (epochs < 1 || batchSize < 1 || !(lr > 0) || trainLimit < 0 || testLimit < 0) {
                throw new IllegalArgumentException("training budget: epochs and batch_size must be >= 1, lr > 0,"
                        + " limits >= 0");
            }
        }
    }

    /** What one training produced. */
    public record Outcome(double accuracy, double finalLoss, long steps, double seconds) {
    }

    private CandidateTraining() {
    }

    /** Trains {@code a} with seed {@code seed} (weights and batch order) and tests it. */
    public static Outcome run(TensorBackend be, SearchSpace space, Architecture a, long seed, ImageDataset train,
            ImageDataset test, Budget budget, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        int nTrain = budget.trainLimit() == 0 ? train.size() : Math.min(budget.trainLimit(), train.size());
        int nTest = budget.testLimit() == 0 ? test.size() : Math.min(budget.testLimit(), test.size());
        long steps = 0;
        double lastLoss = Double.NaN;
        try (EncoderClassifier model = new EncoderClassifier(be, space, a, new Generator(seed));
                Adam opt = new Adam(model.parameters(), budget.lr())) {
            model.train();
            DataLoader<ImageBatch> loader = DataLoader.of(nTrain, train::batch).batchSize(budget.batchSize())
                    .shuffle(true).seed(seed).build();
            for (int epoch = 0; epoch < budget.epochs(); epoch++) {
                for (ImageBatch b : loader.epoch(epoch)) {
                    if (cancelled.getAsBoolean()) {
                        throw new IllegalStateException("cancelled");
                    }
                    try (TensorScope s = Tensors.scope()) {
                        opt.zeroGrad();
                        Tensor loss = Functional.crossEntropy(model.forward(be.tensor(b.pixels(), b.shape())),
                                be.tensor(b.labelsAsLongs(), b.size()));
                        loss.backward();
                        opt.step();
                        lastLoss = loss.item();
                        steps++;
                    }
                    if (!Double.isFinite(lastLoss)) {
                        throw new ArithmeticException("training " + a + " with seed " + seed + ": the loss became "
                                + lastLoss + " at step " + steps + "; lower lr");
                    }
                }
            }
            return new Outcome(accuracy(be, model, test, nTest), lastLoss, steps, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Top-1 accuracy on the first {@code n} images of {@code test}. */
    static double accuracy(TensorBackend be, EncoderClassifier model, ImageDataset test, int n) {
        model.eval();
        long correct = 0;
        DataLoader<ImageBatch> loader = DataLoader.of(n, test::batch).batchSize(250).build();
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (ImageBatch b : loader.epoch(0)) {
                try (TensorScope s = Tensors.scope()) {
                    long[] pred = model.forward(be.tensor(b.pixels(), b.shape())).argmax(1, false).toLongArray();
                    for (int i = 0; i < pred.length; i++) {
                        if (pred[i] == b.labels()[i]) {
                            correct++;
                        }
                    }
                }
            }
        }
        return (double) correct / n;
    }
}
