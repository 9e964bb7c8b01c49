package io.tessera.plugin.wpca;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.apiguardian.api.API;

/**
 * The official genetic search ({@code EvolutionSearcher} of {@code spos.py}, spec §3), over the gene vectors of a
 * {@link SearchSpace} with a proxy as fitness:
 *
 * <ol>
 *   <li>{@code get_random(population_num)}: random gene vectors (each gene uniform in {@code [init_low, init_high]})
 *       until {@code population_num} legal candidates are found;</li>
 *   <li>each of {@code max_epochs} epochs: merge the current candidates into the top-{@code select_num} and top-50
 *       lists (fitness descending); {@code mutation_num} children of parents drawn uniformly from the top-
 *       {@code select_num} list, each gene replaced with probability {@code m_prob} by {@code randint(type_blocks)};
 *       {@code crossover_num} children of two such parents, each gene from either with probability 1/2 (at most
 *       {@code 10 ×} as many tries as children wanted, for each); the next candidates are mutation + crossover, topped
 *       up with random legal ones to {@code population_num};</li>
 *   <li>the result is the top-1 after a last merge.</li>
 * </ol>
 *
 * A candidate is legal when it was never visited and the space allows it ({@link SearchSpace#isLegal}); only legal
 * candidates are scored, once each, so the number of fitness evaluations is the search's proxy budget.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class EvolutionSearch {

    /**
     * The official settings (defaults in {@code spos.py}, except the sizes, which spec §6 scales down).
     *
     * @param maxEpochs     generations
     * @param populationNum candidates per generation at least
     * @param selectNum     parents kept (top-k)
     * @param mutationNum   mutated children per generation
     * @param crossoverNum  crossed children per generation
     * @param mProb         per-gene mutation probability
     * @param initLow       lowest gene of a random candidate ({@code range1})
     * @param initHigh      highest gene of a random candidate ({@code range2})
     * @param typeBlocks    a mutated gene is drawn from {@code [0, typeBlocks)}
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Settings(int maxEpochs, int populationNum, int selectNum, int mutationNum, int crossoverNum,
            double mProb, int initLow, int initHigh, int typeBlocks) {
        public Settings {
            if (maxEpochs < 1 || populationNum < 1 || selectNum < 1 || mutationNum < 0 || crossoverNum < 0) {
                throw new IllegalArgumentException("evolution: max_epochs, population_num and select_num must be >= 1,"
                        + " mutation_num and crossover_num >= 0");
            }
            if (!(mProb >= 0 && mProb <= 1)) {
                throw new IllegalArgumentException("evolution: m_prob " + mProb + " must be in [0, 1]");
            }
            if (initLow < 0 || initHigh < initLow || typeBlocks < 1) {
                throw new IllegalArgumentException("evolution: need 0 <= init_low <= init_high and type_blocks >= 1");
            }
        }

        /** Spec §6 sizes on a space: population 10, 10 epochs, m_prob 0.1, 10 mutations, 10 crossovers; genes over
         * the whole space (skip included) for initialisation and mutation; {@code select_num} as given. */
        public static Settings forSpace(SearchSpace space, int selectNum) {
            return new Settings(10, 10, selectNum, 10, 10, 0.1, 0, space.skip(), space.choices());
        }
    }

    /** One scored candidate, in evaluation order. */
    public record Evaluation(int index, Architecture architecture, double fitness) {
    }

    /** The result: the top-1, the top-50, and every evaluation in order. */
    public record Result(Evaluation best, List<Evaluation> top, List<Evaluation> evaluations) {
    }

    private final SearchSpace space;
    private final Settings settings;
    private final ToDoubleFunction<Architecture> fitness;
    private final Random random;
    private final int maxEvaluations;
    private final Map<String, Evaluation> visited = new HashMap<>();
    private final List<Evaluation> evaluations = new ArrayList<>();

    /**
     * A search of {@code space} scoring with {@code fitness}, drawing from {@code seed}; it stops early (and returns
     * what it has) after {@code maxEvaluations} fitness evaluations (0 = no limit).
     */
    public EvolutionSearch(SearchSpace space, Settings settings, ToDoubleFunction<Architecture> fitness, long seed,
            int maxEvaluations) {
        this.space = space;
        this.settings = settings;
        this.fitness = fitness;
        this.random = new Random(seed);
        this.maxEvaluations = maxEvaluations;
        if (settings.initHigh() > space.skip() || settings.typeBlocks() > space.choices()) {
            throw new IllegalArgumentException("evolution: init_high " + settings.initHigh() + " and type_blocks "
                    + settings.typeBlocks() + " must stay within the space's " + space.choices() + " gene values");
        }
    }

    private boolean exhausted() {
        return maxEvaluations > 0 && evaluations.size() >= maxEvaluations;
    }

    /** The official {@code is_legal}: unvisited and allowed; scores it (once) when it is. */
    private boolean legal(List<Integer> genes) {
        Architecture a = space.decode(genes);
        if (visited.containsKey(a.key()) || exhausted()) {
            return false;
        }
        if (!space.isLegal(a)) {
            visited.put(a.key(), null);
            return false;
        }
        Evaluation e = new Evaluation(evaluations.size(), a, fitness.applyAsDouble(a));
        visited.put(a.key(), e);
        evaluations.add(e);
        return true;
    }

    private void topUpRandom(List<List<Integer>> candidates, int num) {
        int tries = 0;
        while (candidates.size() < num && !exhausted()) {
            List<Integer> g = space.randomGenes(random, settings.initLow(), settings.initHigh());
            if (legal(g)) {
                candidates.add(g);
            }
            if (++tries > 100_000) {
                throw new IllegalStateException("evolution: no legal random candidate in 100000 tries; the space's"
                        + " parameter cap or layer minimum rules out almost everything");
            }
        }
    }

    private static void merge(List<Evaluation> top, List<Evaluation> add, int k) {
        Map<String, Evaluation> all = new LinkedHashMap<>();
        top.forEach(e -> all.put(e.architecture().key(), e));
        add.forEach(e -> all.put(e.architecture().key(), e));
        List<Evaluation> sorted = new ArrayList<>(all.values());
        sorted.sort(Comparator.comparingDouble(Evaluation::fitness).reversed());
        top.clear();
        top.addAll(sorted.subList(0, Math.min(k, sorted.size())));
    }

    /** Runs the search. */
    public Result run() {
        List<List<Integer>> candidates = new ArrayList<>();
        topUpRandom(candidates, settings.populationNum());
        List<Evaluation> topSelect = new ArrayList<>();
        List<Evaluation> top50 = new ArrayList<>();
        for (int epoch = 0; epoch < settings.maxEpochs() && !exhausted(); epoch++) {
            List<Evaluation> current = candidates.stream().map(g -> visited.get(space.decode(g).key())).toList();
            merge(topSelect, current, settings.selectNum());
            merge(top50, current, 50);
            List<List<Integer>> next = new ArrayList<>();
            next.addAll(mutation(topSelect));
            next.addAll(crossover(topSelect));
            candidates = next;
            topUpRandom(candidates, settings.populationNum());
        }
        List<Evaluation> current = candidates.stream().map(g -> visited.get(space.decode(g).key())).toList();
        merge(topSelect, current, settings.selectNum());
        merge(top50, current, 50);
        return new Result(topSelect.get(0), List.copyOf(top50), List.copyOf(evaluations));
    }

    private List<List<Integer>> mutation(List<Evaluation> parents) {
        List<List<Integer>> out = new ArrayList<>();
        int maxIters = settings.mutationNum() * 10;
        for (int it = 0; it < maxIters && out.size() < settings.mutationNum() && !exhausted(); it++) {
            List<Integer> g = new ArrayList<>(parents.get(random.nextInt(parents.size())).architecture().genes());
            for (int i = 0; i < g.size(); i++) {
                if (random.nextDouble() < settings.mProb()) {
                    g.set(i, random.nextInt(settings.typeBlocks()));
                }
            }
            if (legal(g)) {
                out.add(g);
            }
        }
        return out;
    }

    private List<List<Integer>> crossover(List<Evaluation> parents) {
        List<List<Integer>> out = new ArrayList<>();
        int maxIters = settings.crossoverNum() * 10;
        for (int it = 0; it < maxIters && out.size() < settings.crossoverNum() && !exhausted(); it++) {
            List<Integer> p1 = parents.get(random.nextInt(parents.size())).architecture().genes();
            List<Integer> p2 = parents.get(random.nextInt(parents.size())).architecture().genes();
            List<Integer> g = new ArrayList<>();
            for (int i = 0; i < p1.size(); i++) {
                g.add(random.nextBoolean() ? p1.get(i) : p2.get(i));
            }
            if (legal(g)) {
                out.add(g);
            }
        }
        return out;
    }

    /**
     * Random search with the same rules: {@code budget} distinct legal candidates drawn uniformly (genes in
     * {@code [low, high]}), scored in order.
     */
    public static List<Evaluation> randomSearch(SearchSpace space, ToDoubleFunction<Architecture> fitness, long seed,
            int budget, int low, int high) {
        Random r = new Random(seed);
        Map<String, Boolean> seen = new HashMap<>();
        List<Evaluation> out = new ArrayList<>();
        int tries = 0;
        while (out.size() < budget) {
            if (++tries > 1_000_000) {
                throw new IllegalStateException("random search: fewer than " + budget + " legal candidates found");
            }
            Architecture a = space.decode(space.randomGenes(r, low, high));
            if (seen.put(a.key(), Boolean.TRUE) != null || !space.isLegal(a)) {
                continue;
            }
            out.add(new Evaluation(out.size(), a, fitness.applyAsDouble(a)));
        }
        return out;
    }
}
