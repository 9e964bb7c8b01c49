package io.tessera.plugin.dcd;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dcd/composites}: builds captioned composites ({@link Composites}) from an image dataset's
 * training split (training composites) and test split (test composites), seeded, so no test item ever appears in a
 * training composite.
 *
 * <pre>{@code
 * composites:
 *   uses: dcd/composites
 *   with: { train_size: 2000, test_size: 200 }
 *   inputs: { train: data.train, test: data.test }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CompositesStep implements Step<CompositesStep.Config> {

    /**
     * Configuration of {@code dcd/composites}.
     *
     * @param trainSize composites built from the training split
     * @param testSize  composites built from the test split
     * @param seed      item choices and captions; -1 derives it from the pipeline seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("composites built from training-split items only") @Range(min = 2, max = 1_000_000)
            int trainSize,
            @Description("composites built from test-split items only (the retrieval gallery)")
            @Range(min = 2, max = 100_000) int testSize,
            @Description("seed of item choices and captions; -1 derives it from the pipeline seed") @Range(min = -1)
            long seed) {
    }

    @Override
    public String name() {
        return "dcd/composites";
    }

    @Override
    public String description() {
        return "builds image-text pairs: two items side by side with a templated caption naming them and their"
                + " spatial relation (train pairs from the training split, test pairs from the test split)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(2000, 200, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "training-split images (the only source of train pairs)"),
                Port.of("test", ImageDataset.class, "test-split images (the only source of test pairs)"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("train", Composites.class, "training composites with captions"),
                Port.of("test", Composites.class, "test composites with captions"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) {
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        ImageDataset train = in.get("train", ImageDataset.class);
        ImageDataset test = in.get("test", ImageDataset.class);
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException("dcd/composites: train and test splits have different classes ("
                    + train.classNames() + " vs " + test.classNames() + "); give both splits of one dataset");
        }
        Composites.Vocabulary vocab = new Composites.Vocabulary(train.classNames());
        // independent streams: the two splits never share a choice
        Composites tr = Composites.generate("train-composites", train, vocab, c.trainSize(), seed * 2 + 1);
        Composites te = Composites.generate("test-composites", test, vocab, c.testSize(), seed * 2 + 2);
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        for (int i = 0; i < te.size(); i++) {
            keys.add(te.key(i));
        }
        ctx.metric("vocabulary", vocab.size());
        ctx.metric("test_distinct_pairs", keys.size());
        ctx.logger().log(System.Logger.Level.INFO, "built " + tr + " and " + te + "; e.g. \"" + te.caption(0)
                + "\"");
        return new PortValues(Map.of("train", tr, "test", te));
    }
}
