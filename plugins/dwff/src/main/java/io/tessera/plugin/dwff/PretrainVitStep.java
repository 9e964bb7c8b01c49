package io.tessera.plugin.dwff;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.training.pipeline.EpochLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dwff/pretrain-vit}: pre-trains the small {@link PatchVit} encoder on training-split images
 * ({@link VitPretraining}); the decoder steps then use it frozen.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PretrainVitStep implements Step<PretrainVitStep.Config> {

    /**
     * Configuration of {@code dwff/pretrain-vit}.
     *
     * @param height    canvas height (that of the scenes)
     * @param width     canvas width (that of the scenes)
     * @param dim       token width D
     * @param depth     transformer blocks (the levels come from their outputs)
     * @param heads     attention heads
     * @param mlpRatio  MLP width as a multiple of D
     * @param epochs    passes over the images
     * @param batchSize images per step
     * @param lr        AdamW learning rate
     * @param limit     use only the first N training images; 0 uses all
     * @param itemScale factor by which items are enlarged before placement (use that of dwff/scenes)
     * @param placement item corners at random multiples of this many pixels (use that of dwff/scenes)
     * @param pool      {@code mean} (the head reads the mean of the patch tokens) or {@code cls} (the class token)
     * @param seed      initial weights, order and placements; -1 derives it from the pipeline seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("canvas height, equal to the scenes'") @Range(min = 16, max = 4096) int height,
            @Description("canvas width, equal to the scenes'") @Range(min = 16, max = 4096) int width,
            @Description("token width D") @Range(min = 1, max = 4096) int dim,
            @Description("transformer blocks") @Range(min = 1, max = 64) int depth,
            @Description("attention heads (must divide dim)") @Range(min = 1, max = 64) int heads,
            @Description("MLP width as a multiple of dim") @Range(min = 1, max = 16) int mlpRatio,
            @Description("passes over the training images") @Range(min = 1, max = 10_000) int epochs,
            @Description("images per optimizer step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("AdamW learning rate (cosine schedule)") @Range(min = 0, minExclusive = true, max = 10)
            double lr,
            @Description("use only the first N training images; 0 uses all") @Range(min = 0) int limit,
            @Description("factor in [1, 8] by which items are enlarged before placement; use that of dwff/scenes")
            @Range(min = 1, max = 8) double itemScale,
            @Description("item corners at random multiples of this many pixels (1 anywhere, 16 on the patch grid);"
                    + " use that of dwff/scenes") @Range(min = 1, max = 4096) int placement,
            @Description("what the pre-training head reads: mean (mean of the patch tokens, so each patch token"
                    + " carries the class of what it covers) or cls (the class token)") @OneOf({"mean", "cls"})
            String pool,
            @Description("seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed) {

        public Config {
            new VitPretraining.Options(dim, depth, heads, mlpRatio, epochs, batchSize, lr, pooling(pool), itemScale,
                    placement);
        }

        static PatchVit.Pooling pooling(String pool) {
            return "cls".equals(pool) ? PatchVit.Pooling.CLS : PatchVit.Pooling.MEAN;
        }
    }

    @Override
    public String name() {
        return "dwff/pretrain-vit";
    }

    @Override
    public String description() {
        return "pre-trains a small patch-16 ViT on training-split items placed on the scene canvas (cross-entropy"
                + " from the mean of the patch tokens or the class token); it is then the frozen encoder of the DWFF"
                + " decoders";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(64, 64, 64, 4, 4, 2, 3, 64, 1e-3, 0, 1.0, 1, "mean", -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "training-split images"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("encoder", PatchVit.class, "the pre-trained encoder (eval mode)"),
                Port.of("metrics", Metrics.class, "last-epoch loss and parameter count"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        ImageDataset train = in.get("train", ImageDataset.class);
        if (c.limit() > 0 && c.limit() < train.size() && train instanceof io.tessera.api.data.ArrayImageDataset a) {
            train = a.slice(0, c.limit());
        }
        VitPretraining.Options o = new VitPretraining.Options(c.dim(), c.depth(), c.heads(), c.mlpRatio(),
                c.epochs(), c.batchSize(), c.lr(), Config.pooling(c.pool()), c.itemScale(), c.placement());
        int steps = c.epochs() * ((train.size() + c.batchSize() - 1) / c.batchSize());
        double[] last = {Double.NaN};
        long start = System.nanoTime();
        PatchVit vit = VitPretraining.pretrain(ctx.backend(), train, c.height(), c.width(), o, seed,
                new SceneTraining.Listener() {
                    @Override
                    public void step(long step, double loss) {
                        ctx.series("vit_batch_loss", step, loss);
                        ctx.progress(step, steps, "ViT pre-training loss " + String.format("%.4f", loss));
                    }

                    @Override
                    public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                        last[0] = meanLoss;
                        ctx.service(EpochLog.class).ifPresent(log ->
                                log.epochEnd(epoch, epochs, Map.of("vit_train_loss", meanLoss, "lr", lr)));
                    }

                    @Override
                    public boolean cancelled() {
                        return ctx.cancelled();
                    }
                });
        ctx.timing("ms_per_step", (System.nanoTime() - start) / 1e6 / Math.max(1, steps));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("vit_train_loss", last[0]);
        m.put("parameters", (double) vit.parameterCount());
        m.forEach(ctx::metric);
        ctx.logger().log(System.Logger.Level.INFO, "pre-trained " + vit + " on " + train.size() + " images");
        return new PortValues(Map.of("encoder", vit, "metrics", new Metrics(ctx.stepName(), m)));
    }
}
