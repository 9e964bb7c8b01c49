package io.tessera.api.pipeline;

import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.io.RawTensor;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.Adam;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * The training loop of {@code core/train}, for steps that bring their own image classifier: a plugin builds its
 * {@link Module} (from the step's seed) and hands it here, and gets what {@code core/train} gives its built-in models:
 * cross-entropy training with {@code adam}, {@code adamw} or {@code sgd} and a per-epoch schedule, validation after
 * each epoch, progress, per-epoch metrics and the {@code batch_loss} curve, checkpoints every
 * {@code checkpointEvery} optimizer steps and at every epoch end, resume from the newest checkpoint of a killed run,
 * and a clear stop when the loss becomes NaN or infinite.
 *
 * <pre>{@code
 * public PortValues run(StepContext ctx, MyConfig c, PortValues in) throws Exception {
 *     ImageDataset train = in.get("train", ImageDataset.class);
 *     Module model = new MyNet(ctx.backend(), new Generator(ctx.seed()), train.numClasses());
 *     ClassifierTraining.Result r = ClassifierTraining.train(ctx, model, train,
 *             in.find("val", ImageDataset.class).orElse(null), c.training());
 *     return PortValues.of("model", model, "metrics", r.metrics());
 * }
 * }</pre>
 *
 * <p><b>Deterministic.</b> Each epoch's batch order depends only on the step's seed and the epoch number, so with
 * initial weights drawn from {@link StepContext#seed()} a run, a rerun and a resumed run end with the same weights
 * and metrics. {@link StepContext#metric} receives only such reproducible values (the last epoch's metrics and
 * {@code parameters}); the step time, which depends on the machine, goes to {@link StepContext#timing} and to
 * {@link Result#metrics()}, where comparisons pick it up.
 *
 * <p><b>Checkpoints</b> (in {@link StepContext#checkpoints()}): {@code model.safetensors} (the state dict),
 * {@code optimizer.safetensors} (the optimizer's state) and {@code progress.safetensors} (position, running sums,
 * history and curve). On a resumed run the loop restores the newest one, replays the history into the run's
 * metrics and continues; a checkpoint written after the last epoch skips training altogether.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ClassifierTraining {

    /** The optimizers {@link Options#optimizer()} accepts. */
    public static final List<String> OPTIMIZERS = List.of("adam", "adamw", "sgd");

    /** The schedules {@link Options#schedule()} accepts. */
    public static final List<String> SCHEDULES = List.of("constant", "step", "cosine", "warmup-cosine");

    private ClassifierTraining() {
    }

    /**
     * Settings of the loop; a step's config record usually has the same keys (those of {@code core/train}) and
     * converts to this.
     *
     * @param epochs          passes over the training set, at least 1
     * @param batchSize       images per optimizer step, at least 1
     * @param optimizer       {@code adam}, {@code adamw} or {@code sgd}
     * @param lr              the base learning rate, above 0
     * @param momentum        SGD momentum in [0, 1)
     * @param weightDecay     weight decay (L2 for adam and sgd, decoupled for adamw), at least 0
     * @param schedule        the learning-rate schedule over epochs: {@code constant}, {@code step}, {@code cosine}
     *                        or {@code warmup-cosine}
     * @param stepSize        epochs between decays of the {@code step} schedule, at least 1
     * @param gamma           decay factor of the {@code step} schedule, in (0, 1]
     * @param warmupEpochs    warm-up epochs of {@code warmup-cosine}, below {@code epochs}
     * @param checkpointEvery optimizer steps between checkpoints; 0 checkpoints at epoch ends only
     * @param shuffle         whether each epoch visits the images in a new random order
     * @param maxBatches      stop each epoch after this many batches (quick trials); 0 uses every batch
     */
    public record Options(int epochs, int batchSize, String optimizer, double lr, double momentum, double weightDecay,
                          String schedule, int stepSize, double gamma, int warmupEpochs, int checkpointEvery,
                          boolean shuffle, int maxBatches) {

        public Options {
            require(epochs >= 1, "epochs must be >= 1, was " + epochs);
            require(batchSize >= 1, "batchSize must be >= 1, was " + batchSize);
            require(OPTIMIZERS.contains(optimizer), "optimizer must be one of " + OPTIMIZERS + ", was '" + optimizer
                    + "'");
            require(lr > 0 && Double.isFinite(lr), "lr must be a finite number above 0, was " + lr);
            require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), was " + momentum);
            require(weightDecay >= 0, "weightDecay must be >= 0, was " + weightDecay);
            require(SCHEDULES.contains(schedule), "schedule must be one of " + SCHEDULES + ", was '" + schedule + "'");
            require(stepSize >= 1, "stepSize must be >= 1, was " + stepSize);
            require(gamma > 0 && gamma <= 1, "gamma must be in (0, 1], was " + gamma);
            require(warmupEpochs >= 0, "warmupEpochs must be >= 0, was " + warmupEpochs);
            require(!schedule.equals("warmup-cosine") || warmupEpochs < epochs, "warmupEpochs (" + warmupEpochs
                    + ") must be below epochs (" + epochs + ") for the warmup-cosine schedule");
            require(checkpointEvery >= 0, "checkpointEvery must be >= 0 (0: at epoch ends only), was "
                    + checkpointEvery);
            require(maxBatches >= 0, "maxBatches must be >= 0 (0: every batch), was " + maxBatches);
        }

        /** The defaults of {@code core/train}: one epoch of batch 64, Adam 1e-3, constant rate, shuffled. */
        public static Options defaults() {
            return new Options(1, 64, "adam", 1e-3, 0.9, 0, "constant", 1, 0.1, 0, 0, true, 0);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * The loop settings of a training step's config: a config record whose components include those of
     * {@code core/train} ({@code epochs}, {@code batch_size}, {@code optimizer}, {@code lr}, {@code momentum},
     * {@code weight_decay}, {@code schedule}, {@code step_size}, {@code gamma}, {@code warmup_epochs},
     * {@code checkpoint_every}, {@code shuffle}, {@code max_batches}) implements this by its accessors and gets
     * {@link #training()} for free.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public interface Settings {

        /** Passes over the training set. */
        int epochs();

        /** Images per optimizer step. */
        int batchSize();

        /** {@code adam}, {@code adamw} or {@code sgd}. */
        String optimizer();

        /** The base learning rate. */
        double lr();

        /** SGD momentum. */
        double momentum();

        /** Weight decay (L2 for adam and sgd, decoupled for adamw). */
        double weightDecay();

        /** The learning-rate schedule over epochs. */
        String schedule();

        /** Epochs between decays of the {@code step} schedule. */
        int stepSize();

        /** Decay factor of the {@code step} schedule. */
        double gamma();

        /** Warm-up epochs of {@code warmup-cosine}. */
        int warmupEpochs();

        /** Optimizer steps between checkpoints; 0 checkpoints at epoch ends only. */
        int checkpointEvery();

        /** Whether each epoch visits the images in a new random order. */
        boolean shuffle();

        /** Stop each epoch after this many batches; 0 uses every batch. */
        int maxBatches();

        /**
         * The settings of the training loop.
         *
         * @throws IllegalArgumentException when a setting is out of range (see {@link Options})
         */
        default Options training() {
            return new Options(epochs(), batchSize(), optimizer(), lr(), momentum(), weightDecay(), schedule(),
                    stepSize(), gamma(), warmupEpochs(), checkpointEvery(), shuffle(), maxBatches());
        }
    }

    /**
     * What a training run measured.
     *
     * @param metrics   named after the step: the last epoch's {@code train_loss}, {@code train_accuracy} (and
     *                  {@code val_loss}, {@code val_accuracy} with a validation set), {@code parameters},
     *                  {@code ms_per_step} (mean wall time of an optimizer step: forward, loss, backward, update)
     *                  and {@code images_per_s}; the last two depend on the machine and its load
     * @param history   every epoch's metrics, from epoch 1 (including the learning rate {@code lr})
     * @param steps     optimizer steps taken, over every epoch
     * @param msPerStep the mean wall time of an optimizer step in milliseconds (NaN without any step)
     */
    public record Result(Metrics metrics, List<Map<String, Double>> history, long steps, double msPerStep) {
        public Result {
            history = history.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
        }
    }

    /** The position and running sums of a training run: what a checkpoint restores besides tensors. */
    private static final class Progress {
        int epoch;
        int batch;
        long step;
        double lossSum;
        long correct;
        long seen;
        long trainNanos;
        long timedImages;
        final List<Map<String, Double>> history = new ArrayList<>();
        final List<Long> seriesSteps = new ArrayList<>();
        final List<Double> seriesLoss = new ArrayList<>();
    }

    /**
     * The inputs of a classifier-training step such as {@code core/train}: {@code train} and an optional
     * {@code val} ({@link ImageDataset}s), as {@link #runStep} reads them.
     */
    public static List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "the training images"),
                Port.optional("val", ImageDataset.class, "images to measure loss and accuracy on after each epoch"));
    }

    /**
     * The outputs of a classifier-training step such as {@code core/train}: {@code model} ({@link Module}),
     * {@code weights} ({@link Path}) and {@code metrics} ({@link Metrics}), as {@link #runStep} returns them.
     */
    public static List<Port> outputs() {
        return List.of(Port.of("model", Module.class, "the trained model"),
                Port.of("weights", Path.class, "the trained weights (safetensors) in the step's folder"),
                Port.of("metrics", Metrics.class, "the last epoch's metrics, parameters, ms_per_step and"
                        + " images_per_s (for core/evaluate's 'training' input)"));
    }

    /**
     * The whole {@code run} of a step with the {@link #inputs()} and {@link #outputs()} ports: reads {@code train}
     * and {@code val}, builds the model from the training set with {@code factory}, {@linkplain #train(StepContext,
     * Module, ImageDataset, ImageDataset, Options, long) trains} it with batch orders from {@code seed}, saves its
     * weights to {@code model.safetensors} in the step's folder (metadata {@code architecture} and
     * {@code format=pt}) and returns {@code model}, {@code weights} and {@code metrics}. The returned model belongs
     * to the pipeline; when anything fails after the model was built, the model is closed.
     *
     * @param factory      builds the untrained model for the training set (its shape and classes); it may reject a
     *                     training set the model cannot learn from with an {@link IllegalArgumentException}
     * @param architecture names the built model for the weights' {@code architecture} metadata
     * @throws IllegalArgumentException when the training set is empty, or as {@code factory} or
     *                                  {@link #train(StepContext, Module, ImageDataset, ImageDataset, Options, long)}
     * @throws IOException              when a checkpoint or the weights cannot be written or read
     */
    public static <M extends Module> PortValues runStep(StepContext ctx, PortValues in, Options o, long seed,
            Function<? super ImageDataset, ? extends M> factory, Function<? super M, String> architecture)
            throws IOException {
        ImageDataset train = in.get("train", ImageDataset.class);
        ImageDataset val = in.find("val", ImageDataset.class).orElse(null);
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        M model = factory.apply(train);
        boolean done = false;
        try {
            Result result = train(ctx, model, train, val, o, seed);
            Path weights = ctx.workDirectory().resolve("model.safetensors");
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("architecture", architecture.apply(model));
            metadata.put("format", "pt");
            model.save(weights, metadata);
            done = true;
            return PortValues.of("model", model, "weights", weights).with("metrics", result.metrics());
        } finally {
            if (!done) {
                model.close();
            }
        }
    }

    /**
     * Trains {@code model} in place on {@code train}, validating on {@code val} after each epoch when it is not null.
     * The model stays the caller's (to return as an output, or to close).
     *
     * @throws IllegalArgumentException when the training set is empty
     * @throws IllegalStateException    when the loss becomes NaN or infinite, naming the position and the last good
     *                                  checkpoint
     * @throws CancellationException    when the run is cancelled (between batches)
     * @throws IOException              when a checkpoint cannot be written or read
     */
    public static Result train(StepContext ctx, Module model, ImageDataset train, ImageDataset val, Options o)
            throws IOException {
        return train(ctx, model, train, val, o, ctx.seed());
    }

    /**
     * As {@link #train(StepContext, Module, ImageDataset, ImageDataset, Options)}, with the batch order drawn from
     * {@code seed} instead of the step's seed: steps that compare models under one seed (a {@code seed} config key)
     * use it.
     */
    public static Result train(StepContext ctx, Module model, ImageDataset train, ImageDataset val, Options o,
            long seed) throws IOException {
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        TensorBackend b = ctx.backend();
        Progress p = new Progress();
        try (Optimizer opt = optimizer(o, model)) {
            LrScheduler schedule = schedule(o, opt);
            int n = train.size();
            int perEpoch = (n + o.batchSize() - 1) / o.batchSize();
            if (o.maxBatches() > 0) {
                perEpoch = Math.min(perEpoch, o.maxBatches());
            }
            Optional<Path> last = ctx.checkpoints().latest();
            if (last.isPresent()) {
                restore(last.get(), model, opt, p, b);
                ctx.logger().log(System.Logger.Level.INFO, "resuming from checkpoint " + last.get() + " at epoch "
                        + (p.epoch + 1) + ", batch " + p.batch + " (optimizer step " + p.step + ")");
                for (int i = 0; i < p.history.size(); i++) {
                    ctx.epochEnd(i + 1, o.epochs(), p.history.get(i));
                }
                for (int i = 0; i < p.seriesSteps.size(); i++) {
                    ctx.series("batch_loss", p.seriesSteps.get(i), p.seriesLoss.get(i));
                }
                if (schedule != null) {
                    for (int e = 0; e < p.epoch; e++) {
                        schedule.step();
                    }
                    opt.setLearningRate(schedule.rateAt(p.epoch));
                }
            }
            long shuffleSeed = new SplittableRandom(seed).split().nextLong();
            for (int epoch = p.epoch; epoch < o.epochs(); epoch++) {
                int[] order = o.shuffle() ? shuffled(n, shuffleSeed, epoch) : identity(0, n);
                for (int bi = p.batch; bi < perEpoch; bi++) {
                    if (ctx.cancelled()) {
                        throw new CancellationException("cancelled at epoch " + (epoch + 1) + ", batch " + bi);
                    }
                    int from = bi * o.batchSize();
                    int to = Math.min(from + o.batchSize(), n);
                    ImageBatch batch = train.batch(Arrays.copyOfRange(order, from, to));
                    long started = System.nanoTime();
                    double[] lossAndCorrect = trainBatch(model, opt, b, batch);
                    p.trainNanos += System.nanoTime() - started;
                    p.timedImages += batch.size();
                    double loss = lossAndCorrect[0];
                    p.step++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training diverged: the loss became " + loss + " at epoch "
                                + (epoch + 1) + ", batch " + (bi + 1) + " (optimizer step " + p.step + ") with lr "
                                + opt.learningRate() + "; lower 'lr' (e.g. " + o.lr() / 10 + "), or pick another"
                                + " optimizer or schedule. The last good checkpoint is "
                                + ctx.checkpoints().latest().map(Path::toString).orElse("(none)"));
                    }
                    p.lossSum += loss * batch.size();
                    p.correct += (long) lossAndCorrect[1];
                    p.seen += batch.size();
                    p.batch = bi + 1;
                    p.seriesSteps.add(p.step);
                    p.seriesLoss.add(loss);
                    ctx.series("batch_loss", p.step, loss);
                    ctx.progress(p.seen, Math.min((long) perEpoch * o.batchSize(), n), String.format(Locale.ROOT,
                            "epoch %d/%d loss %.4f", epoch + 1, o.epochs(), loss));
                    if (o.checkpointEvery() > 0 && p.step % o.checkpointEvery() == 0 && p.batch < perEpoch) {
                        save(ctx, model, opt, p);
                    }
                }
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("train_loss", p.lossSum / p.seen);
                m.put("train_accuracy", p.correct / (double) p.seen);
                if (val != null) {
                    double[] lv = evaluate(model, b, val, Math.max(o.batchSize(), 256));
                    m.put("val_loss", lv[0]);
                    m.put("val_accuracy", lv[1]);
                }
                m.put("lr", opt.learningRate());
                p.history.add(m);
                ctx.epochEnd(epoch + 1, o.epochs(), m);
                ctx.logger().log(System.Logger.Level.INFO, "epoch " + (epoch + 1) + "/" + o.epochs() + ": " + m);
                p.epoch = epoch + 1;
                p.batch = 0;
                p.lossSum = 0;
                p.correct = 0;
                p.seen = 0;
                if (schedule != null) {
                    schedule.step();
                }
                save(ctx, model, opt, p);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        p.history.get(p.history.size() - 1).forEach((k, v) -> {
            if (!k.equals("lr")) {
                ctx.metric(k, v);
                out.put(k, v);
            }
        });
        double parameters = model.parameterCount();
        ctx.metric("parameters", parameters);
        out.put("parameters", parameters);
        double msPerStep = p.step == 0 ? Double.NaN : p.trainNanos / 1e6 / p.step;
        if (p.step > 0) {
            double imagesPerSecond = p.timedImages / (p.trainNanos / 1e9);
            ctx.timing("ms_per_step", msPerStep);
            ctx.timing("images_per_s", imagesPerSecond);
            out.put("ms_per_step", msPerStep);
            out.put("images_per_s", imagesPerSecond);
            ctx.logger().log(System.Logger.Level.INFO, String.format(Locale.ROOT, "%d optimizer steps, %.1f ms per"
                    + " step, %.0f images/s, %d parameters", p.step, msPerStep, imagesPerSecond, (long) parameters));
        }
        return new Result(new Metrics(ctx.stepName(), out), p.history, p.step, msPerStep);
    }

    /**
     * Mean cross-entropy and accuracy of {@code model} on {@code data}, in eval mode without gradients; the model's
     * mode is restored afterwards.
     *
     * @return {@code {mean loss, accuracy}}
     */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    public static double[] evaluate(Module model, TensorBackend b, ImageDataset data, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(from + batchSize, data.size());
                ImageBatch batch = data.batch(identity(from, to));
                try (TensorScope scope = Tensors.scope()) {
                    Tensor x = b.tensor(batch.pixels(), batch.shape());
                    Tensor y = b.tensor(batch.labelsAsLongs(), batch.size());
                    Tensor logits = model.forward(x);
                    lossSum += Functional.crossEntropy(logits, y).item() * batch.size();
                    correct += countCorrect(logits, batch.labels());
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new double[] {lossSum / data.size(), correct / (double) data.size()};
    }

    /**
     * Epoch {@code epoch}'s visiting order of {@code n} images: a Fisher-Yates shuffle from a stream that depends only
     * on {@code seed} and {@code epoch}.
     */
    public static int[] shuffled(int n, long seed, int epoch) {
        int[] idx = identity(0, n);
        SplittableRandom rng = new SplittableRandom(seed + epoch * 0x9E3779B97F4A7C15L);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    private static Optimizer optimizer(Options o, Module model) {
        return switch (o.optimizer()) {
            case "adam" -> new Adam(model.parameters(), o.lr(), 0.9, 0.999, 1e-8, o.weightDecay(), false);
            case "adamw" -> new AdamW(model.parameters(), o.lr(), 0.9, 0.999, 1e-8, o.weightDecay(), false);
            case "sgd" -> new Sgd(model.parameters(), o.lr(), o.momentum(), 0, o.weightDecay(), false);
            default -> throw new IllegalArgumentException("unknown optimizer " + o.optimizer());
        };
    }

    private static LrScheduler schedule(Options o, Optimizer opt) {
        return switch (o.schedule()) {
            case "constant" -> null;
            case "step" -> LrScheduler.stepLr(opt, o.stepSize(), o.gamma());
            case "cosine" -> LrScheduler.cosineAnnealing(opt, o.epochs(), 0);
            case "warmup-cosine" -> LrScheduler.warmupCosine(opt, o.warmupEpochs(), o.epochs(), 0.1, 0);
            default -> throw new IllegalArgumentException("unknown schedule " + o.schedule());
        };
    }

    /** One optimisation step; returns {loss, correct predictions}. Every intermediate is closed before it returns. */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    private static double[] trainBatch(Module model, Optimizer opt, TensorBackend b, ImageBatch batch) {
        try (TensorScope scope = Tensors.scope()) {
            Tensor x = b.tensor(batch.pixels(), batch.shape());
            Tensor y = b.tensor(batch.labelsAsLongs(), batch.size());
            Tensor logits = model.forward(x);
            Tensor loss = Functional.crossEntropy(logits, y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            long correct;
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                correct = countCorrect(logits.detach(), batch.labels());
            }
            return new double[] {loss.item(), correct};
        }
    }

    private static long countCorrect(Tensor logits, int[] labels) {
        long[] pred = logits.argmax(1, false).toLongArray();
        long correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += pred[i] == labels[i] ? 1 : 0;
        }
        return correct;
    }

    private static int[] identity(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return idx;
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    private static final String PROGRESS_FILE = "progress.safetensors";
    private static final Set<String> COUNTERS = Set.of("epoch", "batch", "step", "correct", "seen", "train_nanos",
            "timed_images");

    private static void save(StepContext ctx, Module model, Optimizer opt, Progress p) throws IOException {
        ctx.checkpoints().save(p.step, dir -> {
            model.save(dir.resolve("model.safetensors"));
            Optimizer.State s = opt.state();
            Map<String, RawTensor> raw = new LinkedHashMap<>(TensorWeights.toRaw(s.tensors()));
            s.counters().forEach((k, v) -> raw.put("counter." + k, RawTensor.ofLongs(new long[] {v.length}, v)));
            Safetensors.write(dir.resolve("optimizer.safetensors"), raw,
                    Map.of("learning_rate", Double.toString(s.learningRate())));
            Safetensors.write(dir.resolve(PROGRESS_FILE), progressTensors(p), progressMetadata(p));
        });
    }

    /**
     * The progress as tensors: the counters (int64), the running loss sum, the history ({@code [epochs, keys]},
     * float64, key names in the metadata) and the {@code batch_loss} curve (steps int64, losses float64).
     */
    private static Map<String, RawTensor> progressTensors(Progress p) {
        Map<String, RawTensor> t = new LinkedHashMap<>();
        long[] counters = {p.epoch, p.batch, p.step, p.correct, p.seen, p.trainNanos, p.timedImages};
        t.put("counters", RawTensor.ofLongs(new long[] {counters.length}, counters));
        t.put("loss_sum", RawTensor.ofDoubles(new long[] {1}, new double[] {p.lossSum}));
        List<String> keys = historyKeys(p);
        double[] h = new double[p.history.size() * keys.size()];
        for (int e = 0; e < p.history.size(); e++) {
            for (int k = 0; k < keys.size(); k++) {
                h[e * keys.size() + k] = p.history.get(e).get(keys.get(k));
            }
        }
        t.put("history", RawTensor.ofDoubles(new long[] {p.history.size(), keys.size()}, h));
        long[] steps = new long[p.seriesSteps.size()];
        double[] losses = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = p.seriesSteps.get(i);
            losses[i] = p.seriesLoss.get(i);
        }
        t.put("batch_loss.step", RawTensor.ofLongs(new long[] {steps.length}, steps));
        t.put("batch_loss.loss", RawTensor.ofDoubles(new long[] {losses.length}, losses));
        return t;
    }

    private static Map<String, String> progressMetadata(Progress p) {
        return Map.of("counters", "epoch,batch,step,correct,seen,train_nanos,timed_images",
                "history_keys", String.join(",", historyKeys(p)));
    }

    private static List<String> historyKeys(Progress p) {
        return p.history.isEmpty() ? List.of() : List.copyOf(p.history.get(0).keySet());
    }

    @SuppressWarnings("try") // scopes act by their extent
    private static void restore(Path dir, Module model, Optimizer opt, Progress p, TensorBackend b)
            throws IOException {
        model.load(dir.resolve("model.safetensors"), true);
        SafetensorsFile f = Safetensors.read(dir.resolve("optimizer.safetensors"));
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> counters = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith("counter.")) {
                counters.put(k.substring("counter.".length()), v.toLongArray());
            } else {
                tensors.put(k, v);
            }
        });
        double lr = Double.parseDouble(f.metadata().getOrDefault("learning_rate", Double.toString(opt.learningRate())));
        try (TensorScope scope = Tensors.scope()) {
            opt.loadState(new Optimizer.State(TensorWeights.toTensors(b, tensors), counters, lr));
        }
        SafetensorsFile st = Safetensors.read(dir.resolve(PROGRESS_FILE));
        String[] names = st.metadata().getOrDefault("counters", "").split(",");
        long[] values = st.tensor("counters").toLongArray();
        if (names.length != values.length || !Set.of(names).equals(COUNTERS)) {
            throw new IOException(dir.resolve(PROGRESS_FILE) + ": the counters " + Arrays.toString(names)
                    + " are not those this version writes " + COUNTERS + "; start a new run instead of resuming");
        }
        Map<String, Long> c = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            c.put(names[i], values[i]);
        }
        p.epoch = Math.toIntExact(c.get("epoch"));
        p.batch = Math.toIntExact(c.get("batch"));
        p.step = c.get("step");
        p.correct = c.get("correct");
        p.seen = c.get("seen");
        p.trainNanos = c.get("train_nanos");
        p.timedImages = c.get("timed_images");
        p.lossSum = st.tensor("loss_sum").toDoubleArray()[0];
        String keyList = st.metadata().getOrDefault("history_keys", "");
        List<String> keys = keyList.isEmpty() ? List.of() : List.of(keyList.split(","));
        double[] h = st.tensor("history").toDoubleArray();
        int epochs = keys.isEmpty() ? 0 : h.length / keys.size();
        for (int e = 0; e < epochs; e++) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (int k = 0; k < keys.size(); k++) {
                row.put(keys.get(k), h[e * keys.size() + k]);
            }
            p.history.add(row);
        }
        long[] steps = st.tensor("batch_loss.step").toLongArray();
        double[] losses = st.tensor("batch_loss.loss").toDoubleArray();
        for (int i = 0; i < steps.length; i++) {
            p.seriesSteps.add(steps[i]);
            p.seriesLoss.add(losses[i]);
        }
    }
}
