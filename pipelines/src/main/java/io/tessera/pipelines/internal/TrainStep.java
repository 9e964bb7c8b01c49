package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.training.TrainingOptions;
import io.tessera.training.pipeline.StepTraining;
import java.util.List;
import java.util.Objects;

/**
 * {@code core/train}: trains a built-in image classifier ({@code cnn-small} or {@code mlp}, from
 * {@code io.tessera.training.models}) with cross-entropy.
 *
 * <p>Deterministic: the initial weights come from the step's seed, each epoch's batch order from the seed and the
 * epoch number, and nothing else draws random numbers. A checkpoint (every {@code training.checkpoint_every}
 * optimizer steps and at every epoch end) holds the weights, the optimizer's state, the position (epoch, batch,
 * optimizer step), the running sums of the epoch and the history so far, so a resumed run ends with the metrics of an
 * uninterrupted one. A loss that becomes NaN or infinite stops the step with a message saying where and what to
 * change.
 *
 * <p>The loop is the training module's {@link io.tessera.training.Trainer}, set up for a step by
 * {@link StepTraining}, as for plugins that train their own models (e.g. {@code fdconv/train-classifier}).
 */
final class TrainStep implements Step<TrainStep.Config> {

    /**
     * Configuration of {@code core/train}.
     *
     * @param model    the architecture
     * @param hidden   hidden width of {@code mlp}
     * @param training epochs, batch size, optimizer, schedule, checkpoints, ... (the {@code training:} block)
     */
    public record Config(
            @Description("architecture: cnn-small (the reference CNN) or mlp (two linear layers)") Models.Architecture
            model,
            @Description("hidden width of the mlp") @Range(min = 1, max = 65_536) int hidden,
            @Description("how to train: epochs, batch size, optimizer, schedule, checkpoints, early stop")
            TrainingOptions training) {

        public Config {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(training, "training");
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
        return new Config(Models.Architecture.CNN_SMALL, 128, TrainingOptions.defaults());
    }

    @Override
    public List<Port> inputs() {
        return StepTraining.classifierInputs();
    }

    @Override
    public List<Port> outputs() {
        return StepTraining.classifierOutputs();
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        return StepTraining.trainClassifier(ctx, in, c.training(), ctx.seed(),
                train -> Models.create(c.model(), train.channels(), train.height(), train.width(),
                        train.numClasses(), c.hidden(), ctx.backend(), ctx.seed()),
                model -> c.model().key());
    }
}
