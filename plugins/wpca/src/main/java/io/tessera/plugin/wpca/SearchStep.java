package io.tessera.plugin.wpca;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code wpca/search}: the official genetic search ({@link EvolutionSearch}) with a training-free proxy
 * as fitness, then random search with the same proxy budget (the number of candidates the GA scored), repeated over
 * {@code random_repeats} seeds. Outputs the GA's top-1 and the best random candidate (for
 * {@code wpca/train-candidates}), the best-so-far curves (report), and the proxy values and costs as metrics.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SearchStep implements Step<SearchStep.Config> {

    /**
     * Configuration of {@code wpca/search} (the {@code EvolutionSearcher} settings and the proxy's).
     *
     * @param proxy         fitness: wpca, pca or params
     * @param maxEpochs     generations
     * @param populationNum population
     * @param selectNum     parents kept
     * @param mutationNum   mutations per generation
     * @param crossoverNum  crossovers per generation
     * @param mProb         per-gene mutation probability
     * @param initLow       lowest random gene
     * @param initHigh      highest random gene; -1 = the skip gene (whole space)
     * @param typeBlocks    mutation draws from [0, type_blocks); -1 = every gene value
     * @param eta           W-PCA threshold
     * @param batchSize     scoring batch
     * @param seed          search seed; -1 derives it from the pipeline seed
     * @param initSeed      seed of the candidates' initial weights
     * @param randomRepeats random searches with the same budget (different seeds)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("fitness proxy") @OneOf({"wpca", "pca", "params"}) String proxy,
            @Description("generations (max_epochs)") @Range(min = 1, max = 10_000) int maxEpochs,
            @Description("population_num") @Range(min = 1, max = 10_000) int populationNum,
            @Description("select_num: parents kept (official default 1)") @Range(min = 1, max = 1000) int selectNum,
            @Description("mutation_num per generation") @Range(min = 0, max = 10_000) int mutationNum,
            @Description("crossover_num per generation") @Range(min = 0, max = 10_000) int crossoverNum,
            @Description("m_prob: per-gene mutation probability") @Range(min = 0, max = 1) double mProb,
            @Description("range1: lowest gene of a random candidate") @Range(min = 0) int initLow,
            @Description("range2: highest gene of a random candidate; -1 = the skip gene (whole space)")
            @Range(min = -1) int initHigh,
            @Description("type_blocks: a mutated gene is drawn from [0, type_blocks); -1 = every gene value")
            @Range(min = -1) int typeBlocks,
            @Description("W-PCA variance threshold") @Range(min = 0, max = 1) double eta,
            @Description("scoring batch size") @Range(min = 2, max = 100_000) int batchSize,
            @Description("search seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed,
            @Description("seed of the candidates' initial weights") @Range(min = 0) long initSeed,
            @Description("random searches with the GA's budget, each with its own seed") @Range(min = 1, max = 100)
            int randomRepeats) {
    }

    @Override
    public String name() {
        return "wpca/search";
    }

    @Override
    public String description() {
        return "genetic search (official EvolutionSearcher) with a training-free proxy, against random search at the"
                + " same proxy budget";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("wpca", 10, 10, 1, 10, 10, 0.1, 0, -1, -1, PcaCount.DEFAULT_ETA, 32, -1, 0, 5);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("space", SearchSpace.class, "the search space (wpca/sample's space)"),
                Port.of("train", ImageDataset.class, "images the scoring batch comes from"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("found", Candidates.class, "the GA's top-1 (ga-best) and the best random candidate"
                + " (random-best)"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        SearchSpace space = in.get("space", SearchSpace.class);
        ImageDataset train = in.get("train", ImageDataset.class);
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        EvolutionSearch.Settings st = new EvolutionSearch.Settings(c.maxEpochs(), c.populationNum(), c.selectNum(),
                c.mutationNum(), c.crossoverNum(), c.mProb(), c.initLow(),
                c.initHigh() < 0 ? space.skip() : c.initHigh(), c.typeBlocks() < 0 ? space.choices() : c.typeBlocks());
        Proxy proxy = Proxy.of(c.proxy());
        try (TensorScope scope = Tensors.scope()) {
            List<Tensor[]> batch = StepIo.batches(ctx.backend(), train, c.batchSize(), 1, seed);
            Map<String, Double> cache = new LinkedHashMap<>();
            int[] evaluated = {0};
            ToDoubleFunction<Architecture> fitness = a -> cache.computeIfAbsent(a.key(), k -> {
                evaluated[0]++;
                ctx.progress(evaluated[0], -1, "scored " + evaluated[0] + " candidates");
                try (TensorScope s = Tensors.scope()) {
                    return ScoreStep.wpca(ctx.backend(), space, a, batch, c.initSeed(), c.eta(), LayerReduction.MEAN)
                            .value(proxy);
                }
            });
            long t0 = System.nanoTime();
            EvolutionSearch.Result ga = new EvolutionSearch(space, st, fitness, seed, 0).run();
            double gaSeconds = (System.nanoTime() - t0) / 1e9;
            int budget = ga.evaluations().size();
            double[] gaCurve = bestSoFar(ga.evaluations());
            List<double[]> curves = new ArrayList<>(List.of(gaCurve));
            List<String> names = new ArrayList<>(List.of("GA (official EvolutionSearcher)"));
            EvolutionSearch.Evaluation bestRandom = null;
            double randomBestSum = 0;
            for (int r = 0; r < c.randomRepeats(); r++) {
                List<EvolutionSearch.Evaluation> rnd = EvolutionSearch.randomSearch(space, fitness, seed + 1000 + r,
                        budget, st.initLow(), st.initHigh());
                double[] curve = bestSoFar(rnd);
                randomBestSum += curve[curve.length - 1];
                if (r < 3) {
                    curves.add(curve);
                    names.add("random search, seed " + r);
                }
                EvolutionSearch.Evaluation b = rnd.stream()
                        .max(java.util.Comparator.comparingDouble(EvolutionSearch.Evaluation::fitness)).orElseThrow();
                if (r == 0) {
                    bestRandom = b;
                }
            }
            Plots.curves(ctx.workDirectory().resolve("search-curves.png"), "best " + c.proxy() + " so far, budget "
                    + budget + " proxy evaluations", "proxy evaluations", c.proxy(), names, curves);
            for (int i = 0; i < gaCurve.length; i++) {
                ctx.series("ga_best_" + c.proxy(), i + 1, gaCurve[i]);
            }
            ctx.metric("budget_evaluations", budget);
            ctx.metric("ga_best_proxy", ga.best().fitness());
            ctx.metric("random_best_proxy", bestRandom.fitness());
            ctx.metric("random_best_proxy_mean_over_repeats", randomBestSum / c.randomRepeats());
            ctx.metric("ga_best_params", space.params(ga.best().architecture()));
            ctx.timing("ga_seconds", gaSeconds);
            ctx.logger().log(System.Logger.Level.INFO, String.format(Locale.ROOT, "GA: %s (%s = %.6g) after %d"
                    + " evaluations in %.1f s; random: %s (%.6g)", ga.best().architecture(), c.proxy(),
                    ga.best().fitness(), budget, gaSeconds, bestRandom.architecture(), bestRandom.fitness()));
            StepIo.write(ctx.workDirectory().resolve("search.txt"), "budget " + budget + "\nga-best "
                    + ga.best().architecture() + " " + ga.best().fitness() + "\nrandom-best "
                    + bestRandom.architecture() + " " + bestRandom.fitness() + "\nrandom-best mean over "
                    + c.randomRepeats() + " repeats " + randomBestSum / c.randomRepeats() + "\n");
            return PortValues.of("found", new Candidates(space, List.of(ga.best().architecture(),
                    bestRandom.architecture()), List.of("ga-best", "random-best")));
        }
    }

    private static double[] bestSoFar(List<EvolutionSearch.Evaluation> evals) {
        double[] out = new double[evals.size()];
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < out.length; i++) {
            best = Math.max(best, evals.get(i).fitness());
            out[i] = best;
        }
        return out;
    }
}
