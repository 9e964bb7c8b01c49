package io.tessera.host.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.io.RawTensor;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.Adam;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.optim.Sgd;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

/**
 * {@code core/train}: trains a built-in image classifier ({@code cnn-small} or {@code mlp}) with cross-entropy.
 *
 * <p>Deterministic: the initial weights come from the step's seed, each epoch's batch order from the seed and the
 * epoch number, and nothing else draws random numbers. A checkpoint (every {@code checkpoint_every} optimizer steps
 * and at every epoch end) holds the weights, the optimizer's state, the position (epoch, batch, optimizer step), the
 * running sums of the epoch and the history so far, so a resumed run ends with the metrics of an uninterrupted one.
 * A loss that becomes NaN or infinite stops the step with a message saying where and what to change.
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
            @Range(min = 0) int maxBatches) {

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
        return List.of(Port.of("train", ImageDataset.class, "the training images"),
                Port.optional("val", ImageDataset.class, "images to measure loss and accuracy on after each epoch"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("model", Module.class, "the trained model"),
                Port.of("weights", Path.class, "the trained weights (safetensors) in the step's folder"));
    }

    /** The position and running sums of a training run: what a checkpoint restores besides tensors. */
    private static final class Progress {
        int epoch;
        int batch;
        long step;
        double lossSum;
        long correct;
        long seen;
        final List<Map<String, Double>> history = new ArrayList<>();
        final List<double[]> series = new ArrayList<>();
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        ImageDataset train = in.get("train", ImageDataset.class);
        Optional<ImageDataset> val = in.find("val", ImageDataset.class);
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        TensorBackend b = ctx.backend();
        long seed = ctx.seed();
        Module model = Models.create(c.model(), train.channels(), train.height(), train.width(), train.numClasses(),
                c.hidden(), b, new Generator(seed));
        boolean done = false;
        try (Optimizer opt = optimizer(c, model)) {
            LrScheduler schedule = schedule(c, opt);
            int n = train.size();
            int perEpoch = (n + c.batchSize() - 1) / c.batchSize();
            if (c.maxBatches() > 0) {
                perEpoch = Math.min(perEpoch, c.maxBatches());
            }
            Progress p = new Progress();
            Optional<Path> last = ctx.checkpoints().latest();
            if (last.isPresent()) {
                restore(last.get(), model, opt, p, b);
                ctx.logger().log(System.Logger.Level.INFO, "resuming from checkpoint " + last.get() + " at epoch "
                        + (p.epoch + 1) + ", batch " + p.batch + " (optimizer step " + p.step + ")");
                for (int i = 0; i < p.history.size(); i++) {
                    ctx.epochEnd(i + 1, c.epochs(), p.history.get(i));
                }
                for (double[] pt : p.series) {
                    ctx.series("batch_loss", (long) pt[0], pt[1]);
                }
                if (schedule != null) {
                    for (int e = 0; e < p.epoch; e++) {
                        schedule.step();
                    }
                    opt.setLearningRate(schedule.rateAt(p.epoch));
                }
            }
            long shuffleSeed = new SplittableRandom(seed).split().nextLong();
            for (int epoch = p.epoch; epoch < c.epochs(); epoch++) {
                int[] order = c.shuffle() ? shuffled(n, shuffleSeed, epoch) : identity(n);
                for (int bi = p.batch; bi < perEpoch; bi++) {
                    if (ctx.cancelled()) {
                        throw new CancellationException("cancelled at epoch " + (epoch + 1) + ", batch " + bi);
                    }
                    int from = bi * c.batchSize();
                    int to = Math.min(from + c.batchSize(), n);
                    int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                    ImageBatch batch = train.batch(idx);
                    double[] lossAndCorrect = trainBatch(model, opt, b, batch);
                    double loss = lossAndCorrect[0];
                    p.step++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training diverged: the loss became " + loss + " at epoch "
                                + (epoch + 1) + ", batch " + (bi + 1) + " (optimizer step " + p.step + ") with lr "
                                + opt.learningRate() + "; lower 'lr' (e.g. " + c.lr() / 10 + "), or pick another"
                                + " optimizer or schedule. The last good checkpoint is "
                                + ctx.checkpoints().latest().map(Path::toString).orElse("(none)"));
                    }
                    p.lossSum += loss * batch.size();
                    p.correct += (long) lossAndCorrect[1];
                    p.seen += batch.size();
                    p.batch = bi + 1;
                    p.series.add(new double[] {p.step, loss});
                    ctx.series("batch_loss", p.step, loss);
                    ctx.progress(p.seen, Math.min((long) perEpoch * c.batchSize(), n), String.format(Locale.ROOT,
                            "epoch %d/%d loss %.4f", epoch + 1, c.epochs(), loss));
                    if (c.checkpointEvery() > 0 && p.step % c.checkpointEvery() == 0 && p.batch < perEpoch) {
                        save(ctx, model, opt, p);
                    }
                }
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("train_loss", p.lossSum / p.seen);
                m.put("train_accuracy", p.correct / (double) p.seen);
                if (val.isPresent()) {
                    double[] lv = evaluate(model, b, val.get(), Math.max(c.batchSize(), 256));
                    m.put("val_loss", lv[0]);
                    m.put("val_accuracy", lv[1]);
                }
                m.put("lr", opt.learningRate());
                p.history.add(m);
                ctx.epochEnd(epoch + 1, c.epochs(), m);
                ctx.logger().log(System.Logger.Level.INFO, "epoch " + (epoch + 1) + "/" + c.epochs() + ": " + m);
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
            Map<String, Double> lastEpoch = p.history.get(p.history.size() - 1);
            lastEpoch.forEach((k, v) -> {
                if (!k.equals("lr")) {
                    ctx.metric(k, v);
                }
            });
            ctx.metric("parameters", model.parameterCount());
            Path weights = ctx.workDirectory().resolve("model.safetensors");
            model.save(weights, Map.of("architecture", c.model(), "format", "pt"));
            done = true;
            return PortValues.of("model", model, "weights", weights);
        } finally {
            if (!done) {
                model.close();
            }
        }
    }

    private static Optimizer optimizer(Config c, Module model) {
        return switch (c.optimizer()) {
            case "adam" -> new Adam(model.parameters(), c.lr(), 0.9, 0.999, 1e-8, c.weightDecay(), false);
            case "adamw" -> new AdamW(model.parameters(), c.lr(), 0.9, 0.999, 1e-8, c.weightDecay(), false);
            case "sgd" -> new Sgd(model.parameters(), c.lr(), c.momentum(), 0, c.weightDecay(), false);
            default -> throw new IllegalArgumentException("unknown optimizer " + c.optimizer());
        };
    }

    private static LrScheduler schedule(Config c, Optimizer opt) {
        return switch (c.schedule()) {
            case "constant" -> null;
            case "step" -> LrScheduler.stepLr(opt, c.stepSize(), c.gamma());
            case "cosine" -> LrScheduler.cosineAnnealing(opt, c.epochs(), 0);
            case "warmup-cosine" -> LrScheduler.warmupCosine(opt, c.warmupEpochs(), c.epochs(), 0.1, 0);
            default -> throw new IllegalArgumentException("unknown schedule " + c.schedule());
        };
    }

    /** One optimisation step; returns {loss, correct predictions}. Every intermediate is closed before it returns. */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    private static double[] trainBatch(Module model, Optimizer opt, TensorBackend b, ImageBatch batch) {
        try (TensorScope scope = Tensors.scope()) {
            Tensor x = b.tensor(batch.pixels(), batch.shape());
            Tensor y = b.tensor(batch.labelsAsLongs(), batch.size());
            Tensor logits = model.forward(x);
            Tensor loss = Losses.crossEntropy(logits, y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            long[] pred;
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                pred = logits.detach().argmax(1, false).toLongArray();
            }
            int[] labels = batch.labels();
            long correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += pred[i] == labels[i] ? 1 : 0;
            }
            return new double[] {loss.item(), correct};
        }
    }

    /** Mean cross-entropy and accuracy on {@code data}, in eval mode without gradients. */
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    static double[] evaluate(Module model, TensorBackend b, ImageDataset data, int batchSize) {
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
                    lossSum += Losses.crossEntropy(logits, y).item() * batch.size();
                    long[] pred = logits.argmax(1, false).toLongArray();
                    int[] labels = batch.labels();
                    for (int i = 0; i < labels.length; i++) {
                        correct += pred[i] == labels[i] ? 1 : 0;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new double[] {lossSum / data.size(), correct / (double) data.size()};
    }

    static int[] identity(int n) {
        return identity(0, n);
    }

    private static int[] identity(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return idx;
    }

    /** Epoch {@code epoch}'s order: a Fisher-Yates shuffle from a stream that depends only on seed and epoch. */
    static int[] shuffled(int n, long seed, int epoch) {
        int[] idx = identity(n);
        SplittableRandom rng = new SplittableRandom(seed + epoch * 0x9E3779B97F4A7C15L);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    private static void save(StepContext ctx, Module model, Optimizer opt, Progress p) throws IOException {
        ctx.checkpoints().save(p.step, dir -> {
            model.save(dir.resolve("model.safetensors"));
            Optimizer.State s = opt.state();
            Map<String, RawTensor> raw = new LinkedHashMap<>(TensorWeights.toRaw(s.tensors()));
            s.counters().forEach((k, v) -> raw.put("counter." + k, RawTensor.ofLongs(new long[] {v.length}, v)));
            Safetensors.write(dir.resolve("optimizer.safetensors"), raw,
                    Map.of("learning_rate", Double.toString(s.learningRate())));
            ObjectNode st = PipelineTrees.JSON.createObjectNode();
            st.put("epoch", p.epoch);
            st.put("batch", p.batch);
            st.put("step", p.step);
            st.put("loss_sum", p.lossSum);
            st.put("correct", p.correct);
            st.put("seen", p.seen);
            ArrayNode history = st.putArray("history");
            for (Map<String, Double> h : p.history) {
                ObjectNode row = history.addObject();
                h.forEach(row::put);
            }
            ArrayNode series = st.putArray("batch_loss");
            for (double[] pt : p.series) {
                series.addArray().add((long) pt[0]).add(pt[1]);
            }
            Files.writeString(dir.resolve("state.json"), PipelineTrees.JSON.writeValueAsString(st));
        });
    }

    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
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
        JsonNode st = PipelineTrees.JSON.readTree(dir.resolve("state.json").toFile());
        p.epoch = st.get("epoch").asInt();
        p.batch = st.get("batch").asInt();
        p.step = st.get("step").asLong();
        p.lossSum = st.get("loss_sum").asDouble();
        p.correct = st.get("correct").asLong();
        p.seen = st.get("seen").asLong();
        for (JsonNode row : st.get("history")) {
            Map<String, Double> h = new LinkedHashMap<>();
            row.fields().forEachRemaining(e -> h.put(e.getKey(), e.getValue().asDouble()));
            p.history.add(h);
        }
        for (JsonNode pt : st.get("batch_loss")) {
            p.series.add(new double[] {pt.get(0).asLong(), pt.get(1).asDouble()});
        }
    }
}
