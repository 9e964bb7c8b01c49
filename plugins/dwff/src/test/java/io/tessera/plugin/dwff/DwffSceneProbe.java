package io.tessera.plugin.dwff;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.metrics.ConfusionMatrix;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A diagnostic of the scene task (not a test): pre-trains the ViT, reports its accuracy on test canvases, trains one
 * decoder variant on the cached levels and reports loss parts, gradient norms per parameter group, foreground
 * mIoU, binary foreground/background IoU and how often the arg max says background where the foreground classes
 * together are more likely. Arguments are {@code key=value} (see {@link #main}).
 */
public final class DwffSceneProbe {
    private DwffSceneProbe() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        String dir = a.getOrDefault("dir", "../shared/data/fashion-mnist");
        int side = Integer.parseInt(a.getOrDefault("side", "64"));
        int vitImages = Integer.parseInt(a.getOrDefault("vit_images", "6000"));
        int vitEpochs = Integer.parseInt(a.getOrDefault("vit_epochs", "1"));
        double vitLr = Double.parseDouble(a.getOrDefault("vit_lr", "0.002"));
        int dim = Integer.parseInt(a.getOrDefault("dim", "64"));
        int depth = Integer.parseInt(a.getOrDefault("depth", "4"));
        int trainScenes = Integer.parseInt(a.getOrDefault("train_scenes", "480"));
        int testScenes = Integer.parseInt(a.getOrDefault("test_scenes", "160"));
        int epochs = Integer.parseInt(a.getOrDefault("epochs", "2"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "8"));
        double lr = Double.parseDouble(a.getOrDefault("lr", "0.002"));
        int fc = Integer.parseInt(a.getOrDefault("fc", "32"));
        String fusion = a.getOrDefault("fusion", "nwff");
        long seed = Long.parseLong(a.getOrDefault("seed", "1"));
        double scale = Double.parseDouble(a.getOrDefault("scale", "1"));
        int minItems = Integer.parseInt(a.getOrDefault("min_items", "2"));
        int maxItems = Integer.parseInt(a.getOrDefault("max_items", "3"));
        boolean overfit = Boolean.parseBoolean(a.getOrDefault("overfit", "false"));

        TensorBackend be = TestBackends.named("cpu");
        ArrayImageDataset train = read(Path.of(dir), "train", 60000);
        ArrayImageDataset test = read(Path.of(dir), "t10k", 10000);
        long t0 = System.nanoTime();
        PatchVit vit = VitPretraining.pretrain(be, train.slice(0, vitImages), side, side,
                new VitPretraining.Options(dim, depth, 4, 2, vitEpochs, 64, vitLr,
                        PatchVit.Pooling.valueOf(a.getOrDefault("pool", "MEAN")), scale), 12, new SceneTraining.Listener() {
                    @Override
                    public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                        System.out.printf(Locale.ROOT, "vit epoch %d/%d loss %.4f lr %.5f (%.0f s)%n", epoch, epochs,
                                meanLoss, lr, (System.nanoTime() - t0) / 1e9);
                    }
                });
        System.out.printf(Locale.ROOT, "vit test accuracy (1000 canvases) %.3f%n", vitAccuracy(be, vit, test, side, scale));

        SceneSet.Options so = new SceneSet.Options(side, side, minItems, maxItems, 0.25, scale);
        SceneSet trainSet = SceneSet.generate("train", train, trainScenes, so, 12);
        SceneSet testSet = overfit ? trainSet : SceneSet.generate("test", test, testScenes, so, 13);
        long[] counts = trainSet.labelCounts();
        long all = 0;
        for (long c : counts) {
            all += c;
        }
        System.out.printf(Locale.ROOT, "background share %.3f%n", counts[0] / (double) all);
        int[] layers = fusion.equals("last") ? new int[] {-1} : new int[] {1, 2, 3, 4};
        LevelFeatures lt = LevelFeatures.extract(be, vit, trainSet, layers, 64, n -> { });
        LevelFeatures le = overfit ? lt : LevelFeatures.extract(be, vit, testSet, layers, 64, n -> { });
        Fusion f = switch (fusion) {
            case "dwff" -> Fusion.DYNAMIC;
            case "swff" -> Fusion.STATIC;
            default -> Fusion.PLAIN;
        };
        DwffConfig cfg = new DwffConfig(layers.length, dim, fc, fc, fc, trainSet.numClasses(), f, 0.2, 0.1);
        long t1 = System.nanoTime();
        DwffDecoder d = SceneTraining.train(be, cfg, lt, trainSet, new SceneTraining.Options(epochs, batch, lr, 0.04),
                seed, new SceneTraining.Listener() {
                    @Override
                    public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                        System.out.printf(Locale.ROOT, "decoder epoch %d/%d loss %.4f lr %.5f (%.0f s)%n", epoch,
                                epochs, meanLoss, lr, (System.nanoTime() - t1) / 1e9);
                    }
                });
        gradients(be, d, lt, trainSet);
        report(be, d, le, testSet);
        d.close();
        vit.close();
        be.close();
    }

    @SuppressWarnings("try")
    static void gradients(TensorBackend be, DwffDecoder d, LevelFeatures levels, SceneSet scenes) {
        int[] idx = LevelFeatures.range(0, Math.min(8, scenes.size()));
        try (TensorScope sc = Tensors.scope()) {
            d.eval();
            DwffDecoder.Output out = d.run(levels.batch(be, idx));
            Tensor target = be.tensor(scenes.labels(idx), idx.length, scenes.height(), scenes.width());
            DwffLoss.Parts p = DwffLoss.forFusion(d.config().fusion()).compute(out.logits(), target,
                    out.fusionWeights());
            d.zeroGrad();
            p.total().backward();
            System.out.printf(Locale.ROOT, "loss dice %.4f focal %.4f total %.4f%n", p.dice().item(),
                    p.focal().item(), p.total().item());
            for (var e : d.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                System.out.printf(Locale.ROOT, "  grad %-32s |g| %.3e |w| %.3e%n", e.getKey(),
                        g == null ? 0 : g.square().sum().sqrt().item(), e.getValue().square().sum().sqrt().item());
            }
        }
    }

    @SuppressWarnings("try")
    static void report(TensorBackend be, DwffDecoder d, LevelFeatures levels, SceneSet scenes) {
        SceneTraining.Evaluation e = SceneTraining.evaluate(be, d, levels, scenes, 32, 0);
        System.out.printf(Locale.ROOT, "fg mIoU %.4f  all mIoU %.4f  pixel acc %.4f%n",
                EvaluateStep.foregroundMean(e.foreground().perClassIoU()), e.all().meanIoU(), e.all().accuracy());
        double[] iou = e.foreground().perClassIoU();
        StringBuilder sb = new StringBuilder("per-class IoU:");
        for (int c = 1; c < iou.length; c++) {
            sb.append(String.format(Locale.ROOT, " %s %.3f", scenes.classNames().get(c), iou[c]));
        }
        System.out.println(sb);
        // binary foreground: predicted class > 0 vs target > 0; and "argmax bg although P(fg) > 0.5"
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long hidden = 0;
        long fgPix = 0;
        int k = scenes.numClasses();
        int hw = scenes.height() * scenes.width();
        d.eval();
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (int from = 0; from < scenes.size(); from += 32) {
                int n = Math.min(32, scenes.size() - from);
                int[] idx = LevelFeatures.range(from, n);
                try (TensorScope sc = Tensors.scope()) {
                    float[] prob = d.run(levels.batch(be, idx)).logits().softmax(1).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        int[] t = scenes.labelMap(from + i);
                        for (int px = 0; px < hw; px++) {
                            float bg = prob[i * k * hw + px];
                            float best = bg;
                            int arg = 0;
                            for (int c = 1; c < k; c++) {
                                float v = prob[(i * k + c) * hw + px];
                                if (v > best) {
                                    best = v;
                                    arg = c;
                                }
                            }
                            boolean predFg = arg > 0;
                            boolean isFg = t[px] > 0;
                            tp += predFg && isFg ? 1 : 0;
                            fp += predFg && !isFg ? 1 : 0;
                            fn += !predFg && isFg ? 1 : 0;
                            fgPix += isFg ? 1 : 0;
                            hidden += !predFg && bg < 0.5f ? 1 : 0;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "binary fg IoU %.4f  fg pixels %d  argmax-bg-but-P(bg)<0.5 pixels %d%n",
                tp / (double) Math.max(1, tp + fp + fn), fgPix, hidden);
    }

    @SuppressWarnings("try")
    static double vitAccuracy(TensorBackend be, PatchVit vit, ImageDataset test, int side, double scale) {
        return vitAccuracy(be, vit, test, side, scale, 1);
    }

    static double vitAccuracy(TensorBackend be, PatchVit vit, ImageDataset test, int side, double scale,
                              int placement) {
        int ih = SceneSet.scaledSide(test.height(), scale);
        int n = Math.min(1000, test.size());
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        float[] item = new float[test.pixelsPerImage()];
        float[] canvas = new float[n * side * side];
        for (int i = 0; i < n; i++) {
            test.copyPixels(i, item, 0);
            float[] big = SceneSet.scale(item, test.height(), test.width(), ih, ih);
            int y0 = r.nextInt((side - ih) / placement + 1) * placement;
            int x0 = r.nextInt((side - ih) / placement + 1) * placement;
            for (int y = 0; y < ih; y++) {
                System.arraycopy(big, y * ih, canvas, i * side * side + (y0 + y) * side + x0, ih);
            }
        }
        vit.eval();
        int right = 0;
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            float[] logits = vit.forward(be.tensor(canvas, n, 1, side, side)).toFloatArray();
            int k = logits.length / n;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) {
                    if (logits[i * k + c] > logits[i * k + best]) {
                        best = c;
                    }
                }
                right += best == test.label(i) ? 1 : 0;
            }
        }
        return right / (double) n;
    }

    static ArrayImageDataset read(Path dir, String prefix, int limit) throws IOException {
        byte[] px;
        int n;
        int h;
        int w;
        try (DataInputStream in = new DataInputStream(gz(dir.resolve(prefix + "-images-idx3-ubyte.gz")))) {
            in.readInt();
            n = Math.min(limit, in.readInt());
            h = in.readInt();
            w = in.readInt();
            px = new byte[n * h * w];
            in.readFully(px);
        }
        int[] labels = new int[n];
        try (DataInputStream in = new DataInputStream(gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))) {
            in.readInt();
            in.readInt();
            for (int i = 0; i < n; i++) {
                labels[i] = in.readUnsignedByte();
            }
        }
        List<String> names = new ArrayList<>(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                "Shirt", "Sneaker", "Bag", "Ankle boot"));
        return new ArrayImageDataset(prefix, px, labels, 1, h, w, names);
    }

    private static InputStream gz(Path p) throws IOException {
        return new GZIPInputStream(Files.newInputStream(p), 1 << 16);
    }
}
