package io.tessera.plugin.dwff;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.training.pipeline.EpochLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dwff/train}: trains one DWFF decoder variant per seed on the frozen encoder's levels of the
 * training scenes ({@link SceneTraining}). The variant is the fusion (dynamic DWFF, static SWFF, plain NWFF) and the
 * encoder depths it reads; give every variant the same epochs, batch, rate and seeds to compare them fairly.
 *
 * <pre>{@code
 * train_dwff:
 *   uses: dwff/train
 *   with: { fusion: dwff, layers: [1, 2, 3, 4], epochs: 6, seeds: [1, 2, 3] }
 *   inputs: { encoder: vit.encoder, train: scenes.train }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainStep implements Step<TrainStep.Config> {

    /**
     * Configuration of {@code dwff/train}.
     *
     * @param fusion         {@code dwff}, {@code swff} or {@code nwff}
     * @param layers         encoder hidden states fused (0 embedding, i block i, -1 last)
     * @param label          name of the variant in tables and figures; empty derives it
     * @param fusionChannels Fc
     * @param mid1           first ConvBlock width
     * @param mid2           second ConvBlock width
     * @param epochs         passes over the training scenes
     * @param batchSize      scenes per step
     * @param lr             AdamW learning rate (cosine schedule per epoch)
     * @param weightDecay    AdamW weight decay (official 0.04)
     * @param seeds          one decoder per seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("dwff (per-image softmax weights), swff (free scalars) or nwff (plain sum)")
            @OneOf({"dwff", "swff", "nwff"}) String fusion,
            @Description("encoder hidden states fused: 0 the embedding, i block i, -1 the last block")
            List<Integer> layers,
            @Description("name of the variant in tables and figures; empty derives it from fusion and layers")
            String label,
            @Description("projection width Fc (>= 32)") @Range(min = 32, max = 4096) int fusionChannels,
            @Description("first ConvBlock width (>= 32)") @Range(min = 32, max = 4096) int mid1,
            @Description("second ConvBlock width (>= 32)") @Range(min = 32, max = 4096) int mid2,
            @Description("passes over the training scenes") @Range(min = 1, max = 10_000) int epochs,
            @Description("scenes per optimizer step") @Range(min = 1, max = 4096) int batchSize,
            @Description("AdamW learning rate (cosine schedule)") @Range(min = 0, minExclusive = true, max = 10)
            double lr,
            @Description("AdamW decoupled weight decay (official 0.04)") @Range(min = 0, max = 1) double weightDecay,
            @Description("one decoder per seed (initial weights, dropout and batch order)") List<Long> seeds) {

        public Config {
            layers = List.copyOf(layers);
            seeds = List.copyOf(seeds);
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("layers is empty; list the encoder hidden states to fuse, e.g."
                        + " [1, 2, 3, 4] or [-1]");
            }
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("seeds is empty; list at least one, e.g. [1, 2, 3]");
            }
            new SceneTraining.Options(epochs, batchSize, lr, weightDecay);
            GroupRule.groups(fusionChannels);
        }

        Fusion fusionKind() {
            return switch (fusion) {
                case "dwff" -> Fusion.DYNAMIC;
                case "swff" -> Fusion.STATIC;
                default -> Fusion.PLAIN;
            };
        }

        String variant() {
            if (!label.isBlank()) {
                return label;
            }
            return fusion.toUpperCase(Locale.ROOT) + layers;
        }
    }

    @Override
    public String name() {
        return "dwff/train";
    }

    @Override
    public String description() {
        return "trains DWFF decoders (dynamic, static or plain fusion of chosen encoder depths), one per seed, on"
                + " the frozen encoder's levels of the training scenes";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("dwff", List.of(1, 2, 3, 4), "", 64, 64, 32, 4, 8, 2e-3, 0.04, List.of(1L, 2L, 3L));
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("encoder", PatchVit.class, "the frozen encoder (dwff/pretrain-vit)"),
                Port.of("train", SceneSet.class, "training scenes (dwff/scenes)"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("decoders", TrainedDecoders.class, "one trained decoder per seed"),
                Port.of("metrics", Metrics.class, "final training loss (mean over seeds) and parameter count"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        PatchVit encoder = in.get("encoder", PatchVit.class);
        SceneSet scenes = in.get("train", SceneSet.class);
        int[] layers = c.layers().stream().mapToInt(Integer::intValue).toArray();
        LevelFeatures levels = LevelFeatures.extract(ctx.backend(), encoder, scenes, layers, 64,
                n -> ctx.progress(n, scenes.size(), "encoding training scenes"));
        DwffConfig cfg = new DwffConfig(layers.length, encoder.dim(), c.fusionChannels(), c.mid1(), c.mid2(),
                scenes.numClasses(), c.fusionKind(), 0.2, 0.1);
        SceneTraining.Options o = new SceneTraining.Options(c.epochs(), c.batchSize(), c.lr(), c.weightDecay());
        int perSeed = c.epochs() * ((scenes.size() + c.batchSize() - 1) / c.batchSize());
        List<DwffDecoder> decoders = new ArrayList<>();
        double lossSum = 0;
        long start = System.nanoTime();
        try {
            for (int s = 0; s < c.seeds().size(); s++) {
                long seed = c.seeds().get(s);
                int done = s * perSeed;
                double[] last = {Double.NaN};
                decoders.add(SceneTraining.train(ctx.backend(), cfg, levels, scenes, o, seed,
                        new SceneTraining.Listener() {
                            @Override
                            public void step(long step, double loss) {
                                ctx.series("batch_loss/seed" + seed, step, loss);
                                ctx.progress(done + step, (long) perSeed * c.seeds().size(), c.variant() + " seed "
                                        + seed + " loss " + String.format("%.4f", loss));
                            }

                            @Override
                            public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                                last[0] = meanLoss;
                                Map<String, Double> m = Map.of("train_loss/seed" + seed, meanLoss, "lr", lr);
                                ctx.service(EpochLog.class).ifPresent(log -> log.epochEnd(epoch, epochs, m));
                            }

                            @Override
                            public boolean cancelled() {
                                return ctx.cancelled();
                            }
                        }));
                lossSum += last[0];
            }
        } catch (RuntimeException e) {
            decoders.forEach(DwffDecoder::close);
            throw e;
        }
        double ms = (System.nanoTime() - start) / 1e6 / Math.max(1, (long) perSeed * c.seeds().size());
        ctx.timing("ms_per_step", ms);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", lossSum / c.seeds().size());
        m.put("parameters", (double) decoders.get(0).parameterCount());
        m.forEach(ctx::metric);
        Map<String, Double> row = new LinkedHashMap<>(m);
        row.put("ms_per_step", ms);
        ctx.logger().log(System.Logger.Level.INFO, "trained " + c.variant() + " (" + cfg + ") for seeds "
                + c.seeds());
        TrainedDecoders out = new TrainedDecoders(c.variant(), layers, c.seeds(), decoders);
        return new PortValues(Map.of("decoders", out, "metrics", new Metrics(ctx.stepName(), row)));
    }
}
