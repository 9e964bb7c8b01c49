package io.tessera.plugin.dwff;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.TestBackends;
import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A diagnostic (not a test): the scenes of {@code bench/dwff-scenes.sh} (same seeds) and the levels of a ViT saved by
 * it ({@code vit_cache=FILE}), written as raw little-endian arrays ({@code train|test-levels.f32} [N, 4, D, h, w],
 * {@code -labels.u8} [N, H, W], {@code -pixels.f32} [N, H, W]) for the linear probe of {@code bench/dwff/probe.py}.
 */
public final class DwffLevelDump {
    private DwffLevelDump() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        String dir = a.getOrDefault("dir", "../shared/data/fashion-mnist");
        int side = Integer.parseInt(a.getOrDefault("side", "64"));
        double scale = Double.parseDouble(a.getOrDefault("scale", "1.143"));
        int placement = Integer.parseInt(a.getOrDefault("placement", "16"));
        int dim = Integer.parseInt(a.getOrDefault("dim", "64"));
        int trainScenes = Integer.parseInt(a.getOrDefault("train_scenes", "320"));
        int testScenes = Integer.parseInt(a.getOrDefault("test_scenes", "96"));
        Path out = Path.of(a.getOrDefault("out", "/tmp/s4dwff"));
        TensorBackend be = TestBackends.named("cpu");
        ArrayImageDataset train = DwffSceneProbe.read(Path.of(dir), "train", 60000);
        ArrayImageDataset test = DwffSceneProbe.read(Path.of(dir), "t10k", 10000);
        PatchVit vit = new PatchVit(be, side, side, dim, 4, 4, 2, train.numClasses(), PatchVit.Pooling.MEAN,
                new Generator(0));
        vit.load(Path.of(a.get("vit_cache")), true);
        vit.eval();
        SceneSet.Options so = new SceneSet.Options(side, side, 2, 2, 0.25, scale, placement);
        SceneSet trainSet = SceneSet.generate("train-scenes", train, trainScenes, so, 25);
        SceneSet testSet = SceneSet.generate("test-scenes", test, testScenes, so, 26);
        int[] layers = {1, 2, 3, 4};
        for (SceneSet s : new SceneSet[] {trainSet, testSet}) {
            LevelFeatures lf = LevelFeatures.extract(be, vit, s, layers, 64, n -> { });
            int[] all = LevelFeatures.range(0, s.size());
            String tag = s == trainSet ? "train" : "test";
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(out.resolve(tag + "-levels.f32"))))) {
                for (int i = 0; i < s.size(); i++) {
                    for (var t : lf.batch(be, new int[] {i})) {
                        for (float v : t.toFloatArray()) {
                            o.writeInt(Integer.reverseBytes(Float.floatToIntBits(v)));
                        }
                    }
                }
            }
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(out.resolve(tag + "-labels.u8"))))) {
                for (long v : s.labels(all)) {
                    o.writeByte((int) v);
                }
            }
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(out.resolve(tag + "-pixels.f32"))))) {
                for (float v : s.pixels(all)) {
                    o.writeInt(Integer.reverseBytes(Float.floatToIntBits(v)));
                }
            }
        }
        System.out.println("wrote " + out);
        be.close();
    }
}
