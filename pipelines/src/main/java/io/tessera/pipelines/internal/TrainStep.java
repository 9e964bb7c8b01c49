package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.ClassifierTraining;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Generator;
import java.util.List;

/**
 * {@code core/train}: trains a built-in image classifier ({@code cnn-small} or {@code mlp}) with cross-entropy.
 *
 * <p>Deterministic: the initial weights come from the step's seed, each epoch's batch order from the seed and the
 * epoch number, and nothing else draws random numbers. A checkpoint (every {@code checkpoint_every} optimizer steps
 * and at every epoch end) holds the weights, the optimizer's state, the position (epoch, batch, optimizer step), the
 * running sums of the epoch and the history so far, so a resumed run ends with the metrics of an uninterrupted one.
 * A loss that becomes NaN or infinite stops the step with a message saying where and what to change.
 *
 * <p>The loop itself is {@link ClassifierTraining} in the API, so that plugins train their own models the same way
 * (e.g. {@code fdconv/train-classifier}).
 */
final class TrainStep implements Step<TrainStep.Config> {

    /**
     * Configuration of {@code core/train}.
     *
     * @param model            the architecture
     * @param epochs           passes over the training set
     * @param batchSize        images per optimizer step
     * @param optimizer        the optimizer
     * @param lr               the base learning rate
     * @param momentum         SGD momentum
     * @param weightDecay      weight decay (L2 for adam and sgd, decoupled for adamw)
     * @param schedule         the learning-rate schedule over epochs
     * @param stepSize         epochs between decays of the {@code step} schedule
     * @param gamma            decay factor of the {@code step} schedule
     * @param warmupEpochs     warm-up epochs of {@code warmup-cosine}
     * @param checkpointEvery  optimizer steps between checkpoints; 0 checkpoints at epoch ends only
     * @param hidden           hidden width of {@code mlp}
     * @param shuffle          whether each epoch visits the images in a new random order
     * @param maxBatches       stop each epoch after this many batches; 0 uses them all
     */
    public record Config(
            @Description("architecture: cnn-small (the reference CNN) or mlp (two linear layers)")
            @OneOf({"cnn-small", "mlp"}) String model,
            @Description("passes over the training set") @Range(min = 1, max = 100_000) int epochs,
            @Description("images per optimizer step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("the optimizer") @OneOf({"adam", "adamw", "sgd"}) String optimizer,
            @Description("base learning rate") @Range(min = 0, minExclusive = true, max = 10) double lr,
            @Description("momentum of sgd") @Range(min = 0, max = 1, maxExclusive = true) double momentum,
            @Description("weight decay (L2 for adam and sgd, decoupled for adamw)") @Range(min = 0, max = 1)
            double weightDecay,
            @Description("learning-rate schedule over epochs")
            @OneOf({"constant", "step", "cosine", "warmup-cosine"}) String schedule,
            @Description("epochs between decays of the step schedule") @Range(min = 1) int stepSize,
            @Description("decay factor of the step schedule") @Range(min = 0, minExclusive = true, max = 1)
            double gamma,
            @Description("warm-up epochs of the warmup-cosine schedule") @Range(min = 0) int warmupEpochs,
            @Description("optimizer steps between checkpoints; 0 checkpoints at the end of each epoch only")
            @Range(min = 0) int checkpointEvery,
            @Description("hidden width of the mlp") @Range(min = 1, max = 65_536) int hidden,
            @Description("visit the training images in a new random order every epoch") boolean shuffle,
            @Description("stop each epoch after this many batches (quick trials); 0 uses every batch")
            @Range(min = 0) int maxBatches) implements ClassifierTraining.Settings {

        public Config {
            if (schedule.equals("warmup-cosine") && warmupEpochs >= epochs) {
                throw new IllegalArgumentException("warmupEpochs (" + warmupEpochs + ") must be below epochs ("
                        + epochs + ") for the warmup-cosine schedule");
            }
        }
    }

    @Override
    public String name() {
        return "core/train";
    }

    @Override
    public String description() {
        return "trains a built-in image classifier (cnn-small, mlp) with checkpoints; deterministic given the seed";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("cnn-small", 1, 64, "adam", 1e-3, 0.9, 0, "constant", 1, 0.1, 0, 0, 128, true, 0);
    }

    @Override
    public List<Port> inputs() {
        return ClassifierTraining.inputs();
    }

    @Override
    public List<Port> outputs() {
        return ClassifierTraining.outputs();
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        return ClassifierTraining.runStep(ctx, in, c.training(), ctx.seed(),
                train -> Models.create(c.model(), train.channels(), train.height(), train.width(),
                        train.numClasses(), c.hidden(), ctx.backend(), new Generator(ctx.seed())),
                model -> c.model());
    }
}
