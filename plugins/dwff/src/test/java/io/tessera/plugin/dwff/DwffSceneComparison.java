package io.tessera.plugin.dwff;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.TestBackends;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scene comparison of {@code bench/dwff-scenes.sh} (not a test): the steps of {@code dwff-scenes.yaml} without the
 * pipeline host (scenes, ViT pre-training, one level extraction shared by all variants, DWFF, SWFF, NWFF-last and
 * NWFF-all trained with the same budget and seeds, the official foreground metric). Prints one table row per variant
 * (mean ± sample std over the seeds) and the per-class IoU. Arguments are {@code key=value}; see {@link #main}.
 */
public final class DwffSceneComparison {
    private DwffSceneComparison() {
    }

    /** A pre-trained encoder saved by an earlier run ({@code vit_cache=FILE}): 4 blocks, 4 heads, MLP ratio 2. */
    private static PatchVit loaded(TensorBackend be, String file, int side, int dim, int classes) throws IOException {
        PatchVit vit = new PatchVit(be, side, side, dim, 4, 4, 2, classes, PatchVit.Pooling.MEAN,
                new io.tessera.api.tensor.Generator(0));
        vit.load(Path.of(file), true);
        vit.eval();
        return vit;
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
        int minItems = Integer.parseInt(a.getOrDefault("min_items", "2"));
        int maxItems = Integer.parseInt(a.getOrDefault("max_items", "2"));
        int vitImages = Integer.parseInt(a.getOrDefault("vit_images", "6000"));
        int vitEpochs = Integer.parseInt(a.getOrDefault("vit_epochs", "1"));
        double vitLr = Double.parseDouble(a.getOrDefault("vit_lr", "0.002"));
        int dim = Integer.parseInt(a.getOrDefault("dim", "64"));
        int trainScenes = Integer.parseInt(a.getOrDefault("train_scenes", "320"));
        int testScenes = Integer.parseInt(a.getOrDefault("test_scenes", "96"));
        int epochs = Integer.parseInt(a.getOrDefault("epochs", "6"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "4"));
        double lr = Double.parseDouble(a.getOrDefault("lr", "0.01"));
        int fc = Integer.parseInt(a.getOrDefault("fc", "32"));
        List<Long> seeds = new ArrayList<>();
        for (String s : a.getOrDefault("seeds", "1,2,3").split(",")) {
            seeds.add(Long.parseLong(s.trim()));
        }
        long t0 = System.nanoTime();
        TensorBackend be = TestBackends.named("cpu");
        ArrayImageDataset train = DwffSceneProbe.read(Path.of(dir), "train", 60000);
        ArrayImageDataset test = DwffSceneProbe.read(Path.of(dir), "t10k", 10000);
        String cache = a.getOrDefault("vit_cache", "");
        java.util.List<String> only = java.util.Arrays.asList(a.getOrDefault("variants",
                "DWFF,SWFF,NWFF-last,NWFF-all").split(","));
        PatchVit vit = !cache.isEmpty() && java.nio.file.Files.exists(Path.of(cache))
                ? loaded(be, cache, side, dim, train.numClasses()) : VitPretraining.pretrain(be, train.slice(0, Math.min(vitImages, train.size())), side, side,
                new VitPretraining.Options(dim, 4, 4, 2, vitEpochs,
                        Integer.parseInt(a.getOrDefault("vit_batch", "32")), vitLr, PatchVit.Pooling.MEAN, scale, placement), 12,
                new SceneTraining.Listener() {
                    @Override
                    public void epoch(int epoch, int n, double meanLoss, double rate) {
                        System.out.printf(Locale.ROOT, "vit epoch %d/%d loss %.4f (%.0f s)%n", epoch, n, meanLoss,
                                (System.nanoTime() - t0) / 1e9);
                    }
                });
        if (!cache.isEmpty() && !java.nio.file.Files.exists(Path.of(cache))) {
            vit.save(Path.of(cache));
        }
        System.out.printf(Locale.ROOT, "vit test accuracy (1000 single-item canvases) %.3f%n",
                DwffSceneProbe.vitAccuracy(be, vit, test, side, scale, placement));
        SceneSet.Options so = new SceneSet.Options(side, side, minItems, maxItems, 0.25, scale, placement);
        SceneSet trainSet = SceneSet.generate("train-scenes", train, trainScenes, so, 25);
        SceneSet testSet = SceneSet.generate("test-scenes", test, testScenes, so, 26);
        long[] counts = testSet.labelCounts();
        long all = 0;
        for (long c : counts) {
            all += c;
        }
        System.out.printf(Locale.ROOT, "test background share %.4f%n", counts[0] / (double) all);
        int[] layers = {1, 2, 3, 4};
        LevelFeatures lt = LevelFeatures.extract(be, vit, trainSet, layers, 64, n -> { });
        LevelFeatures le = LevelFeatures.extract(be, vit, testSet, layers, 64, n -> { });
        record Variant(String name, Fusion fusion, boolean lastOnly) {
        }
        List<Variant> variants = List.of(new Variant("DWFF", Fusion.DYNAMIC, false),
                new Variant("SWFF", Fusion.STATIC, false), new Variant("NWFF-last", Fusion.PLAIN, true),
                new Variant("NWFF-all", Fusion.PLAIN, false));
        List<String> rows = new ArrayList<>();
        List<String> classRows = new ArrayList<>();
        for (Variant v : variants) {
            if (!only.contains(v.name())) {
                continue;
            }
            LevelFeatures tr = v.lastOnly() ? lt.select(new int[] {3}) : lt;
            LevelFeatures te = v.lastOnly() ? le.select(new int[] {3}) : le;
            DwffConfig cfg = new DwffConfig(tr.layers().length, dim, fc, fc, fc, trainSet.numClasses(), v.fusion(),
                    0.2, 0.1);
            double[] miou = new double[seeds.size()];
            double[] f1 = new double[seeds.size()];
            double[] miouAll = new double[seeds.size()];
            double[] acc = new double[seeds.size()];
            double[][] iou = new double[seeds.size()][];
            double[] meanWeights = new double[cfg.levels()];
            for (int s = 0; s < seeds.size(); s++) {
                long t1 = System.nanoTime();
                try (DwffDecoder d = SceneTraining.train(be, cfg, tr, trainSet,
                        new SceneTraining.Options(epochs, batch, lr, 0.04), seeds.get(s),
                        new SceneTraining.Listener() { })) {
                    SceneTraining.Evaluation e = SceneTraining.evaluate(be, d, te, testSet, 32, 0);
                    miou[s] = EvaluateStep.foregroundMean(e.foreground().perClassIoU());
                    f1[s] = EvaluateStep.foregroundMean(e.foreground().perClassF1());
                    miouAll[s] = e.all().meanIoU();
                    acc[s] = e.all().accuracy();
                    iou[s] = e.foreground().perClassIoU();
                    float[] w = e.fusionWeights();
                    for (int i = 0; i < w.length; i++) {
                        meanWeights[i % cfg.levels()] += w[i] / (double) (testSet.size() * seeds.size());
                    }
                }
                System.out.printf(Locale.ROOT, "%s seed %d: mIoU %.4f mean F1 %.4f pixel acc %.4f (%.0f s)%n",
                        v.name(), seeds.get(s), miou[s], f1[s], acc[s], (System.nanoTime() - t1) / 1e9);
            }
            StringBuilder per = new StringBuilder();
            for (double x : miou) {
                per.append(per.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
            }
            StringBuilder w = new StringBuilder();
            for (double x : meanWeights) {
                w.append(w.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
            }
            rows.add(String.format(Locale.ROOT, "| %s | %.4f ± %.4f | %.4f ± %.4f | %.4f | %.4f | %s | %s |",
                    v.name(), EvaluateStep.mean(miou), EvaluateStep.std(miou), EvaluateStep.mean(f1),
                    EvaluateStep.std(f1), EvaluateStep.mean(miouAll), EvaluateStep.mean(acc), per, w));
            StringBuilder c = new StringBuilder("| " + v.name());
            for (int k = 1; k < trainSet.numClasses(); k++) {
                double[] col = new double[seeds.size()];
                for (int s = 0; s < seeds.size(); s++) {
                    col[s] = iou[s][k];
                }
                c.append(String.format(Locale.ROOT, " | %.3f", EvaluateStep.mean(col)));
            }
            classRows.add(c.append(" |").toString());
        }
        System.out.println();
        System.out.println("| variant | mIoU (fg) | mean F1 | mIoU incl. bg | pixel acc | per-seed mIoU |"
                + " mean fusion weights |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("| variant | " + String.join(" | ", trainSet.classNames().subList(1,
                trainSet.numClasses())) + " |");
        System.out.println("|---" + "|---".repeat(trainSet.numClasses() - 1) + "|");
        classRows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%ntotal %.0f s%n", (System.nanoTime() - t0) / 1e9);
        vit.close();
        be.close();
    }
}
