package io.tessera.plugin.wpca;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code wpca/train-candidates}: the ground truth. Trains every candidate of its shard ({@code i} with
 * {@code i % shards == shard}) from scratch with each of {@code seeds} seeds (0, 1, ...) for a fixed budget and tests
 * it (see {@link CandidateTraining}). Several shards in one pipeline train in parallel; after each (candidate, seed)
 * the results so far are checkpointed, so a resumed run ({@code --resume}) trains only what is missing. Writes
 * {@code accuracy.csv}; records {@code acc/<label>} metrics.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainCandidatesStep implements Step<TrainCandidatesStep.Config> {

    /**
     * Configuration of {@code wpca/train-candidates}.
     *
     * @param seeds      training seeds per candidate (0 .. seeds-1)
     * @param epochs     passes over the training subset
     * @param batchSize  images per Adam step
     * @param lr         Adam learning rate
     * @param trainLimit training images used (0 = all)
     * @param testLimit  test images evaluated (0 = all)
     * @param shard      which shard this step trains
     * @param shards     number of shards
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("training seeds per candidate: 0 .. seeds-1") @Range(min = 1, max = 100) int seeds,
            @Description("passes over the training subset") @Range(min = 1, max = 1000) int epochs,
            @Description("images per Adam step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("Adam learning rate") @Range(min = 0, minExclusive = true, max = 10) double lr,
            @Description("training images used; 0 uses all") @Range(min = 0) int trainLimit,
            @Description("test images evaluated; 0 uses all") @Range(min = 0) int testLimit,
            @Description("the shard this step trains (candidates i with i % shards == shard)") @Range(min = 0)
            int shard,
            @Description("number of shards") @Range(min = 1, max = 1024) int shards) {
        public Config {
            if (shard >= shards) {
                throw new IllegalArgumentException("shard " + shard + " must be below shards " + shards);
            }
        }
    }

    @Override
    public String name() {
        return "wpca/train-candidates";
    }

    @Override
    public String description() {
        return "trains candidate encoders for a fixed budget with several seeds (sharded, resumable) and tests them";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(2, 1, 64, 1e-3, 0, 0, 0, 1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("candidates", Candidates.class, "the candidates to train"),
                Port.of("train", ImageDataset.class, "training images"),
                Port.of("test", ImageDataset.class, "test images"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("accuracy", TrainedAccuracy.class, "test accuracy per candidate and seed"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Candidates cands = in.get("candidates", Candidates.class);
        ImageDataset train = in.get("train", ImageDataset.class);
        ImageDataset test = in.get("test", ImageDataset.class);
        if (train.height() != cands.space().seqLen() || train.width() != cands.space().tokenDim()) {
            throw new IllegalArgumentException("the training images are " + train.height() + "x" + train.width()
                    + " but the candidates were sampled for " + cands.space().seqLen() + "x"
                    + cands.space().tokenDim());
        }
        CandidateTraining.Budget budget = new CandidateTraining.Budget(c.epochs(), c.batchSize(), c.lr(),
                c.trainLimit(), c.testLimit());
        List<Integer> mine = new ArrayList<>();
        for (int i = c.shard(); i < cands.size(); i += c.shards()) {
            mine.add(i);
        }
        Map<String, double[]> done = restore(ctx.checkpoints().latest());
        if (!done.isEmpty()) {
            ctx.logger().log(System.Logger.Level.INFO, "resuming with " + done.size() + " trained (candidate, seed)"
                    + " pairs from the checkpoint");
        }
        int total = mine.size() * c.seeds();
        double[][] acc = new double[mine.size()][c.seeds()];
        double[][] secs = new double[mine.size()][c.seeds()];
        int finished = 0;
        for (int k = 0; k < mine.size(); k++) {
            int i = mine.get(k);
            Architecture a = cands.architectures().get(i);
            for (int s = 0; s < c.seeds(); s++) {
                String key = a.key() + "@" + s;
                double[] r = done.get(key);
                if (r == null) {
                    CandidateTraining.Outcome o = CandidateTraining.run(ctx.backend(), cands.space(), a, s, train,
                            test, budget, ctx::cancelled);
                    r = new double[] {o.accuracy(), o.seconds()};
                    done.put(key, r);
                    ctx.checkpoints().save(done.size(), dir -> Files.writeString(dir.resolve("results.tsv"),
                            tsv(done), StandardCharsets.UTF_8));
                    ctx.logger().log(System.Logger.Level.INFO, cands.labels().get(i) + " " + a.name() + " seed " + s
                            + ": accuracy " + o.accuracy() + " in " + o.seconds() + " s");
                }
                acc[k][s] = r[0];
                secs[k][s] = r[1];
                ctx.progress(++finished, total, cands.labels().get(i) + " " + a.name() + " seed " + s);
            }
        }
        List<String> labels = mine.stream().map(cands.labels()::get).toList();
        TrainedAccuracy out = new TrainedAccuracy(cands.space(), mine, labels, acc, secs);
        StringBuilder csv = new StringBuilder("label,name,params,mean_accuracy");
        for (int s = 0; s < c.seeds(); s++) {
            csv.append(",seed").append(s);
        }
        csv.append('\n');
        for (int k = 0; k < mine.size(); k++) {
            Architecture a = cands.architectures().get(mine.get(k));
            csv.append(labels.get(k)).append(',').append(a.name()).append(',').append(cands.space().params(a))
                    .append(',').append(StepIo.num(out.mean(k)));
            for (double v : acc[k]) {
                csv.append(',').append(StepIo.num(v));
            }
            csv.append('\n');
            ctx.metric("acc/" + labels.get(k), out.mean(k));
        }
        StepIo.write(ctx.workDirectory().resolve("accuracy.csv"), csv.toString());
        ctx.timing("train_s_per_candidate_seed", out.meanSeconds());
        return PortValues.of("accuracy", out);
    }

    private static String tsv(Map<String, double[]> done) {
        StringBuilder sb = new StringBuilder();
        done.forEach((k, v) -> sb.append(k).append('\t').append(Double.toString(v[0])).append('\t')
                .append(Double.toString(v[1])).append('\n'));
        return sb.toString();
    }

    private static Map<String, double[]> restore(Optional<Path> checkpoint) throws java.io.IOException {
        Map<String, double[]> out = new HashMap<>();
        if (checkpoint.isEmpty() || !Files.exists(checkpoint.get().resolve("results.tsv"))) {
            return out;
        }
        for (String line : Files.readAllLines(checkpoint.get().resolve("results.tsv"), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                out.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
        }
        return out;
    }
}
