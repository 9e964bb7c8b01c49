package io.tessera.plugin.dcd;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
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
 * Pipeline step {@code dcd/train-teacher}: trains the {@link CrossEncoder} teacher on training composites
 * ({@link DcdTraining#trainTeacher}); the distillation steps then use it frozen.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainTeacherStep implements Step<TrainTeacherStep.Config> {

    /**
     * Configuration of {@code dcd/train-teacher}.
     *
     * @param patch     patch side (divides the canvas)
     * @param dim       token width
     * @param depth     cross layers
     * @param heads     attention heads
     * @param negatives negative captions per image (swapped, one class changed, then random)
     * @param epochs    passes over the composites
     * @param batchSize composites per step
     * @param lr        AdamW learning rate
     * @param stemHidden feature width of the pretrained item stem (image tokens, one per item); 0 for patch tokens
     * @param stemEpochs epochs of the stem's pretraining on the training items
     * @param seed      initial weights, order and negatives; -1 derives it from the pipeline seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("patch side; must divide the canvas height and width") @Range(min = 1, max = 64) int patch,
            @Description("token width") @Range(min = 1, max = 4096) int dim,
            @Description("cross-modal transformer layers") @Range(min = 1, max = 64) int depth,
            @Description("attention heads (must divide dim)") @Range(min = 1, max = 64) int heads,
            @Description("negative captions per image: its swapped caption, one with a class changed, the rest"
                    + " random") @Range(min = 1, max = 64) int negatives,
            @Description("passes over the training composites") @Range(min = 1, max = 10_000) int epochs,
            @Description("composites per optimizer step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("AdamW learning rate (cosine schedule)") @Range(min = 0, minExclusive = true, max = 10)
            double lr,
            @Description("feature width of the item stem (a small CNN pretrained on the training items) whose"
                    + " features are the image tokens, one per item; 0 for strided-convolution patch tokens")
            @Range(min = 0, max = 4096) int stemHidden,
            @Description("epochs of the stem's pretraining (item classification)") @Range(min = 0, max = 1000)
            int stemEpochs,
            @Description("seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed) {

        public Config {
            options(patch, dim, depth, heads, negatives, epochs, batchSize, lr, stemHidden, stemEpochs);
        }

        private static DcdTraining.TeacherOptions options(int patch, int dim, int depth, int heads, int negatives,
                                                          int epochs, int batchSize, double lr, int stemHidden,
                                                          int stemEpochs) {
            return new DcdTraining.TeacherOptions(patch, dim, depth, heads, negatives, epochs, batchSize, lr,
                    stemHidden, stemEpochs);
        }

        DcdTraining.TeacherOptions options() {
            return options(patch, dim, depth, heads, negatives, epochs, batchSize, lr, stemHidden, stemEpochs);
        }
    }

    @Override
    public String name() {
        return "dcd/train-teacher";
    }

    @Override
    public String description() {
        return "trains the cross-encoder teacher (joint attention over image patches and words) to match composites"
                + " with their captions against swapped, similar and random captions";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(7, 48, 2, 4, 3, 4, 32, 2e-3, 0, 0, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", Composites.class, "training composites"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("teacher", CrossEncoder.class, "the trained teacher (eval mode)"),
                Port.of("models", TrainedModels.class, "the teacher for dcd/evaluate"),
                Port.of("metrics", Metrics.class, "last-epoch loss, parameter count, ms per step"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        Composites train = in.get("train", Composites.class);
        if (c.stemHidden() == 0 && (train.height() % c.patch() != 0 || train.width() % c.patch() != 0)) {
            throw new IllegalArgumentException("dcd/train-teacher: patch " + c.patch() + " does not divide the "
                    + train.height() + "x" + train.width() + " composites; use e.g. 7 or 14");
        }
        int steps = c.epochs() * ((train.size() + c.batchSize() - 1) / c.batchSize());
        double[] last = {Double.NaN};
        long start = System.nanoTime();
        CrossEncoder teacher = DcdTraining.trainTeacher(ctx.backend(), train, c.options(), seed, listener(ctx, steps,
                "teacher", last));
        double ms = (System.nanoTime() - start) / 1e6 / Math.max(1, steps);
        ctx.timing("ms_per_step", ms);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", last[0]);
        m.put("parameters", (double) teacher.parameterCount());
        m.put("ms_per_step", ms);
        m.forEach(ctx::metric);
        ctx.logger().log(System.Logger.Level.INFO, "trained " + teacher + " on " + train.size() + " composites");
        TrainedModels models = new TrainedModels("teacher", List.of(Retrieval.teacher(teacher)), List.of(seed), m);
        return new PortValues(Map.of("teacher", teacher, "models", models, "metrics",
                new Metrics(ctx.stepName(), m)));
    }

    /** Progress, batch-loss series and epoch records of a training step. */
    static DcdTraining.Listener listener(StepContext ctx, long steps, String what, double[] last) {
        return new DcdTraining.Listener() {
            @Override
            public void step(long step, double loss) {
                ctx.series(what + "_batch_loss", step, loss);
                ctx.progress(step, steps, what + " loss " + String.format(java.util.Locale.ROOT, "%.4f", loss));
            }

            @Override
            public void stem(List<Map<String, Double>> history) {
                Map<String, Double> e = history.get(history.size() - 1);
                e.forEach((k, v) -> ctx.metric("stem_" + k, v));
                ctx.logger().log(System.Logger.Level.INFO, "item stem pretrained: " + e);
            }

            @Override
            public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                last[0] = meanLoss;
                ctx.service(EpochLog.class).ifPresent(log ->
                        log.epochEnd(epoch, epochs, Map.of(what + "_train_loss", meanLoss, "lr", lr)));
            }

            @Override
            public boolean cancelled() {
                return ctx.cancelled();
            }
        };
    }
}
