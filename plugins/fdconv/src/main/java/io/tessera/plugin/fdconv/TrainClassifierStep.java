package io.tessera.plugin.fdconv;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.nn.Module;
import io.tessera.api.pipeline.ClassifierTraining;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code fdconv/train-classifier}: trains the {@link ReferenceCnn reference CNN} with the chosen
 * convolutions replaced by {@link FDConv2d} (or by the {@link CondConv2d} baseline, or none), through the training
 * loop of {@code core/train} ({@link ClassifierTraining}: optimizers, schedules, validation, checkpoints and resume).
 *
 * <pre>{@code
 * train_fd:
 *   uses: fdconv/train-classifier
 *   with: { layer: fdconv, replace: [conv2], kernel_num: 4, use_fbm: true, use_ksm_local: true, epochs: 1,
 *           batch_size: 128, seed: 7 }
 *   inputs: { train: data.train, val: data.test }
 * }</pre>
 *
 * <p>Outputs the model, its weights ({@code model.safetensors} in the step's folder) and its training metrics
 * (last epoch, {@code parameters}, {@code ms_per_step}, {@code images_per_s}), which {@code core/evaluate}'s
 * {@code training} input carries into a {@code core/compare} table.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainClassifierStep implements Step<TrainClassifierStep.Config> {

    /**
     * Configuration of {@code fdconv/train-classifier}.
     *
     * @param layer           what the convolutions named in {@code replace} become
     * @param replace         the convolutions to replace: {@code conv1}, {@code conv2}
     * @param kernelNum       FDConv {@code kernel_num}; 0 is the official {@code None} ({@code Cout/2})
     * @param useFbm          FDConv frequency band modulation of the input ({@code use_fbm_if_k_in} [3] or [])
     * @param useKsmLocal     FDConv local kernel spatial modulation ({@code use_ksm_local})
     * @param experts         CondConv: the number of parallel kernels
     * @param routing         CondConv: {@code sigmoid} or {@code softmax} attention
     * @param seed            initial weights and batch order; -1 derives it from the pipeline's seed and the step id
     * @param epochs          passes over the training set
     * @param batchSize       images per optimizer step
     * @param optimizer       the optimizer
     * @param lr              the base learning rate
     * @param momentum        SGD momentum
     * @param weightDecay     weight decay
     * @param schedule        the learning-rate schedule over epochs
     * @param stepSize        epochs between decays of the {@code step} schedule
     * @param gamma           decay factor of the {@code step} schedule
     * @param warmupEpochs    warm-up epochs of {@code warmup-cosine}
     * @param checkpointEvery optimizer steps between checkpoints; 0 checkpoints at epoch ends only
     * @param shuffle         whether each epoch visits the images in a new random order
     * @param maxBatches      stop each epoch after this many batches; 0 uses them all
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("what the convolutions in 'replace' become: fdconv, condconv (K full kernels mixed by"
                    + " input-dependent attention) or plain (the reference CNN unchanged)")
            @OneOf({"fdconv", "condconv", "plain"}) String layer,
            @Description("convolutions of the reference CNN to replace: conv1 (1->32; FDConv keeps it plain, spec §3),"
                    + " conv2 (32->64)") List<String> replace,
            @Description("FDConv kernel_num (frequency groups); 0 is the official None, i.e. Cout/2")
            @Range(min = 0, max = 4096) int kernelNum,
            @Description("FDConv frequency band modulation of the input (FBM)") boolean useFbm,
            @Description("FDConv local kernel spatial modulation (KSM local)") boolean useKsmLocal,
            @Description("CondConv: number of parallel full kernels") @Range(min = 1, max = 64) int experts,
            @Description("CondConv: attention over the kernels, sigmoid (CondConv) or softmax (DyConv)")
            @OneOf({"sigmoid", "softmax"}) String routing,
            @Description("seed of the initial weights and batch order; -1 derives it from the pipeline seed and the"
                    + " step id (give several steps the same seed to compare them fairly)")
            @Range(min = -1) long seed,
            @Description("passes over the training set") @Range(min = 1, max = 100_000) int epochs,
            @Description("images per optimizer step (FDConv's batch norm needs at least 2)")
            @Range(min = 2, max = 65_536) int batchSize,
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
            @Description("visit the training images in a new random order every epoch") boolean shuffle,
            @Description("stop each epoch after this many batches (quick trials); 0 uses every batch")
            @Range(min = 0) int maxBatches) implements ClassifierTraining.Settings {

        public Config {
            replace = List.copyOf(replace);
            for (String r : replace) {
                if (!ReferenceCnn.CONVOLUTIONS.contains(r)) {
                    throw new IllegalArgumentException("replace lists '" + r + "', but the reference CNN's"
                            + " convolutions are " + ReferenceCnn.CONVOLUTIONS);
                }
            }
            if (!layer.equals("plain") && replace.isEmpty()) {
                throw new IllegalArgumentException("replace is empty, so layer '" + layer + "' would change nothing;"
                        + " list conv1 and/or conv2, or use layer: plain");
            }
            // what the annotations say, checked again for configs built in Java (the fields are not assigned yet,
            // so the parameters go in directly)
            new ClassifierTraining.Options(epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule,
                    stepSize, gamma, warmupEpochs, checkpointEvery, shuffle, maxBatches);
        }

        /** The network variant this config trains. */
        public ReferenceCnn.Variant variant() {
            FDConvOptions.Builder fd = FDConvOptions.builder().kernelNum(kernelNum).useKsmLocal(useKsmLocal);
            if (!useFbm) {
                fd.useFbmIfKIn(List.of());
            }
            return new ReferenceCnn.Variant(ReferenceCnn.Layer.valueOf(layer.toUpperCase(Locale.ROOT)),
                    Set.copyOf(replace), fd.build(), experts,
                    CondConv2d.Routing.valueOf(routing.toUpperCase(Locale.ROOT)));
        }
    }

    @Override
    public String name() {
        return "fdconv/train-classifier";
    }

    @Override
    public String description() {
        return "trains the reference CNN with chosen convolutions as FDConv (or CondConv, or plain), with checkpoints";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("fdconv", List.of("conv2"), 4, true, true, 4, "sigmoid", -1, 1, 64, "adam", 1e-3, 0.9, 0,
                "constant", 1, 0.1, 0, 0, true, 0);
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
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        return ClassifierTraining.runStep(ctx, in, c.training(), seed, train -> {
            requireLastBatchOfTwo(train, c);
            ReferenceCnn model = new ReferenceCnn(ctx.backend(), seed, train.channels(), train.height(),
                    train.width(), train.numClasses(), c.variant());
            ctx.logger().log(System.Logger.Level.INFO, "training " + architecture(model, c) + " ("
                    + model.parameterCount() + " parameters) with seed " + seed);
            return model;
        }, model -> architecture(model, c));
    }

    /** FDConv's batch norm needs at least 2 images in training mode, so the last batch of an epoch may not hold 1. */
    private static void requireLastBatchOfTwo(ImageDataset train, Config c) {
        int batches = (train.size() + c.batchSize() - 1) / c.batchSize();
        if (c.layer().equals("fdconv") && train.size() % c.batchSize() == 1
                && (c.maxBatches() == 0 || c.maxBatches() >= batches)) {
            int other = c.batchSize() + 1;
            while (train.size() % other == 1) {
                other++;
            }
            throw new IllegalArgumentException("the last batch of each epoch would hold 1 of the " + train.size()
                    + " training images, and FDConv's batch norm needs at least 2 in training mode; pick another"
                    + " batch_size (e.g. " + other + ") or limit the data");
        }
    }

    /** One line on the network, e.g. {@code reference-cnn conv1=plain conv2=fdconv(kernel_num=4, ...)}. */
    private static String architecture(ReferenceCnn model, Config c) {
        return "reference-cnn conv1=" + describe(model.conv1(), c) + " conv2=" + describe(model.conv2(), c);
    }

    private static String describe(Module conv, Config c) {
        if (conv instanceof FDConv2d fd) {
            return fd.isFrequencyDynamic() ? "fdconv(kernel_num=" + fd.kernelNum() + ", fbm=" + fd.hasFbm()
                    + ", ksm_local=" + c.useKsmLocal() + ")" : "plain(fdconv fallback, spec §3)";
        }
        if (conv instanceof CondConv2d cc) {
            return "condconv(experts=" + cc.experts() + ", routing=" + cc.routing().name().toLowerCase(Locale.ROOT)
                    + ")";
        }
        return "plain";
    }
}
