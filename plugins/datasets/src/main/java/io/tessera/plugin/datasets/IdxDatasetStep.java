package io.tessera.plugin.datasets;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code datasets/idx}: loads the training and test splits of an MNIST-style folder, or of a bundled
 * sample, as {@link ImageDataset}s, and carves a seeded validation split out of the training split, so that a
 * pipeline selects models on {@code val} and reports on {@code test}, which training never sees.
 *
 * <pre>{@code
 * data: { uses: datasets/idx, with: { dir: data/fashion-mnist, val_size: 5000, val_seed: 7 } }
 * data: { uses: datasets/idx, with: { sample: mnist } }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class IdxDatasetStep implements Step<IdxDatasetStep.Config> {
    private static final Set<String> FORMATS = Set.of("fashion-mnist", "mnist");

    /**
     * Configuration of {@code datasets/idx}.
     *
     * @param dir     folder holding the four IDX files; empty to use the bundled sample
     * @param sample  the bundled sample, or the class naming of {@code dir}: {@code fashion-mnist} or {@code mnist}
     * @param limit   keep only the first {@code limit} images of each split; 0 keeps all
     * @param valSize images moved from the training split into {@code val}; 0 leaves {@code val} empty
     * @param valSeed seed of the random choice of validation images; the same seed gives the same split
     */
    public record Config(
            @Description("folder holding the four IDX files (train-images-idx3-ubyte[.gz], ...); empty uses the "
                    + "bundled sample") String dir,
            @Description("the bundled sample to load, or the class names of dir's files") @OneOf({"fashion-mnist",
                    "mnist"}) String sample,
            @Description("keep only the first limit images of the training and test splits; 0 keeps all")
            @Range(min = 0) int limit,
            @Description("images drawn at random from the training split (after limit) into the val output, and "
                    + "removed from train; 0 leaves val empty") @Range(min = 0) int valSize,
            @Description("seed of the validation draw: the same seed and sizes give the same split")
            long valSeed) {
        public Config {
            dir = dir == null ? "" : dir;
            sample = sample == null ? "fashion-mnist" : sample;
            if (!FORMATS.contains(sample)) {
                throw new IllegalArgumentException("sample must be fashion-mnist or mnist, was '" + sample + "'");
            }
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be >= 0 (0 keeps every image), was " + limit);
            }
            if (valSize < 0) {
                throw new IllegalArgumentException("val_size must be >= 0 (0 leaves val empty), was " + valSize);
            }
        }

        /** The earlier form without a validation split. */
        public Config(String dir, String sample, int limit) {
            this(dir, sample, limit, 0, 0);
        }
    }

    @Override
    public String name() {
        return "datasets/idx";
    }

    @Override
    public String description() {
        return "loads MNIST / Fashion-MNIST IDX files (or the bundled samples) as train and test image datasets";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("", "fashion-mnist", 0, 0, 0);
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("train", ImageDataset.class, "the training images, less the validation images"),
                Port.of("val", ImageDataset.class, "val_size images drawn from the training split (empty if 0)"),
                Port.of("test", ImageDataset.class, "the test images"));
    }

    @Override
    public PortValues run(StepContext context, Config config, PortValues inputs) throws Exception {
        ArrayImageDataset all = load(config, Split.TRAIN);
        ArrayImageDataset test = load(config, Split.TEST);
        ValidationSplit split = ValidationSplit.draw(all, config.valSize(), config.valSeed());
        context.logger().log(System.Logger.Level.INFO, "loaded " + split.train() + ", " + split.val() + " and "
                + test);
        return new PortValues(java.util.Map.of("train", split.train(), "val", split.val(), "test", test));
    }

    static ArrayImageDataset load(Config config, Split split) throws IOException {
        ArrayImageDataset ds;
        if (config.dir().isEmpty()) {
            ds = BundledSamples.byName(config.sample(), split);
        } else {
            Path dir = Path.of(config.dir());
            ds = config.sample().equals("mnist") ? MnistFolder.mnist(dir, split) : MnistFolder.fashionMnist(dir, split);
        }
        return config.limit() > 0 && config.limit() < ds.size() ? ds.slice(0, config.limit()) : ds;
    }
}
