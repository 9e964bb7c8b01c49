package io.tessera.training.pipeline;

import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.nn.Module;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.StepContext;
import io.tessera.training.CheckpointListener;
import io.tessera.training.EarlyStopping;
import io.tessera.training.MetricsListener;
import io.tessera.training.MetricsSink;
import io.tessera.training.ProgressListener;
import io.tessera.training.Trainer;
import io.tessera.training.TrainingListener;
import io.tessera.training.TrainingOptions;
import io.tessera.training.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * A {@link Trainer} inside a pipeline step. The step's context offers generic services (checkpoints, metrics,
 * timings, curves, progress, cancellation, a logger, and the run's {@link EpochLog}); this class turns them into the
 * trainer's listeners, so neither the API knows the trainer nor the trainer knows pipelines:
 *
 * <pre>{@code
 * public PortValues run(StepContext ctx, MyConfig c, PortValues in) throws Exception {
 *     return StepTraining.trainClassifier(ctx, in, c.training(), ctx.seed(),
 *             train -> new MyNet(ctx.backend(), ctx.seed(), train.numClasses()), model -> "my-net");
 * }
 * }</pre>
 *
 * <p>{@link #trainClassifier} is the whole {@code run} of an image-classifier training step ({@code core/train},
 * {@code fdconv/train-classifier}): {@link #classifierInputs()} in, {@link #classifierOutputs()} out. Its metrics
 * ({@link io.tessera.api.pipeline.StepContext#metric}) are only reproducible values (the last epoch's metrics and
 * {@code parameters}); the step time, which depends on the machine, goes to {@link StepContext#timing} and the
 * {@code metrics} output, where comparisons pick it up.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class StepTraining {

    private StepTraining() {
    }

    /**
     * The listeners of a training run inside the step of {@code ctx}, in this order: metrics (to {@link #metrics}),
     * progress ({@link StepContext#progress}), early stopping (when {@code options} enable it) and checkpoints (into
     * {@link StepContext#checkpoints()} every {@code checkpointEvery} steps and at epoch ends; the trainer resumes
     * from the newest one of a killed run).
     */
    public static List<TrainingListener> listeners(StepContext ctx, TrainingOptions options) {
        List<TrainingListener> out = new ArrayList<>();
        out.add(new MetricsListener(metrics(ctx)));
        out.add(new ProgressListener(ctx::progress));
        if (options.earlyStop().enabled()) {
            out.add(new EarlyStopping(options.earlyStop()));
        }
        out.add(new CheckpointListener(ctx.checkpoints(), options.checkpointEvery()));
        return out;
    }

    /**
     * A sink that records into the run of {@code ctx}: metrics and timings as {@link StepContext#metric} and
     * {@link StepContext#timing}, curves as {@link StepContext#series}, epochs into the run's {@link EpochLog} (or the
     * step's log when the engine offers none).
     */
    public static MetricsSink metrics(StepContext ctx) {
        Optional<EpochLog> epochs = ctx.service(EpochLog.class);
        return new MetricsSink() {
            @Override
            public void epoch(int epoch, int total, Map<String, Double> metrics) {
                if (epochs.isPresent()) {
                    epochs.get().epochEnd(epoch, total, metrics);
                } else {
                    ctx.logger().log(System.Logger.Level.DEBUG, () -> "epoch " + epoch + "/" + total + ": " + metrics);
                }
            }

            @Override
            public void point(String series, long x, double value) {
                ctx.series(series, x, value);
            }

            @Override
            public void metric(String name, double value) {
                ctx.metric(name, value);
            }

            @Override
            public void timing(String name, double value) {
                ctx.timing(name, value);
            }
        };
    }

    /**
     * {@code builder} set up for the step of {@code ctx}: {@code options}, the batch-order {@code seed}, the
     * {@link #listeners}, the context's cancellation and logger.
     */
    public static <B> Trainer.Builder<B> configure(Trainer.Builder<B> builder, StepContext ctx,
            TrainingOptions options, long seed) {
        return builder.options(options).seed(seed).listeners(listeners(ctx, options)).cancelled(ctx::cancelled)
                .logger(ctx.logger());
    }

    /**
     * The inputs of an image-classifier training step: {@code train} and an optional {@code val}
     * ({@link ImageDataset}s), as {@link #trainClassifier} reads them.
     */
    public static List<Port> classifierInputs() {
        return List.of(Port.of("train", ImageDataset.class, "the training images"),
                Port.optional("val", ImageDataset.class, "images to measure loss and accuracy on after each epoch"));
    }

    /**
     * The outputs of an image-classifier training step: {@code model} ({@link Module}), {@code weights}
     * ({@link Path}) and {@code metrics} ({@link Metrics}), as {@link #trainClassifier} returns them.
     */
    public static List<Port> classifierOutputs() {
        return List.of(Port.of("model", Module.class, "the trained model"),
                Port.of("weights", Path.class, "the trained weights (safetensors) in the step's folder"),
                Port.of("metrics", Metrics.class, "the last epoch's metrics, parameters, ms_per_step and"
                        + " images_per_s (for core/evaluate's 'training' input)"));
    }

    /**
     * The whole {@code run} of an image-classifier training step: reads {@code train} and {@code val}, builds the
     * model for the training set with {@code factory}, trains it with cross-entropy ({@link Trainer#forImages}) and
     * batch orders from {@code seed}, saves its weights to {@code model.safetensors} in the step's folder (metadata
     * {@code architecture} and {@code format=pt}) and returns {@code model}, {@code weights} and {@code metrics}.
     * The returned model belongs to the pipeline; when anything fails after the model was built, it is closed.
     *
     * @param factory      builds the untrained model for the training set (its shape and classes); it may reject a
     *                     training set the model cannot learn from with an {@link IllegalArgumentException}
     * @param architecture names the built model for the weights' {@code architecture} metadata
     * @throws IllegalArgumentException when the training set is empty, or as {@code factory}
     * @throws IllegalStateException    when the loss becomes NaN or infinite
     * @throws IOException              when a checkpoint or the weights cannot be written or read
     */
    public static <M extends Module> PortValues trainClassifier(StepContext ctx, PortValues in,
            TrainingOptions options, long seed, Function<? super ImageDataset, ? extends M> factory,
            Function<? super M, String> architecture) throws IOException {
        ImageDataset train = in.get("train", ImageDataset.class);
        ImageDataset val = in.find("val", ImageDataset.class).orElse(null);
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        M model = factory.apply(train);
        boolean done = false;
        try {
            Trainer<ImageBatch> trainer = configure(Trainer.forImages(model, ctx.backend()), ctx, options, seed)
                    .build();
            TrainingResult result = trainer.fit(DataLoader.ofImages(train), val == null ? null
                    : DataLoader.ofImages(val));
            Path weights = ctx.workDirectory().resolve("model.safetensors");
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("architecture", architecture.apply(model));
            metadata.put("format", "pt");
            model.save(weights, metadata);
            done = true;
            return PortValues.of("model", model, "weights", weights).with("metrics",
                    new Metrics(ctx.stepName(), result.metrics()));
        } finally {
            if (!done) {
                model.close();
            }
        }
    }
}
