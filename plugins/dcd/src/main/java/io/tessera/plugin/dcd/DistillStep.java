package io.tessera.plugin.dcd;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dcd/distill}: trains one dual-encoder student per seed by one {@link Variant}: hard labels
 * with random negatives, or the teacher's hard negatives with the official or the per-sample DCD loss
 * ({@link DcdTraining#trainStudent}). Every variant and seed sees the same candidate pools (drawn from
 * {@code pool_seed}), so the budget is the same: epochs, batch size, K and steps.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class DistillStep implements Step<DistillStep.Config> {

    /**
     * Configuration of {@code dcd/distill}.
     *
     * @param variant      {@code hard-labels}, {@code official} or {@code per-sample}
     * @param label        the row name in tables; empty derives it from the variant
     * @param pool         negative captions per image the teacher scores (P)
     * @param k            negatives per image that reach the student (K)
     * @param teacherOrder {@code aligned} (spec) or {@code official} (the released code's order of teacher values)
     * @param imageTower   pixels or teacher-stem
     * @param student      dual-encoder or cross-encoder
     * @param teacherLayers the teacher layers a cross-encoder student copies
     * @param hidden       hidden width of both student towers
     * @param dim          embedding width
     * @param logitScale   score scale of cos
     * @param epochs       passes over the composites
     * @param batchSize    composites per step
     * @param lr           AdamW learning rate
     * @param alpha        KD weight (official 0.2)
     * @param temperature  KD temperature (official 1)
     * @param poolSeed     seed of the candidate pools; -1 derives it from the pipeline seed
     * @param seeds        one student per seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("hard-labels (random negatives, cross-entropy), official (teacher-mined negatives, official"
                    + " DCD loss) or per-sample (teacher-mined, per-sample weighted KD)")
            @OneOf({"hard-labels", "official", "per-sample"}) String variant,
            @Description("row name in tables; empty derives it from the variant") String label,
            @Description("negative captions per image in the pool the teacher scores (P)") @Range(min = 1, max = 4096)
            int pool,
            @Description("negatives per image that reach the student (K <= pool)") @Range(min = 1, max = 4096) int k,
            @Description("aligned (teacher column j is the student's candidate j) or official (the released code's"
                    + " sorted top-(K+1) teacher values)") @OneOf({"aligned", "official"}) String teacherOrder,
            @Description("the image tower: pixels (an MLP over the raw canvas) or teacher-stem (an MLP over a frozen"
                    + " copy of the teacher's pretrained item stem, as the official student shares the teacher's"
                    + " unimodal encoders)") @OneOf({"pixels", "teacher-stem"}) String imageTower,
            @Description("dual-encoder (cheap at retrieval) or cross-encoder (spec §2: fewer layers copied from the"
                    + " teacher's layers teacher_layers; hidden, dim, logit_scale and image_tower do not apply)")
            @OneOf({"dual-encoder", "cross-encoder"}) String student,
            @Description("teacher layers copied into a cross-encoder student, increasing (official: 0, 3, 5 of 6)")
            List<Integer> teacherLayers,
            @Description("hidden width of both student towers") @Range(min = 1, max = 65_536) int hidden,
            @Description("embedding width") @Range(min = 1, max = 4096) int dim,
            @Description("score scale of the cosine") @Range(min = 0, minExclusive = true, max = 1000)
            double logitScale,
            @Description("passes over the training composites") @Range(min = 1, max = 10_000) int epochs,
            @Description("composites per optimizer step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("AdamW learning rate (cosine schedule)") @Range(min = 0, minExclusive = true, max = 10)
            double lr,
            @Description("KD weight alpha (official 0.2)") @Range(min = 0, max = 1) double alpha,
            @Description("KD temperature (official 1)") @Range(min = 0, minExclusive = true, max = 100)
            double temperature,
            @Description("seed of the candidate pools; -1 derives it from the pipeline seed") @Range(min = -1)
            long poolSeed,
            @Description("one student per seed (initial weights, batch order, random negatives)") List<Long> seeds) {

        public Config {
            seeds = List.copyOf(seeds);
            teacherLayers = List.copyOf(teacherLayers);
            if ("cross-encoder".equals(student) && teacherLayers.isEmpty()) {
                throw new IllegalArgumentException("student: cross-encoder needs teacher_layers, e.g. [0]");
            }
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("seeds is empty; list at least one, e.g. [1, 2, 3]");
            }
            options(pool, k, hidden, dim, logitScale, epochs, batchSize, lr, alpha, temperature, teacherOrder,
                    imageTower, student, teacherLayers);
        }

        private static DcdTraining.StudentOptions options(int pool, int k, int hidden, int dim, double logitScale,
                int epochs, int batchSize, double lr, double alpha, double temperature,
                String teacherOrder, String imageTower, String student, List<Integer> teacherLayers) {
            boolean cross = "cross-encoder".equals(student);
            return new DcdTraining.StudentOptions(pool, k, hidden, dim, logitScale, epochs, batchSize, lr,
                    alpha, temperature, "official".equals(teacherOrder), !cross && "teacher-stem".equals(imageTower),
                    cross ? teacherLayers : List.of());
        }

        DcdTraining.StudentOptions options() {
            return options(pool, k, hidden, dim, logitScale, epochs, batchSize, lr, alpha, temperature,
                    teacherOrder, imageTower, student, teacherLayers);
        }

        Variant parsedVariant() {
            return Variant.valueOf(variant.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    @Override
    public String name() {
        return "dcd/distill";
    }

    @Override
    public String description() {
        return "trains students (one per seed; dual encoders, or smaller cross-encoders copied from teacher layers)"
                + " with hard labels and random negatives, or with the teacher's hard negatives and the official or"
                + " per-sample DCD loss";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("official", "", 15, HardNegatives.OFFICIAL_K, "aligned", "pixels", "dual-encoder", List.of(0), 128, 32, 10, 4, 32, 2e-3,
                DcdLoss.OFFICIAL_ALPHA, DcdLoss.OFFICIAL_T, -1, List.of(1L, 2L, 3L));
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", Composites.class, "training composites"),
                Port.optional("teacher", CrossEncoder.class, "the trained teacher (needed by official and"
                        + " per-sample)"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("models", TrainedModels.class, "one student per seed, for dcd/evaluate"),
                Port.of("metrics", Metrics.class, "mean last-epoch loss, parameter count, ms per step"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Variant variant = c.parsedVariant();
        Composites train = in.get("train", Composites.class);
        CrossEncoder teacher = in.find("teacher", CrossEncoder.class).orElse(null);
        if (teacher == null && variant != Variant.HARD_LABELS) {
            throw new IllegalArgumentException("dcd/distill: variant '" + c.variant() + "' mines negatives with the"
                    + " teacher; give it inputs: { teacher: <dcd/train-teacher step>.teacher }");
        }
        if (!c.options().crossLayers().isEmpty() && teacher == null) {
            throw new IllegalArgumentException("dcd/distill: student 'cross-encoder' copies teacher layers; give it"
                    + " inputs: { teacher: <dcd/train-teacher step>.teacher }");
        }
        if (!c.options().crossLayers().isEmpty() && c.teacherLayers().get(c.teacherLayers().size() - 1)
                >= teacher.depth()) {
            throw new IllegalArgumentException("dcd/distill: teacher_layers " + c.teacherLayers() + " name a layer"
                    + " the teacher does not have (it has " + teacher.depth() + ", indices 0.." + (teacher.depth() - 1)
                    + ")");
        }
        if (c.options().teacherStem() && (teacher == null || teacher.stem() == null)) {
            throw new IllegalArgumentException("dcd/distill: image_tower 'teacher-stem' copies the teacher's item"
                    + " stem; give it inputs: { teacher: <dcd/train-teacher step>.teacher } from a teacher with"
                    + " stem_hidden > 0, or use image_tower: pixels");
        }
        long poolSeed = c.poolSeed() >= 0 ? c.poolSeed() : ctx.seed();
        String label = c.label().isBlank() ? defaultLabel(variant) : c.label();
        DcdTraining.Pools pools = new DcdTraining.Pools(ctx.backend(), train, c.pool(),
                poolSeed, variant == Variant.HARD_LABELS ? null : teacher);
        int perSeed = c.epochs() * ((train.size() + c.batchSize() - 1) / c.batchSize());
        long steps = (long) perSeed * c.seeds().size();
        List<RetrievalModel> models = new ArrayList<>();
        double lossSum = 0;
        long start = System.nanoTime();
        long params = 0;
        for (int i = 0; i < c.seeds().size(); i++) {
            long seed = c.seeds().get(i);
            long offset = (long) i * perSeed;
            double[] last = {Double.NaN};
            DcdTraining.Listener base = TrainTeacherStep.listener(ctx, steps, "student", last);
            DcdTraining.Listener l = new DcdTraining.Listener() {
                @Override
                public void step(long step, double loss) {
                    base.step(offset + step, loss);
                }

                @Override
                public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                    last[0] = meanLoss;
                    ctx.metric("train_loss/seed" + seed, meanLoss);
                }

                @Override
                public boolean cancelled() {
                    return ctx.cancelled();
                }
            };
            io.tessera.api.nn.Module s = DcdTraining.trainStudent(ctx.backend(), train, pools, teacher, variant, c.options(), seed, l);
            params = s.parameterCount();
            models.add(Retrieval.of(s));
            lossSum += last[0];
        }
        double ms = (System.nanoTime() - start) / 1e6 / Math.max(1, steps);
        ctx.timing("ms_per_step", ms);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", lossSum / c.seeds().size());
        m.put("parameters", (double) params);
        m.put("ms_per_step", ms);
        m.forEach(ctx::metric);
        ctx.logger().log(System.Logger.Level.INFO, label + ": trained " + c.seeds().size() + " students on "
                + train.size() + " composites");
        return new PortValues(Map.of("models", new TrainedModels(label, models, c.seeds(), m), "metrics",
                new Metrics(ctx.stepName(), m)));
    }

    static String defaultLabel(Variant v) {
        return switch (v) {
            case HARD_LABELS -> "(a) hard labels";
            case OFFICIAL -> "(b) DCD official";
            case PER_SAMPLE -> "(c) DCD per-sample";
        };
    }
}
