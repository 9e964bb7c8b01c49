package io.tessera.plugin.wpca;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code wpca/score}: every training-free proxy of every candidate at its initial weights (those of seed
 * {@code init_seed}, the first training seed) on {@code batches} training batches of {@code batch_size}: W-PCA, PCA
 * alone and {@code #params} alone (spec §2; several batches averaged by size, §2 step 6), and synflow and grad-norm
 * (one batch). Writes {@code scores.csv}; records the time per candidate of each proxy as timings.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ScoreStep implements Step<ScoreStep.Config> {

    /**
     * Configuration of {@code wpca/score}.
     *
     * @param proxies   proxies to compute
     * @param eta       W-PCA variance threshold
     * @param reduction layer reduction
     * @param batchSize sequences per batch
     * @param batches   batches averaged (the official code uses up to 3)
     * @param seed      batch choice; -1 derives it from the pipeline seed
     * @param initSeed  seed of the candidates' initial weights
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("proxies: wpca, pca, params, synflow, grad_norm") List<String> proxies,
            @Description("W-PCA variance threshold η (official 0.99)") @Range(min = 0, max = 1) double eta,
            @Description("layer reduction: mean (official code) or sum (paper)") @OneOf({"mean", "sum"})
            String reduction,
            @Description("sequences (images) per scoring batch") @Range(min = 2, max = 100_000) int batchSize,
            @Description("scoring batches, averaged by size (official: up to 3)") @Range(min = 1, max = 100)
            int batches,
            @Description("seed of the batch choice; -1 derives it from the pipeline seed") @Range(min = -1) long seed,
            @Description("seed of the candidates' initial weights (the first training seed)") @Range(min = 0)
            long initSeed) {
        public Config {
            proxies = ZeroCostProxies.check(proxies);
        }
    }

    @Override
    public String name() {
        return "wpca/score";
    }

    @Override
    public String description() {
        return "scores candidates at initialisation with W-PCA, PCA, #params, synflow and grad-norm";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(ZeroCostProxies.ALL, PcaCount.DEFAULT_ETA, "mean", 32, 1, -1, 0);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("candidates", Candidates.class, "the candidates to score"),
                Port.of("train", ImageDataset.class, "images the scoring batches come from"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("scores", ProxyScores.class, "every proxy of every candidate"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Candidates cands = in.get("candidates", Candidates.class);
        ImageDataset train = in.get("train", ImageDataset.class);
        TensorBackend be = ctx.backend();
        LayerReduction red = LayerReduction.valueOf(c.reduction().toUpperCase(Locale.ROOT));
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String p : c.proxies()) {
            values.put(p, new double[cands.size()]);
            seconds.put(p, 0.0);
        }
        try (TensorScope scope = Tensors.scope()) {
            List<Tensor[]> batches = StepIo.batches(be, train, c.batchSize(), c.batches(),
                    c.seed() >= 0 ? c.seed() : ctx.seed());
            for (int i = 0; i < cands.size(); i++) {
                if (ctx.cancelled()) {
                    throw new IllegalStateException("cancelled");
                }
                Map<String, Double> v = score(be, cands.space(), cands.architectures().get(i), batches, c, red,
                        seconds);
                for (var e : v.entrySet()) {
                    values.get(e.getKey())[i] = e.getValue();
                }
                ctx.progress(i + 1, cands.size(), cands.labels().get(i) + " " + cands.architectures().get(i).name());
            }
        }
        seconds.replaceAll((k, s) -> s / cands.size());
        StringBuilder csv = new StringBuilder("label,name,").append(String.join(",", values.keySet())).append('\n');
        for (int i = 0; i < cands.size(); i++) {
            csv.append(cands.labels().get(i)).append(',').append(cands.architectures().get(i).name());
            for (double[] v : values.values()) {
                csv.append(',').append(StepIo.num(v[i]));
            }
            csv.append('\n');
        }
        StepIo.write(ctx.workDirectory().resolve("scores.csv"), csv.toString());
        seconds.forEach((p, s) -> ctx.timing(p + "_ms_per_candidate", 1000 * s));
        return PortValues.of("scores", new ProxyScores(cands, values, seconds));
    }

    /** Every proxy of {@code c.proxies()} for one candidate; adds each proxy's seconds to {@code seconds}. */
    static Map<String, Double> score(TensorBackend be, SearchSpace space, Architecture a, List<Tensor[]> batches,
            Config c, LayerReduction red, Map<String, Double> seconds) {
        Map<String, Double> out = new LinkedHashMap<>();
        boolean wantPca = c.proxies().stream().anyMatch(p -> p.equals("wpca") || p.equals("pca")
                || p.equals("params"));
        if (wantPca) {
            long t0 = System.nanoTime();
            WpcaScore s = wpca(be, space, a, batches, c.initSeed(), c.eta(), red);
            double dt = (System.nanoTime() - t0) / 1e9;
            for (String p : List.of("wpca", "pca", "params")) {
                if (c.proxies().contains(p)) {
                    out.put(p, s.value(Proxy.of(p)));
                    // one computation gives all three; charge each its full cost (what scoring it alone takes)
                    seconds.merge(p, p.equals("params") ? 0.0 : dt, Double::sum);
                }
            }
        }
        if (c.proxies().contains("grad_norm")) {
            long t0 = System.nanoTime();
            try (EncoderClassifier m = new EncoderClassifier(be, space, a, new Generator(c.initSeed()))) {
                out.put("grad_norm", ZeroCostProxies.gradNorm(m, batches.get(0)[0], batches.get(0)[1]));
            }
            seconds.merge("grad_norm", (System.nanoTime() - t0) / 1e9, Double::sum);
        }
        if (c.proxies().contains("synflow")) {
            long t0 = System.nanoTime();
            try (EncoderClassifier m = new EncoderClassifier(be, space, a, new Generator(c.initSeed()))) {
                out.put("synflow", ZeroCostProxies.synflow(m, space.seqLen(), space.tokenDim()));
            }
            seconds.merge("synflow", (System.nanoTime() - t0) / 1e9, Double::sum);
        }
        return out;
    }

    /** W-PCA of one candidate at the initial weights of {@code initSeed}, averaged over {@code batches} by size. */
    static WpcaScore wpca(TensorBackend be, SearchSpace space, Architecture a, List<Tensor[]> batches, long initSeed,
            double eta, LayerReduction red) {
        try (EncoderClassifier m = new EncoderClassifier(be, space, a, new Generator(initSeed))) {
            List<WpcaScore> per = new ArrayList<>();
            int[] sizes = new int[batches.size()];
            for (int b = 0; b < batches.size(); b++) {
                per.add(ZeroCostProxies.wpca(m, batches.get(b)[0], eta, red));
                sizes[b] = (int) batches.get(b)[0].size(0);
            }
            return WpcaScore.average(per, sizes);
        }
    }
}
