package io.tessera.plugin.datasets;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code datasets/idx}: loads the training and test splits of an MNIST-style folder, or of a bundled
 * sample, as {@link ImageDataset}s.
 *
 * <pre>{@code
 * data: { uses: datasets/idx, with: { dir: ../shared/data/fashion-mnist } }
 * data: { uses: datasets/idx, with: { sample: mnist } }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class IdxDatasetStep implements Step<IdxDatasetStep.Config> {
    private static final Set<String> FORMATS = Set.of("fashion-mnist", "mnist");

    /**
     * Configuration of {@code datasets/idx}.
     *
     * @param dir    folder holding the four IDX files; empty to use the bundled sample
     * @param sample the bundled sample, or the class naming of {@code dir}: {@code fashion-mnist} or {@code mnist}
     * @param limit  keep only the first {@code limit} images of each split; 0 keeps all
     */
    public record Config(String dir, String sample, int limit) {
        public Config {
            dir = dir == null ? "" : dir;
            sample = sample == null ? "fashion-mnist" : sample;
            if (!FORMATS.contains(sample)) {
                throw new IllegalArgumentException("sample must be fashion-mnist or mnist, was '" + sample + "'");
            }
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be >= 0 (0 keeps every image), was " + limit);
            }
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
        return new Config("", "fashion-mnist", 0);
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("train", ImageDataset.class, "the training images"),
                Port.of("test", ImageDataset.class, "the test images"));
    }

    @Override
    public PortValues run(StepContext context, Config config, PortValues inputs) throws Exception {
        ArrayImageDataset train = load(config, Split.TRAIN);
        ArrayImageDataset test = load(config, Split.TEST);
        context.logger().log(System.Logger.Level.INFO, "loaded " + train + " and " + test);
        return PortValues.of("train", train, "test", test);
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
