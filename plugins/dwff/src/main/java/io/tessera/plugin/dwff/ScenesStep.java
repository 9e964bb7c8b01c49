package io.tessera.plugin.dwff;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dwff/scenes}: builds segmentation scenes ({@link SceneSet}) from an image dataset's training
 * split (training scenes) and test split (test scenes), seeded, so no test image ever appears in a training scene.
 *
 * <pre>{@code
 * scenes:
 *   uses: dwff/scenes
 *   with: { height: 64, width: 64, min_items: 2, max_items: 3, train_scenes: 2000, test_scenes: 500 }
 *   inputs: { train: data.train, test: data.test }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ScenesStep implements Step<ScenesStep.Config> {

    /**
     * Configuration of {@code dwff/scenes}.
     *
     * @param height      canvas height (multiple of 16)
     * @param width       canvas width (multiple of 16)
     * @param minItems    fewest items per scene
     * @param maxItems    most items per scene
     * @param threshold   intensity from which an item's pixel takes its class
     * @param itemScale   factor by which items are enlarged (bilinear) before placement
     * @param placement   item corners at random multiples of this many pixels (1 anywhere, 16 on the patch grid)
     * @param trainScenes scenes built from the training split
     * @param testScenes  scenes built from the test split
     * @param seed        positions and item choices; -1 derives it from the pipeline seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("canvas height, a multiple of the ViT patch 16") @Range(min = 16, max = 4096) int height,
            @Description("canvas width, a multiple of the ViT patch 16") @Range(min = 16, max = 4096) int width,
            @Description("fewest items per scene") @Range(min = 1, max = 64) int minItems,
            @Description("most items per scene") @Range(min = 1, max = 64) int maxItems,
            @Description("intensity in (0, 1] from which an item's pixel is labelled with its class (else"
                    + " background)") @Range(min = 0, minExclusive = true, max = 1) double threshold,
            @Description("factor in [1, 8] by which items are enlarged (bilinear) before placement, so that an item"
                    + " spans more than 2x2 patches of 16") @Range(min = 1, max = 8) double itemScale,
            @Description("item corners are put at random multiples of this many pixels: 1 anywhere, 16 on the ViT"
                    + " patch grid (each patch token then sees a piece of an item at a fixed offset)")
            @Range(min = 1, max = 4096) int placement,
            @Description("scenes built from training-split images only") @Range(min = 1, max = 1_000_000)
            int trainScenes,
            @Description("scenes built from test-split images only") @Range(min = 1, max = 1_000_000) int testScenes,
            @Description("seed of item choices and positions; -1 derives it from the pipeline seed") @Range(min = -1)
            long seed) {

        public Config {
            options(height, width, minItems, maxItems, threshold, itemScale, placement);
        }

        private static SceneSet.Options options(int height, int width, int minItems, int maxItems, double threshold,
                                                double itemScale, int placement) {
            return new SceneSet.Options(height, width, minItems, maxItems, threshold, itemScale, placement);
        }

        SceneSet.Options options() {
            return options(height, width, minItems, maxItems, threshold, itemScale, placement);
        }
    }

    @Override
    public String name() {
        return "dwff/scenes";
    }

    @Override
    public String description() {
        return "builds segmentation scenes of several items at random positions (train scenes from the training"
                + " split, test scenes from the test split), labelled per pixel";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(64, 64, 2, 3, 0.25, 1.0, 1, 2000, 500, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "training-split images (the only source of train scenes)"),
                Port.of("test", ImageDataset.class, "test-split images (the only source of test scenes)"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("train", SceneSet.class, "training scenes"),
                Port.of("test", SceneSet.class, "test scenes"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) {
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        ImageDataset train = in.get("train", ImageDataset.class);
        ImageDataset test = in.get("test", ImageDataset.class);
        // independent streams: the two splits never share a choice
        SceneSet tr = SceneSet.generate("train-scenes", train, c.trainScenes(), c.options(), seed * 2 + 1);
        SceneSet te = SceneSet.generate("test-scenes", test, c.testScenes(), c.options(), seed * 2 + 2);
        long[] counts = te.labelCounts();
        long total = 0;
        for (long n : counts) {
            total += n;
        }
        ctx.metric("test_background_fraction", counts[0] / (double) total);
        ctx.logger().log(System.Logger.Level.INFO, "built " + tr + " and " + te);
        return new PortValues(java.util.Map.of("train", tr, "test", te));
    }
}
