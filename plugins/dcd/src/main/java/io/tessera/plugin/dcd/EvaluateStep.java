package io.tessera.plugin.dcd;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dcd/evaluate}: retrieval on the test composites for every seed of a trained variant (or the
 * teacher): R@1/5/10 image→text and text→image ({@link Retrieval#recalls}; mean and sample std over seeds, plus
 * {@code rsum}), the milliseconds to rank {@code candidates} captions for one image (median of {@code repeats}),
 * its ratio to the teacher's when the teacher's evaluation metrics are given (measured on the same candidates), and {@code queries.png} / {@code queries.json}: a
 * few text queries with their top-5 images and image queries with their top-5 captions (first seed).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class EvaluateStep implements Step<EvaluateStep.Config> {
    private static final String[] NAMES = {"i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10"};

    /**
     * Configuration of {@code dcd/evaluate}.
     *
     * @param gallery    test composites used (images and their captions); 0 uses all
     * @param queries    queries drawn in each direction in {@code queries.png}
     * @param candidates captions ranked in the latency measurement
     * @param repeats    latency repeats (the median is reported)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("test composites in the gallery (images and their captions); 0 uses all")
            @Range(min = 0, max = 100_000) int gallery,
            @Description("queries drawn per direction in queries.png (text->images, image->captions)")
            @Range(min = 0, max = 32) int queries,
            @Description("candidate captions ranked for one image in the latency measurement")
            @Range(min = 1, max = 100_000) int candidates,
            @Description("latency repeats; the median is reported") @Range(min = 1, max = 1000) int repeats) {
    }

    @Override
    public String name() {
        return "dcd/evaluate";
    }

    @Override
    public String description() {
        return "image-text retrieval on the test composites: R@1/5/10 both ways over seeds, ranking latency for"
                + " 1,000 candidates (and its ratio to the teacher's), top-5 results of a few queries";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(0, 3, 1000, 5);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("models", TrainedModels.class, "a dcd/distill or dcd/train-teacher step's models"),
                Port.of("test", Composites.class, "the test composites"),
                Port.optional("teacher", Metrics.class, "the teacher's dcd/evaluate metrics (its rank_ms), for the"
                        + " speed-up"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("metrics", Metrics.class, "R@K both ways (mean, std), rsum, latency, training"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        TrainedModels trained = in.get("models", TrainedModels.class);
        Composites test = in.get("test", Composites.class);
        int n = c.gallery() == 0 ? test.size() : Math.min(c.gallery(), test.size());
        int[] items = Arrays.copyOf(test.all(), n);
        int seeds = trained.models().size();
        double[][] r = new double[NAMES.length][seeds];
        double[][] firstScores = null;
        for (int s = 0; s < seeds; s++) {
            double[][] scores = trained.models().get(s).scores(ctx.backend(), test, items, items);
            double[] rec = Retrieval.recalls(scores, test, items, items);
            for (int k = 0; k < NAMES.length; k++) {
                r[k][s] = rec[k];
                ctx.metric(NAMES[k] + "/seed" + trained.seeds().get(s), rec[k]);
            }
            if (s == 0) {
                firstScores = scores;
            }
            ctx.progress(s + 1, seeds, "evaluated seed " + trained.seeds().get(s));
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double rsum = 0;
        for (int k = 0; k < NAMES.length; k++) {
            m.put(NAMES[k], mean(r[k]));
            m.put(NAMES[k] + "_std", std(r[k]));
            rsum += mean(r[k]);
        }
        m.put("rsum", rsum);
        double[] perSeed = new double[seeds];
        for (int s = 0; s < seeds; s++) {
            for (double[] k : r) {
                perSeed[s] += k[s];
            }
        }
        m.put("rsum_std", std(perSeed));
        m.put("seeds", (double) seeds);
        int[] candidates = new int[c.candidates()];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = i % test.size();
        }
        double latency = latency(ctx, trained.models().get(0), test, candidates, c.repeats());
        m.put("rank_ms", latency);
        in.find("teacher", Metrics.class).ifPresent(t -> {
            Double teacherMs = t.values().get("rank_ms");
            if (teacherMs == null) {
                throw new IllegalArgumentException("dcd/evaluate: the 'teacher' input has no rank_ms; give it the"
                        + " teacher's dcd/evaluate metrics (e.g. eval_teacher.metrics)");
            }
            m.put("teacher_rank_ms", teacherMs);
            m.put("speedup_vs_teacher", teacherMs / latency);
        });
        m.forEach(ctx::metric);
        Map<String, Double> row = new LinkedHashMap<>(m);
        trained.training().forEach(row::putIfAbsent);
        if (c.queries() > 0) {
            QueryGallery.write(ctx.workDirectory(), trained.label(), test, items, firstScores, c.queries());
        }
        ctx.logger().log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
                "%s: R@1 i2t %.3f t2i %.3f, rsum %.3f over %d seeds on %d test pairs; ranking %d candidates %.2f ms",
                trained.label(), m.get("i2t_r1"), m.get("t2i_r1"), rsum, seeds, n, candidates.length, latency));
        return PortValues.of("metrics", new Metrics(trained.label(), row));
    }

    /** Median milliseconds over {@code repeats} (after one warm-up) of ranking the candidates for image 0. */
    static double latency(StepContext ctx, RetrievalModel model, Composites test, int[] candidates, int repeats) {
        model.rankMillis(ctx.backend(), test, 0, candidates);
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            t[i] = model.rankMillis(ctx.backend(), test, i % test.size(), candidates);
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (0 for one value). */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
