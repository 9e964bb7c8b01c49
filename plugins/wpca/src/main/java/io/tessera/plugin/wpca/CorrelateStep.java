package io.tessera.plugin.wpca;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code wpca/correlate}: Kendall τ-b and Spearman ρ of each proxy against the mean trained accuracy
 * (over seeds) of the same candidates, one scatter plot per proxy (in the report), {@code correlation.csv}, and the
 * cost of the proxies against the cost of training (timings). Takes the accuracy of every training shard.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CorrelateStep implements Step<CorrelateStep.Config> {

    /**
     * Configuration of {@code wpca/correlate}.
     *
     * @param minCandidates fewest candidates with both a score and an accuracy
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("fewest candidates with both a proxy score and a trained accuracy") @Range(min = 2)
            int minCandidates) {
    }

    @Override
    public String name() {
        return "wpca/correlate";
    }

    @Override
    public String description() {
        return "Kendall tau-b and Spearman rho of each proxy against trained accuracy, with scatter plots";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(3);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("scores", ProxyScores.class, "proxy values of the candidates"),
                Port.of("accuracy", List.class, "the TrainedAccuracy of every training shard"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("metrics", Metrics.class, "tau_b/<proxy> and rho/<proxy>"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        ProxyScores scores = in.get("scores", ProxyScores.class);
        int n = scores.candidates().size();
        double[] acc = new double[n];
        double trainSeconds = 0;
        int shards = 0;
        java.util.Arrays.fill(acc, Double.NaN);
        for (Object o : in.get("accuracy", List.class)) {
            if (!(o instanceof TrainedAccuracy t)) {
                throw new IllegalArgumentException("accuracy takes outputs of wpca/train-candidates, got "
                        + (o == null ? "null" : o.getClass().getSimpleName()));
            }
            for (int k = 0; k < t.indices().size(); k++) {
                int i = t.indices().get(k);
                if (i >= n || !t.labels().get(k).equals(scores.candidates().labels().get(i))) {
                    throw new IllegalArgumentException("trained candidate " + t.labels().get(k) + " is not candidate "
                            + i + " of the scores; train and score the same wpca/sample output");
                }
                acc[i] = t.mean(k);
            }
            trainSeconds += t.meanSeconds();
            shards++;
        }
        int[] have = java.util.stream.IntStream.range(0, n).filter(i -> !Double.isNaN(acc[i])).toArray();
        if (have.length < c.minCandidates()) {
            throw new IllegalArgumentException("only " + have.length + " candidates have both a score and an"
                    + " accuracy; need " + c.minCandidates());
        }
        double[] y = java.util.Arrays.stream(have).mapToDouble(i -> acc[i]).toArray();
        Map<String, Double> m = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("proxy,kendall_tau_b,spearman_rho,ms_per_candidate\n");
        for (String p : scores.proxies()) {
            double[] all = scores.values().get(p);
            double[] x = java.util.Arrays.stream(have).mapToDouble(i -> all[i]).toArray();
            double tau = RankCorrelation.kendallTauB(x, y);
            double rho = RankCorrelation.spearmanRho(x, y);
            m.put("tau_b/" + p, tau);
            m.put("rho/" + p, rho);
            ctx.metric("tau_b/" + p, tau);
            ctx.metric("rho/" + p, rho);
            double ms = 1000 * scores.secondsPerProxy().getOrDefault(p, Double.NaN);
            csv.append(p).append(',').append(StepIo.num(tau)).append(',').append(StepIo.num(rho)).append(',')
                    .append(StepIo.num(ms)).append('\n');
            Plots.scatter(ctx.workDirectory().resolve("scatter-" + p + ".png"),
                    String.format(Locale.ROOT, "%s vs accuracy: tau-b %.3f, rho %.3f (n=%d)", p, tau, rho, x.length),
                    p + " at initialisation", "test accuracy (mean over seeds)", x, y);
        }
        m.put("candidates", (double) have.length);
        ctx.metric("candidates", have.length);
        StepIo.write(ctx.workDirectory().resolve("correlation.csv"), csv.toString());
        double wpcaSeconds = scores.secondsPerProxy().getOrDefault("wpca", Double.NaN);
        if (shards > 0 && wpcaSeconds > 0) {
            double perCandidateTraining = trainSeconds / shards;
            ctx.timing("train_s_per_candidate_seed", perCandidateTraining);
            ctx.timing("wpca_s_per_candidate", wpcaSeconds);
            ctx.timing("training_over_wpca_cost", perCandidateTraining / wpcaSeconds);
        }
        return PortValues.of("metrics", new Metrics(ctx.stepName(), m));
    }
}
