package io.tessera.plugin.fdconv;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.nn.Module;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.training.TrainingOptions;
import io.tessera.training.models.ReferenceCnn;
import io.tessera.training.pipeline.StepTraining;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code fdconv/train-classifier}: trains the training module's {@link ReferenceCnn reference CNN} with
 * the chosen convolutions replaced by {@link FDConv2d} (or by the {@link CondConv2d} baseline, or none; see
 * {@link CnnVariant}), with the training loop of {@code core/train} ({@link io.tessera.training.Trainer} through
 * {@link StepTraining}: optimizers, schedules, validation, checkpoints and resume) and the same {@code training:}
 * block.
 *
 * <pre>{@code
 * train_fd:
 *   uses: fdconv/train-classifier
 *   with:
 *     layer: fdconv
 *     replace: [conv2]
 *     kernel_num: 4
 *     seed: 7
 *     training: { epochs: 1, batch_size: 128, optimizer: { type: adam, lr: 0.001 } }
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
     * @param layer       what the convolutions named in {@code replace} become
     * @param replace     the convolutions to replace: {@code conv1}, {@code conv2}
     * @param kernelNum   FDConv {@code kernel_num}; 0 is the official {@code None} ({@code Cout/2})
     * @param useFbm      FDConv frequency band modulation of the input ({@code use_fbm_if_k_in} [3] or [])
     * @param useKsmLocal FDConv local kernel spatial modulation ({@code use_ksm_local})
     * @param experts     CondConv: the number of parallel kernels
     * @param routing     CondConv: {@code sigmoid} or {@code softmax} attention
     * @param seed        initial weights and batch order; -1 derives it from the pipeline's seed and the step id
     * @param training    epochs, batch size, optimizer, schedule, checkpoints, ... (the {@code training:} block of
     *                    {@code core/train})
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("what the convolutions in 'replace' become: fdconv, condconv (K full kernels mixed by"
                    + " input-dependent attention) or plain (the reference CNN unchanged)") CnnVariant.Layer layer,
            @Description("convolutions of the reference CNN to replace: conv1 (1->32; FDConv keeps it plain, spec §3),"
                    + " conv2 (32->64)") List<String> replace,
            @Description("FDConv kernel_num (frequency groups); 0 is the official None, i.e. Cout/2")
            @Range(min = 0, max = 4096) int kernelNum,
            @Description("FDConv frequency band modulation of the input (FBM)") boolean useFbm,
            @Description("FDConv local kernel spatial modulation (KSM local)") boolean useKsmLocal,
            @Description("CondConv: number of parallel full kernels") @Range(min = 1, max = 64) int experts,
            @Description("CondConv: attention over the kernels, sigmoid (CondConv) or softmax (DyConv)")
            CondConv2d.Routing routing,
            @Description("seed of the initial weights and batch order; -1 derives it from the pipeline seed and the"
                    + " step id (give several steps the same seed to compare them fairly)")
            @Range(min = -1) long seed,
            @Description("how to train: epochs, batch size, optimizer, schedule, checkpoints, early stop")
            TrainingOptions training) {

        public Config {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(routing, "routing");
            Objects.requireNonNull(training, "training");
            replace = List.copyOf(replace);
            for (String r : replace) {
                if (!ReferenceCnn.CONVOLUTIONS.contains(r)) {
                    throw new IllegalArgumentException("replace lists '" + r + "', but the reference CNN's"
                            + " convolutions are " + ReferenceCnn.CONVOLUTIONS);
                }
            }
            if (layer != CnnVariant.Layer.PLAIN && replace.isEmpty()) {
                throw new IllegalArgumentException("replace is empty, so layer '" + layer.key() + "' would change"
                        + " nothing; list conv1 and/or conv2, or use layer: plain");
            }
            if (layer == CnnVariant.Layer.FDCONV && training.batchSize() < 2) {
                throw new IllegalArgumentException("training.batch_size is " + training.batchSize() + ", but FDConv's"
                        + " batch norm needs at least 2 images per batch in training mode");
            }
        }

        /** The network variant this config trains. */
        public CnnVariant variant() {
            FDConvOptions.Builder fd = FDConvOptions.builder().kernelNum(kernelNum).useKsmLocal(useKsmLocal);
            if (!useFbm) {
                fd.useFbmIfKIn(List.of());
            }
            return new CnnVariant(layer, Set.copyOf(replace), fd.build(), experts, routing);
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
        return new Config(CnnVariant.Layer.FDCONV, List.of("conv2"), 4, true, true, 4, CondConv2d.Routing.SIGMOID, -1,
                TrainingOptions.defaults());
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
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        return StepTraining.trainClassifier(ctx, in, c.training(), seed, train -> {
            requireLastBatchOfTwo(train, c);
            ReferenceCnn model = c.variant().build(ctx.backend(), seed, train.channels(), train.height(),
                    train.width(), train.numClasses());
            ctx.logger().log(System.Logger.Level.INFO, "training " + architecture(model, c) + " ("
                    + model.parameterCount() + " parameters) with seed " + seed);
            return model;
        }, model -> architecture(model, c));
    }

    /** FDConv's batch norm needs at least 2 images in training mode, so the last batch of an epoch may not hold 1. */
    private static void requireLastBatchOfTwo(ImageDataset train, Config c) {
        int batchSize = c.training().batchSize();
        int maxBatches = c.training().maxBatches();
        int batches = (train.size() + batchSize - 1) / batchSize;
        if (c.layer() == CnnVariant.Layer.FDCONV && train.size() % batchSize == 1
                && (maxBatches == 0 || maxBatches >= batches)) {
            int other = batchSize + 1;
            while (train.size() % other == 1) {
                other++;
            }
            throw new IllegalArgumentException("the last batch of each epoch would hold 1 of the " + train.size()
                    + " training images, and FDConv's batch norm needs at least 2 in training mode; pick another"
                    + " training.batch_size (e.g. " + other + ") or limit the data");
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
