package io.tessera.training;

import io.tessera.api.data.DataLoader;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.apiguardian.api.API;

/**
 * The training loop: epochs of {@link DataLoader} batches, each a forward pass, the {@link Loss}, a backward pass and
 * an optimizer step; after each epoch a validation pass, the schedule's step and the {@link TrainingListener
 * listeners}. What a pipeline step adds (checkpoints in the run folder, metrics, progress bars) comes in as listeners,
 * so the loop itself knows nothing of pipelines.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.defaults().withEpochs(3).withOptimizer(OptimizerOptions.adam(2e-3));
 * Trainer<ImageBatch> trainer = Trainer.forImages(model, backend).options(o).seed(7)
 *         .listener(new CheckpointListener(checkpoints, o.checkpointEvery()))
 *         .listener(new EarlyStopping(EarlyStopOptions.on("val_loss", EarlyStopOptions.Goal.MIN, 2)))
 *         .build();
 * TrainingResult r = trainer.fit(DataLoader.ofImages(train), DataLoader.ofImages(val));
 * }</pre>
 *
 * <p><b>Deterministic.</b> Each epoch's batch order comes from the {@link DataLoader} with the trainer's seed (it
 * depends only on the seed and the epoch), so with initial weights drawn from a seed a run, a rerun and a resumed run
 * end with the same weights and metrics.
 *
 * <p><b>Resume.</b> Before the first batch the trainer asks its listeners for a checkpoint to
 * {@linkplain TrainingListener#resumeFrom() resume from} (a {@link CheckpointListener} offers its newest). It restores
 * the weights, the optimizer's state, the position, the running sums of the epoch, the history and the loss curve, then
 * continues with the next batch; a checkpoint written after the last epoch skips training altogether.
 *
 * <p><b>Failures.</b> A loss that becomes NaN or infinite stops training with an {@link IllegalStateException} naming
 * the position, the learning rate and the last good checkpoint; a cancelled run stops between batches with a
 * {@link CancellationException}.
 *
 * @param <B> the batch type
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Trainer<B> {

    private final Module model;
    private final TensorBackend backend;
    private final Batches<B> batches;
    private final TrainingOptions options;
    private final Loss loss;
    private final List<BatchMetric> metrics;
    private final List<TrainingListener> listeners;
    private final long seed;
    private final BooleanSupplier cancelled;
    private final System.Logger logger;

    private Trainer(Builder<B> b) {
        this.model = b.model;
        this.backend = b.backend;
        this.batches = b.batches;
        this.options = b.options;
        this.loss = b.loss;
        this.metrics = List.copyOf(b.metrics);
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        this.cancelled = b.cancelled;
        this.logger = b.logger;
    }

    /** A trainer of {@code model} whose batches {@code batches} turns into tensors on {@code backend}. */
    public static <B> Builder<B> builder(Module model, TensorBackend backend, Batches<B> batches) {
        return new Builder<>(model, backend, batches);
    }

    /**
     * A trainer of an image classifier: {@link io.tessera.api.data.ImageBatch}es, cross-entropy
     * ({@link Loss#crossEntropy()}) and accuracy ({@link BatchMetric#accuracy()}).
     */
    public static Builder<io.tessera.api.data.ImageBatch> forImages(Module model, TensorBackend backend) {
        return new Builder<>(model, backend, Batches.images()).loss(Loss.crossEntropy())
                .metric(BatchMetric.accuracy());
    }

    /** The options this trainer runs with. */
    public TrainingOptions options() {
        return options;
    }

    /**
     * Trains the model in place (it stays the caller's) on {@code train}, validating on {@code val} after each epoch
     * when it is not null. The trainer sets the loaders' batch size, shuffling and seed from its options (the
     * validation loader: batches of at least 256, in order).
     *
     * @throws IllegalArgumentException when the training set is empty
     * @throws IllegalStateException    when the loss becomes NaN or infinite
     * @throws CancellationException    when the run is cancelled (between batches)
     * @throws IOException              when a checkpoint cannot be written or read
     */
    public TrainingResult fit(DataLoader.Builder<B> train, DataLoader.Builder<B> val) throws IOException {
        DataLoader<B> trainLoader = train.batchSize(options.batchSize()).shuffle(options.shuffle()).seed(seed).build();
        DataLoader<B> valLoader = val == null ? null
                : val.batchSize(Math.max(options.batchSize(), 256)).shuffle(false).build();
        if (trainLoader.datasetSize() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        int perEpoch = trainLoader.batchesPerEpoch();
        if (options.maxBatches() > 0) {
            perEpoch = Math.min(perEpoch, options.maxBatches());
        }
        long examplesPerEpoch = Math.min((long) perEpoch * options.batchSize(), trainLoader.datasetSize());
        try (Optimizer opt = options.optimizer().create(model.parameters())) {
            Run run = new Run(opt, perEpoch, examplesPerEpoch);
            LrScheduler schedule = options.schedule().create(opt, options.epochs());
            Optional<Path> from = resumeFolder();
            if (from.isPresent()) {
                TrainingCheckpoint.restore(from.get(), run, backend);
                run.resumed = true;
                logger.log(System.Logger.Level.INFO, "resuming from checkpoint " + from.get() + " at epoch "
                        + (run.epoch + 1) + ", batch " + run.batch + " (optimizer step " + run.step + ")");
                if (schedule != null) {
                    for (int e = 0; e < run.epoch; e++) {
                        schedule.step();
                    }
                    opt.setLearningRate(schedule.rateAt(run.epoch));
                }
            }
            for (TrainingListener l : listeners) {
                l.onStart(run);
            }
            for (int epoch = run.epoch; epoch < options.epochs() && !run.stopRequested(); epoch++) {
                Iterator<B> it = trainLoader.epoch(epoch, run.batch).iterator();
                for (int bi = run.batch; bi < perEpoch; bi++) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancellationException("cancelled at epoch " + (epoch + 1) + ", batch " + bi);
                    }
                    B batch = it.next();
                    int size = batches.size(batch);
                    long started = System.nanoTime();
                    double[] lossAndSums = trainBatch(opt, batch);
                    run.trainNanos += System.nanoTime() - started;
                    run.timedExamples += size;
                    double batchLoss = lossAndSums[0];
                    run.step++;
                    if (!Double.isFinite(batchLoss)) {
                        throw new IllegalStateException("training diverged: the loss became " + batchLoss
                                + " at epoch " + (epoch + 1) + ", batch " + (bi + 1) + " (optimizer step " + run.step
                                + ") with lr " + opt.learningRate() + "; lower 'lr' (e.g. "
                                + options.optimizer().lr() / 10 + "), or pick another optimizer or schedule. The last"
                                + " good checkpoint is " + resumeFolder().map(Path::toString).orElse("(none)"));
                    }
                    run.sums[0] += batchLoss * size;
                    for (int m = 0; m < metrics.size(); m++) {
                        run.sums[m + 1] += lossAndSums[m + 1];
                    }
                    run.seen += size;
                    run.batch = bi + 1;
                    run.curve.add(new TrainingState.LossPoint(run.step, batchLoss));
                    for (TrainingListener l : listeners) {
                        l.onBatchEnd(run, batchLoss);
                    }
                }
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("train_loss", run.sums[0] / run.seen);
                for (int i = 0; i < metrics.size(); i++) {
                    m.put("train_" + metrics.get(i).name(), run.sums[i + 1] / run.seen);
                }
                if (valLoader != null) {
                    evaluate(valLoader).forEach((k, v) -> m.put("val_" + k, v));
                }
                m.put("lr", opt.learningRate());
                run.history.add(m);
                logger.log(System.Logger.Level.INFO, "epoch " + (epoch + 1) + "/" + options.epochs() + ": " + m);
                run.epoch = epoch + 1;
                run.batch = 0;
                run.seen = 0;
                java.util.Arrays.fill(run.sums, 0);
                if (schedule != null) {
                    schedule.step();
                }
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(run, m);
                }
            }
            if (run.stoppedEarly()) {
                logger.log(System.Logger.Level.INFO, "stopped early after epoch " + run.epoch + ": "
                        + run.stopReason);
            }
            TrainingResult result = result(run);
            for (TrainingListener l : listeners) {
                l.onEnd(run, result);
            }
            return result;
        }
    }

    /**
     * The mean loss and the {@linkplain BatchMetric metrics} of the model on {@code data} (in eval mode, without
     * gradients; the model's mode is restored afterwards), keyed {@code loss}, {@code accuracy}, ...
     */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    public Map<String, Double> evaluate(DataLoader<B> data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        double[] sums = new double[metrics.size()];
        long seen = 0;
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (B batch : data.epoch(0)) {
                try (TensorScope scope = Tensors.scope()) {
                    Tensor x = batches.input(batch, backend);
                    Tensor y = batches.target(batch, backend);
                    Tensor out = model.forward(x);
                    int size = batches.size(batch);
                    lossSum += loss.compute(out, y).item() * size;
                    for (int i = 0; i < sums.length; i++) {
                        sums[i] += metrics.get(i).sum(out, y);
                    }
                    seen += size;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", lossSum / seen);
        for (int i = 0; i < sums.length; i++) {
            out.put(metrics.get(i).name(), sums[i] / seen);
        }
        return out;
    }

    private Optional<Path> resumeFolder() {
        for (TrainingListener l : listeners) {
            Optional<Path> p = l.resumeFrom();
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** One optimisation step; returns {loss, metric sums...}. Every intermediate is closed before it returns. */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    private double[] trainBatch(Optimizer opt, B batch) {
        try (TensorScope scope = Tensors.scope()) {
            Tensor x = batches.input(batch, backend);
            Tensor y = batches.target(batch, backend);
            Tensor out = model.forward(x);
            Tensor l = loss.compute(out, y);
            opt.zeroGrad();
            l.backward();
            opt.step();
            double[] result = new double[1 + metrics.size()];
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                Tensor detached = out.detach();
                for (int i = 0; i < metrics.size(); i++) {
                    result[i + 1] = metrics.get(i).sum(detached, y);
                }
            }
            result[0] = l.item();
            return result;
        }
    }

    private TrainingResult result(Run run) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!run.history.isEmpty()) {
            run.history.get(run.history.size() - 1).forEach((k, v) -> {
                if (!k.equals("lr")) {
                    out.put(k, v);
                }
            });
        }
        double parameters = model.parameterCount();
        out.put("parameters", parameters);
        double msPerStep = run.step == 0 ? Double.NaN : run.trainNanos / 1e6 / run.step;
        if (run.step > 0 && run.trainNanos > 0) {
            double perSecond = run.timedExamples / (run.trainNanos / 1e9);
            out.put("ms_per_step", msPerStep);
            out.put("images_per_s", perSecond);
            logger.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "%d optimizer steps, %.1f ms per step,"
                    + " %.0f images/s, %d parameters", run.step, msPerStep, perSecond, (long) parameters));
        }
        return new TrainingResult(out, run.history, run.step, msPerStep, run.stoppedEarly());
    }

    /** The position and running sums of one {@link #fit} call. */
    final class Run implements TrainingState {
        final Optimizer optimizer;
        final int perEpoch;
        final long examplesPerEpoch;
        int epoch;
        int batch;
        long step;
        long seen;
        long trainNanos;
        long timedExamples;
        /** The loss, then each metric, summed over the examples of the current epoch. */
        final double[] sums = new double[1 + metrics.size()];
        final List<Map<String, Double>> history = new ArrayList<>();
        final List<LossPoint> curve = new ArrayList<>();
        boolean resumed;
        String stopReason;

        Run(Optimizer optimizer, int perEpoch, long examplesPerEpoch) {
            this.optimizer = optimizer;
            this.perEpoch = perEpoch;
            this.examplesPerEpoch = examplesPerEpoch;
        }

        /** Whether a listener's stop request ended the run before its last epoch. */
        boolean stoppedEarly() {
            return stopReason != null && epoch < options.epochs();
        }

        List<String> sumNames() {
            List<String> names = new ArrayList<>();
            names.add("loss");
            metrics.forEach(m -> names.add(m.name()));
            return names;
        }

        @Override
        public Module model() {
            return model;
        }

        @Override
        public int epochs() {
            return options.epochs();
        }

        @Override
        public int epoch() {
            return epoch;
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int batchesPerEpoch() {
            return perEpoch;
        }

        @Override
        public long step() {
            return step;
        }

        @Override
        public long seen() {
            return seen;
        }

        @Override
        public long examplesPerEpoch() {
            return examplesPerEpoch;
        }

        @Override
        public double learningRate() {
            return optimizer.learningRate();
        }

        @Override
        public List<Map<String, Double>> history() {
            return java.util.Collections.unmodifiableList(history);
        }

        @Override
        public List<LossPoint> lossCurve() {
            return java.util.Collections.unmodifiableList(curve);
        }

        @Override
        public boolean resumed() {
            return resumed;
        }

        @Override
        public void save(Path folder) throws IOException {
            TrainingCheckpoint.save(folder, this);
        }

        @Override
        public void requestStop(String reason) {
            if (stopReason == null) {
                stopReason = Objects.requireNonNull(reason, "reason");
            }
        }

        @Override
        public boolean stopRequested() {
            return stopReason != null;
        }
    }

    /** Settings of a {@link Trainer}; defaults: {@link TrainingOptions#defaults()}, cross-entropy, seed 0. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public static final class Builder<B> {
        private final Module model;
        private final TensorBackend backend;
        private final Batches<B> batches;
        private TrainingOptions options = TrainingOptions.defaults();
        private Loss loss = Loss.crossEntropy();
        private final List<BatchMetric> metrics = new ArrayList<>();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private long seed;
        private BooleanSupplier cancelled = () -> false;
        private System.Logger logger = System.getLogger("io.tessera.training");

        private Builder(Module model, TensorBackend backend, Batches<B> batches) {
            this.model = Objects.requireNonNull(model, "model");
            this.backend = Objects.requireNonNull(backend, "backend");
            this.batches = Objects.requireNonNull(batches, "batches");
        }

        /** The settings of the run. */
        public Builder<B> options(TrainingOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** What to minimise. */
        public Builder<B> loss(Loss loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /** A metric to report per epoch besides the loss ({@code train_<name>}, {@code val_<name>}). */
        public Builder<B> metric(BatchMetric metric) {
            this.metrics.add(Objects.requireNonNull(metric, "metric"));
            return this;
        }

        /** The seed of the batch order (the initial weights are the model's business). */
        public Builder<B> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** A listener; listeners run in the order they were added. */
        public Builder<B> listener(TrainingListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Listeners, in order. */
        public Builder<B> listeners(List<? extends TrainingListener> listeners) {
            listeners.forEach(this::listener);
            return this;
        }

        /** Asked between batches whether to stop with a {@link CancellationException}. */
        public Builder<B> cancelled(BooleanSupplier cancelled) {
            this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
            return this;
        }

        /** Where the trainer logs epochs, resumes and timings. */
        public Builder<B> logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** The trainer. */
        public Trainer<B> build() {
            return new Trainer<>(this);
        }
    }
}
