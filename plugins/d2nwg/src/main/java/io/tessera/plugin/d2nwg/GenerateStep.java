package io.tessera.plugin.d2nwg;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code d2nwg/generate}: the evaluation on the held-out tasks (spec §7.4). For every held-out task it
 * generates {@code samples} weight vectors (each from its own conditioning set), loads them into the zoo's
 * architecture and measures test accuracy (best-of-n and mean), against random initialisation, the element-wise
 * average of the zoo's weight vectors and the zoo's models taken as they are; then fine-tunes {@code seeds} generated
 * and {@code seeds} randomly initialised models for {@code finetune_steps} Adam steps, recording test accuracy after
 * every step. Metrics {@code <init>_acc_k<k>} for each k of {@code report_steps}; the curves as series (accuracy per
 * fine-tuning step, per initialisation); {@code comparison.json} (table and bar chart in the report);
 * {@code pca.svg}, a 2-D PCA projection of real vs generated weight vectors; {@code heldout.json} per task.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class GenerateStep implements Step<GenerateStep.Config> {

    /**
     * Configuration of {@code d2nwg/generate}.
     *
     * @param samples          generated vectors per held-out task
     * @param sampler          ddpm (ancestral, all T steps) or ddim
     * @param ddimSteps        S of DDIM
     * @param eta              η of DDIM
     * @param seeds            fine-tuned models per initialisation and task
     * @param finetuneSteps    Adam steps of fine-tuning
     * @param reportSteps      fine-tuning steps reported as metrics
     * @param finetuneLr       fine-tuning learning rate
     * @param finetuneBatch    images per fine-tuning step
     * @param finetunePerClass training images per class available to fine-tuning (0: all)
     * @param zooBaseline      zoo models evaluated as they are on each held-out task (0: none)
     * @param seed             seed; -1 derives it from the pipeline's seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("generated weight vectors per held-out task") @Range(min = 1, max = 100_000) int samples,
            @Description("reverse chain: ddpm (ancestral over all T steps, official) or ddim")
            @OneOf({"ddpm", "ddim"}) String sampler,
            @Description("DDIM steps S (must be below T)") @Range(min = 1) int ddimSteps,
            @Description("DDIM eta (0: deterministic)") @Range(min = 0, max = 10) double eta,
            @Description("fine-tuned models per initialisation and held-out task") @Range(min = 1, max = 1000)
            int seeds,
            @Description("Adam steps of fine-tuning") @Range(min = 0, max = 1_000_000) int finetuneSteps,
            @Description("fine-tuning steps reported as metrics") List<Integer> reportSteps,
            @Description("fine-tuning learning rate") @Range(min = 0, minExclusive = true, max = 10) double finetuneLr,
            @Description("images per fine-tuning step") @Range(min = 1, max = 65_536) int finetuneBatch,
            @Description("training images per class available to fine-tuning (few-shot); 0 uses all")
            @Range(min = 0) int finetunePerClass,
            @Description("zoo models evaluated unchanged on each held-out task (baseline); 0 skips it")
            @Range(min = 0) int zooBaseline,
            @Description("seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed) {
        public Config {
            reportSteps = List.copyOf(reportSteps);
            for (int k : reportSteps) {
                if (k < 0 || k > finetuneSteps) {
                    throw new IllegalArgumentException("report_steps lists " + k + ", outside [0, finetune_steps = "
                            + finetuneSteps + "]");
                }
            }
        }
    }

    @Override
    public String name() {
        return "d2nwg/generate";
    }

    @Override
    public String description() {
        return "generates weights for held-out tasks and compares them with random init and the zoo, with fine-tuning";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(10, "ddim", 50, 0.0, 3, 20, List.of(0, 5, 20), 0.01, 32, 0, 20, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("zoo", Zoo.class, "the model zoo with its held-out tasks"),
                Port.of("generator", WeightGenerator.class, "the trained weight generator"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("metrics", Metrics.class, "accuracies on the held-out tasks"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Zoo zoo = in.get("zoo", Zoo.class);
        WeightGenerator gen = in.get("generator", WeightGenerator.class);
        TensorBackend be = ctx.backend();
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        WeightGenerator.Sampler sampler = WeightGenerator.Sampler.parse(c.sampler());
        if (sampler == WeightGenerator.Sampler.DDIM) {
            gen.diffusion().schedule().ddim(c.ddimSteps(), c.eta()); // fails early with the reason
        }
        if (c.seeds() > c.samples()) {
            throw new IllegalArgumentException("seeds (" + c.seeds() + ") fine-tunes that many generated vectors, but"
                    + " only " + c.samples() + " samples are generated; raise samples or lower seeds");
        }
        List<Zoo.Task> held = zoo.heldOutTasks();
        int k = c.finetuneSteps();
        double[] curveGen = new double[k + 1];
        double[] curveRand = new double[k + 1];
        double best = 0;
        double mean = 0;
        double random = 0;
        double average = 0;
        double zooModels = 0;
        int zooModelTasks = 0;
        double[] avgVector = new double[zoo.vectorLength()];
        for (int m = 0; m < zoo.size(); m++) {
            for (int j = 0; j < avgVector.length; j++) {
                avgVector[j] += zoo.vector(m)[j] / zoo.size();
            }
        }
        List<double[]> generatedAll = new ArrayList<>();
        StringBuilder perTask = new StringBuilder("[\n");
        long t0 = System.nanoTime();
        int generatedCount = 0;
        long sampleNanos = 0;
        for (int ti = 0; ti < held.size(); ti++) {
            Zoo.Task task = held.get(ti);
            if (ctx.cancelled()) {
                throw new java.util.concurrent.CancellationException("generation cancelled");
            }
            Generator g = new Generator(seed * 1_000_003L + task.id());
            long s0 = System.nanoTime();
            double[][] vectors = gen.sample(zoo, task, c.samples(), sampler, c.ddimSteps(), c.eta(), g);
            sampleNanos += System.nanoTime() - s0;
            generatedCount += vectors.length;
            generatedAll.addAll(List.of(vectors));
            double tBest = 0;
            double tMean = 0;
            double tRandom = 0;
            double tAvg;
            double tZoo = Double.NaN;
            double[] tGenCurve = new double[k + 1];
            double[] tRandCurve = new double[k + 1];
            try (Classifiers.Batchable te = Classifiers.Batchable.of(be, zoo.data(task, false, 0));
                 Classifiers.Batchable tr = Classifiers.Batchable.of(be, zoo.data(task, true, c.finetunePerClass()))) {
                for (double[] v : vectors) {
                    double a = evaluate(be, zoo, v, te);
                    tBest = Math.max(tBest, a);
                    tMean += a / vectors.length;
                }
                tAvg = evaluate(be, zoo, avgVector, te);
                if (c.zooBaseline() > 0) {
                    List<Integer> same = new ArrayList<>();
                    for (int m = 0; m < zoo.size(); m++) {
                        if (zoo.taskOf(m).domain() == task.domain()) {
                            same.add(m);
                        }
                    }
                    int n = Math.min(c.zooBaseline(), same.size());
                    if (n > 0) {
                        tZoo = 0;
                        for (int i = 0; i < n; i++) {
                            int m = same.get((int) ((long) i * same.size() / n));
                            tZoo += evaluate(be, zoo, zoo.vector(m), te) / n;
                        }
                    }
                }
                for (int s = 0; s < c.seeds(); s++) {
                    long fs = seed * 7_919L + task.id() * 1_000L + s;
                    try (Mlp fromGen = new Mlp(be, zoo.widths(), DType.FLOAT32, new Generator(fs));
                         Mlp fromRand = new Mlp(be, zoo.widths(), DType.FLOAT32, new Generator(fs ^ 0xABCDEFL))) {
                        WeightVectors.load(fromGen, vectors[s]);
                        Classifiers.train(fromGen, tr, k, c.finetuneBatch(), c.finetuneLr(), new Generator(fs + 1),
                                step -> tGenCurve[step] += Classifiers.accuracy(fromGen, te) / c.seeds());
                        Classifiers.train(fromRand, tr, k, c.finetuneBatch(), c.finetuneLr(), new Generator(fs + 1),
                                step -> tRandCurve[step] += Classifiers.accuracy(fromRand, te) / c.seeds());
                    }
                }
                tRandom = tRandCurve[0];
            }
            best += tBest / held.size();
            mean += tMean / held.size();
            random += tRandom / held.size();
            average += tAvg / held.size();
            if (!Double.isNaN(tZoo)) {
                zooModels += tZoo;
                zooModelTasks++;
            }
            for (int i = 0; i <= k; i++) {
                curveGen[i] += tGenCurve[i] / held.size();
                curveRand[i] += tRandCurve[i] / held.size();
            }
            perTask.append(String.format(Locale.ROOT, "  {\"task\": \"%s\", \"generated_best\": %.6f, \"generated_mean\":"
                    + " %.6f, \"random\": %.6f, \"average_zoo_weights\": %.6f, \"zoo_models\": %s, \"finetuned_generated\":"
                    + " %s, \"finetuned_random\": %s}%s\n", task.describe(zoo.domains()), tBest, tMean, tRandom, tAvg,
                    Double.isNaN(tZoo) ? "null" : String.format(Locale.ROOT, "%.6f", tZoo), json(tGenCurve),
                    json(tRandCurve), ti + 1 < held.size() ? "," : ""));
            ctx.progress(ti + 1, held.size(), "held-out tasks, last " + task.describe(zoo.domains()) + String.format(
                    Locale.ROOT, " best %.3f mean %.3f random %.3f", tBest, tMean, tRandom));
        }
        perTask.append("]\n");
        ctx.timing("generated_vectors_per_s", generatedCount / (sampleNanos / 1e9));
        ctx.timing("generate_seconds", (System.nanoTime() - t0) / 1e9);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("generated_best_acc", best);
        m.put("generated_mean_acc", mean);
        m.put("random_init_acc", random);
        m.put("average_zoo_weights_acc", average);
        if (zooModelTasks > 0) {
            m.put("zoo_models_acc", zooModels / zooModelTasks);
        }
        for (int r : c.reportSteps()) {
            m.put("generated_acc_k" + r, curveGen[r]);
            m.put("random_acc_k" + r, curveRand[r]);
        }
        m.put("held_out_tasks", (double) held.size());
        m.forEach(ctx::metric);
        for (int i = 0; i <= k; i++) {
            ctx.series("finetune_acc_generated", i, curveGen[i]);
            ctx.series("finetune_acc_random", i, curveRand[i]);
        }
        Path dir = ctx.workDirectory();
        write(dir.resolve("heldout.json"), perTask.toString());
        write(dir.resolve("comparison.json"), comparison(m, c.reportSteps()));
        double[][] real = new double[zoo.size()][];
        for (int i = 0; i < zoo.size(); i++) {
            real[i] = zoo.vector(i);
        }
        Projection pca = Projection.fit(real, 2, seed);
        List<double[]> realPts = new ArrayList<>();
        for (double[] r : real) {
            realPts.add(pca.project(r));
        }
        List<double[]> genPts = new ArrayList<>();
        for (double[] r : generatedAll) {
            genPts.add(pca.project(r));
        }
        Projection.scatterSvg(dir.resolve("pca.svg"), "weight vectors: PCA of the zoo (" + zoo.size()
                + " real) with generated held-out vectors", List.of(new Projection.Group("zoo (real)", "#1f77b4",
                realPts), new Projection.Group("generated (held-out tasks)", "#d62728", genPts)));
        ctx.logger().log(System.Logger.Level.INFO, "held-out results: " + m);
        return PortValues.of("metrics", new Metrics(ctx.stepName(), m));
    }

    private static double evaluate(TensorBackend be, Zoo zoo, double[] v, Classifiers.Batchable te) {
        try (Mlp mlp = new Mlp(be, zoo.widths(), DType.FLOAT32, new Generator(0))) {
            WeightVectors.load(mlp, v);
            return Classifiers.accuracy(mlp, te);
        }
    }

    private static String comparison(Map<String, Double> m, List<Integer> ks) {
        List<String> keys = new ArrayList<>();
        for (int k : ks) {
            keys.add("acc_k" + k);
        }
        StringBuilder s = new StringBuilder("{\n  \"keys\": [");
        for (int i = 0; i < keys.size(); i++) {
            s.append('"').append(keys.get(i)).append('"').append(i + 1 < keys.size() ? ", " : "");
        }
        s.append("],\n  \"rows\": [\n");
        List<String> rows = new ArrayList<>();
        StringBuilder gen = new StringBuilder("    {\"name\": \"generated (fine-tuned)\", \"values\": {");
        StringBuilder rnd = new StringBuilder("    {\"name\": \"random init (fine-tuned)\", \"values\": {");
        for (int i = 0; i < ks.size(); i++) {
            String sep = i + 1 < ks.size() ? ", " : "";
            gen.append(String.format(Locale.ROOT, "\"acc_k%d\": %.6f%s", ks.get(i), m.get("generated_acc_k" + ks.get(i)),
                    sep));
            rnd.append(String.format(Locale.ROOT, "\"acc_k%d\": %.6f%s", ks.get(i), m.get("random_acc_k" + ks.get(i)),
                    sep));
        }
        rows.add(gen.append("}}").toString());
        rows.add(rnd.append("}}").toString());
        String k0 = ks.contains(0) ? "acc_k0" : null;
        if (k0 != null) {
            rows.add(String.format(Locale.ROOT, "    {\"name\": \"generated best-of-n\", \"values\": {\"acc_k0\": %.6f}}",
                    m.get("generated_best_acc")));
            rows.add(String.format(Locale.ROOT, "    {\"name\": \"generated mean\", \"values\": {\"acc_k0\": %.6f}}",
                    m.get("generated_mean_acc")));
            rows.add(String.format(Locale.ROOT, "    {\"name\": \"average zoo weights\", \"values\": {\"acc_k0\":"
                    + " %.6f}}", m.get("average_zoo_weights_acc")));
            if (m.containsKey("zoo_models_acc")) {
                rows.add(String.format(Locale.ROOT, "    {\"name\": \"zoo models as they are\", \"values\":"
                        + " {\"acc_k0\": %.6f}}", m.get("zoo_models_acc")));
            }
        }
        s.append(String.join(",\n", rows)).append("\n  ]\n}\n");
        return s.toString();
    }

    private static String json(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            s.append(String.format(Locale.ROOT, "%.4f", v[i])).append(i + 1 < v.length ? ", " : "");
        }
        return s.append(']').toString();
    }

    private static void write(Path file, String text) throws java.io.IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
