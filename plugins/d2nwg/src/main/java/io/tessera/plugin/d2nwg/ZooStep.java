package io.tessera.plugin.d2nwg;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code d2nwg/zoo}: builds a model zoo on real data (docs/methods/d2nwg.md §7). Tasks are ordered
 * {@code ways}-class subsets of one or two image datasets (each task its own label order); class combinations held
 * out for evaluation never occur among the zoo tasks. For every zoo task, {@code seeds} small MLPs (frozen pooled
 * features → hidden → classes) are trained with Adam on a bounded pool of {@code workers} threads; finished models
 * are checkpointed every {@code checkpoint_every} models, and a resumed run trains only the missing ones (each model
 * depends only on its own seed, so the zoo is the same whatever the order or interruptions).
 *
 * <pre>{@code
 * zoo:
 *   uses: d2nwg/zoo
 *   with: { ways: 5, tasks: 8, held_out: 2, seeds: 2, hidden: 16, steps: 100 }
 *   inputs: { train: fashion.train, test: fashion.test, train_b: mnist.train, test_b: mnist.test }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ZooStep implements Step<ZooStep.Config> {

    /**
     * Configuration of {@code d2nwg/zoo}.
     *
     * @param ways             classes per task
     * @param tasks            zoo tasks per domain
     * @param heldOut          held-out tasks per domain
     * @param seeds            models per zoo task
     * @param hidden           hidden width of the MLP (0: a linear head on the features)
     * @param pool             average-pooling window of the frozen features
     * @param steps            Adam steps per model
     * @param batchSize        images per step
     * @param lr               Adam learning rate
     * @param maxTrainPerClass training images per class and task (0: all)
     * @param workers          models trained at once (0: the number of cores)
     * @param checkpointEvery  finished models between checkpoints
     * @param seed             base seed; -1 derives it from the pipeline's seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("classes per task") @Range(min = 2, max = 100) int ways,
            @Description("zoo tasks per dataset") @Range(min = 1, max = 100_000) int tasks,
            @Description("held-out tasks per dataset (class combinations never in the zoo)") @Range(min = 1)
            int heldOut,
            @Description("models trained per zoo task, each from its own seed") @Range(min = 1, max = 1000) int seeds,
            @Description("hidden width of the classifier MLP; 0 trains a linear head on the frozen features")
            @Range(min = 0, max = 4096) int hidden,
            @Description("frozen features: pool x pool average pooling of the image (4: 28x28 -> 7x7 = 49)")
            @Range(min = 1, max = 28) int pool,
            @Description("Adam steps per model") @Range(min = 1, max = 1_000_000) int steps,
            @Description("images per Adam step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("Adam learning rate") @Range(min = 0, minExclusive = true, max = 10) double lr,
            @Description("training images per class and task; 0 uses all") @Range(min = 0) int maxTrainPerClass,
            @Description("models trained at once; 0 uses the number of cores") @Range(min = 0, max = 1024) int workers,
            @Description("finished models between checkpoints") @Range(min = 1) int checkpointEvery,
            @Description("base seed of tasks and models; -1 derives it from the pipeline seed") @Range(min = -1)
            long seed) {
    }

    @Override
    public String name() {
        return "d2nwg/zoo";
    }

    @Override
    public String description() {
        return "trains a zoo of small classifiers on class-subset tasks of real datasets, in parallel, resumable";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(5, 8, 2, 2, 16, 4, 100, 64, 0.01, 0, 0, 8, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "training images of the first dataset"),
                Port.of("test", ImageDataset.class, "test images of the first dataset"),
                Port.optional("train_b", ImageDataset.class, "training images of a second dataset"),
                Port.optional("test_b", ImageDataset.class, "test images of the second dataset"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("zoo", Zoo.class, "the tasks, the held-out tasks and the trained weight vectors"),
                Port.of("metrics", Metrics.class, "zoo size and the models' mean test accuracy"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        List<Zoo.Domain> domains = new ArrayList<>();
        domains.add(Zoo.Domain.of(name(in.get("train", ImageDataset.class), "a"), in.get("train", ImageDataset.class),
                in.get("test", ImageDataset.class), c.pool()));
        Optional<ImageDataset> trainB = in.find("train_b", ImageDataset.class);
        Optional<ImageDataset> testB = in.find("test_b", ImageDataset.class);
        if (trainB.isPresent() != testB.isPresent()) {
            throw new IllegalArgumentException("give both train_b and test_b for a second dataset, or neither");
        }
        if (trainB.isPresent()) {
            domains.add(Zoo.Domain.of(name(trainB.get(), "b"), trainB.get(), testB.get(), c.pool()));
            if (domains.get(1).dim() != domains.get(0).dim()) {
                throw new IllegalArgumentException("the two datasets give " + domains.get(0).dim() + " and "
                        + domains.get(1).dim() + " features; use images of one size");
            }
        }
        int dim = domains.get(0).dim();
        int[] widths = c.hidden() == 0 ? new int[] {dim, c.ways()} : new int[] {dim, c.hidden(), c.ways()};
        List<Zoo.Task> tasks = Zoo.drawTasks(domains, c.ways(), c.tasks(), c.heldOut(), seed);
        int zooTasks = (int) tasks.stream().filter(t -> !t.heldOut()).count();
        int total = zooTasks * c.seeds();
        int len = Mlp.vectorLength(widths);
        double[][] vectors = new double[total][];
        double[] acc = new double[total];
        int[] modelTask = new int[total];
        int[] modelSeed = new int[total];
        for (int m = 0; m < total; m++) {
            modelTask[m] = m / c.seeds();
            modelSeed[m] = m % c.seeds();
        }
        Zoo zoo = new Zoo(widths, domains, tasks, vectors, modelTask, modelSeed, acc);
        TensorBackend be = ctx.backend();
        int resumed = restore(ctx, vectors, acc, len);
        if (resumed > 0) {
            ctx.logger().log(System.Logger.Level.INFO, "resumed with " + resumed + " of " + total + " models trained");
        }
        int workers = c.workers() > 0 ? c.workers() : Runtime.getRuntime().availableProcessors();
        ctx.logger().log(System.Logger.Level.INFO, "training " + (total - resumed) + " models " + java.util.Arrays
                .toString(widths) + " (" + len + " parameters) on " + zooTasks + " tasks with " + workers + " workers");
        long start = System.nanoTime();
        int[] done = {resumed};
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "d2nwg-zoo");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int m = 0; m < total; m++) {
                if (vectors[m] != null) {
                    continue;
                }
                int model = m;
                futures.add(pool.submit(() -> {
                    if (ctx.cancelled()) {
                        return null;
                    }
                    Zoo.Task task = tasks.get(modelTask[model]);
                    double[] v;
                    double a;
                    try (Classifiers.Batchable tr = Classifiers.Batchable.of(be, zoo.data(task, true,
                            c.maxTrainPerClass()));
                         Classifiers.Batchable te = Classifiers.Batchable.of(be, zoo.data(task, false, 0));
                         Mlp mlp = new Mlp(be, widths, DType.FLOAT32, new Generator(modelSeed(seed, model)))) {
                        Classifiers.train(mlp, tr, c.steps(), c.batchSize(), c.lr(),
                                new Generator(modelSeed(seed, model) ^ 0x5DEECE66DL), null);
                        v = WeightVectors.flatten(mlp);
                        a = Classifiers.accuracy(mlp, te);
                    }
                    synchronized (done) {
                        vectors[model] = v;
                        acc[model] = a;
                        done[0]++;
                        ctx.progress(done[0], total, "models, last " + task.describe(domains) + " acc "
                                + String.format(java.util.Locale.ROOT, "%.3f", a));
                        if (done[0] % c.checkpointEvery() == 0 || done[0] == total) {
                            save(ctx, vectors, acc, len, done[0]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (ctx.cancelled()) {
            throw new java.util.concurrent.CancellationException("zoo training cancelled after " + done[0] + " of "
                    + total + " models (checkpointed; resume the run to continue)");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (done[0] > resumed) {
            ctx.timing("models_per_min", (done[0] - resumed) / seconds * 60);
        }
        double mean = java.util.Arrays.stream(acc).average().orElse(Double.NaN);
        ctx.metric("zoo_models", total);
        ctx.metric("zoo_tasks", zooTasks);
        ctx.metric("held_out_tasks", tasks.size() - zooTasks);
        ctx.metric("vector_length", len);
        ctx.metric("zoo_mean_accuracy", mean);
        writeFiles(ctx.workDirectory(), zoo);
        ctx.logger().log(System.Logger.Level.INFO, zoo + ", mean test accuracy " + mean);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("zoo_models", (double) total);
        m.put("zoo_mean_accuracy", mean);
        return PortValues.of("zoo", zoo, "metrics", new Metrics(ctx.stepName(), m));
    }

    static long modelSeed(long seed, int model) {
        return seed * 1_000_003L + model;
    }

    private static String name(ImageDataset ds, String fallback) {
        if (!(ds instanceof ArrayImageDataset a)) {
            return fallback;
        }
        String n = a.name(); // e.g. fashion-mnist/train: the dataset, without the split
        return n.contains("/") ? n.substring(0, n.indexOf('/')) : n;
    }

    private static void save(StepContext ctx, double[][] vectors, double[] acc, int len, int done) {
        try {
            ctx.checkpoints().save(done, dir -> {
                int n = 0;
                for (double[] v : vectors) {
                    n += v == null ? 0 : 1;
                }
                double[] rows = new double[n * (len + 2)];
                int r = 0;
                for (int m = 0; m < vectors.length; m++) {
                    if (vectors[m] != null) {
                        rows[r * (len + 2)] = m;
                        rows[r * (len + 2) + 1] = acc[m];
                        System.arraycopy(vectors[m], 0, rows, r * (len + 2) + 2, len);
                        r++;
                    }
                }
                try (TensorScope s = Tensors.scope()) {
                    Tensor t = ctx.backend().tensor(rows, n, len + 2);
                    TensorWeights.save(dir.resolve("models.safetensors"), Map.of("rows", t),
                            Map.of("layout", "per row: model index, test accuracy, weight vector"));
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("saving the zoo checkpoint failed: " + e.getMessage(), e);
        }
    }

    private static int restore(StepContext ctx, double[][] vectors, double[] acc, int len) throws java.io.IOException {
        Optional<Path> last = ctx.checkpoints().latest();
        if (last.isEmpty()) {
            return 0;
        }
        Map<String, Tensor> state = TensorWeights.load(last.get().resolve("models.safetensors"), ctx.backend());
        try {
            Tensor rows = state.get("rows");
            if (rows == null || rows.rank() != 2 || rows.size(1) != len + 2) {
                throw new IllegalStateException("checkpoint " + last.get() + " holds zoo rows of shape "
                        + (rows == null ? "none" : rows.shape()) + ", not (n, " + (len + 2) + "); the zoo config"
                        + " changed since it was written");
            }
            double[] v = rows.toDoubleArray();
            int n = (int) rows.size(0);
            for (int r = 0; r < n; r++) {
                int m = (int) v[r * (len + 2)];
                acc[m] = v[r * (len + 2) + 1];
                vectors[m] = java.util.Arrays.copyOfRange(v, r * (len + 2) + 2, (r + 1) * (len + 2));
            }
            return n;
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    private static void writeFiles(Path dir, Zoo zoo) throws java.io.IOException {
        StringBuilder json = new StringBuilder("{\n  \"widths\": ").append(java.util.Arrays.toString(zoo.widths()))
                .append(",\n  \"tasks\": [\n");
        for (int i = 0; i < zoo.tasks().size(); i++) {
            Zoo.Task t = zoo.tasks().get(i);
            json.append("    {\"id\": ").append(t.id()).append(", \"dataset\": \"")
                    .append(zoo.domains().get(t.domain()).name()).append("\", \"classes\": ")
                    .append(java.util.Arrays.toString(t.classes())).append(", \"held_out\": ").append(t.heldOut())
                    .append("}").append(i + 1 < zoo.tasks().size() ? ",\n" : "\n");
        }
        json.append("  ],\n  \"models\": [\n");
        for (int m = 0; m < zoo.size(); m++) {
            json.append("    {\"task\": ").append(zoo.taskOf(m).id()).append(", \"seed\": ").append(zoo.seedOf(m))
                    .append(", \"test_accuracy\": ").append(zoo.accuracy(m)).append("}")
                    .append(m + 1 < zoo.size() ? ",\n" : "\n");
        }
        json.append("  ]\n}\n");
        Path tmp = dir.resolve("zoo.json.tmp");
        Files.writeString(tmp, json);
        Files.move(tmp, dir.resolve("zoo.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
