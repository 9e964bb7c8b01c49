package io.tessera.plugin.dwff;

import io.tessera.api.metrics.ConfusionMatrix;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dwff/evaluate}: segmentation metrics of a variant's decoders on the test scenes, as mean and
 * spread over its seeds. {@code miou} and {@code mean_f1} follow the official metric (per-class IoU / F1 with the
 * background target pixels ignored, mean over the classes present), {@code miou_all} counts background as a class,
 * {@code iou/<class>} is each class's IoU (mean over seeds); {@code *_std} are sample standard deviations over seeds.
 * The metrics come from {@code io.tessera.api.metrics} ({@link ConfusionMatrix}); {@code core/evaluate} scores
 * image classifiers, whose one-label-per-image test sets cannot carry label maps.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class EvaluateStep implements Step<EvaluateStep.Config> {

    /**
     * Configuration of {@code dwff/evaluate}.
     *
     * @param batchSize scenes per forward pass
     * @param examples  test scenes whose predictions go to {@code dwff/gallery}
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(@Description("scenes per forward pass") @Range(min = 1, max = 4096) int batchSize,
                         @Description("first test scenes whose predicted maps are kept for the gallery")
                         @Range(min = 0, max = 64) int examples) {
    }

    @Override
    public String name() {
        return "dwff/evaluate";
    }

    @Override
    public String description() {
        return "segmentation metrics of trained DWFF decoders on test scenes: mIoU, mean F1, per-class IoU, mean and"
                + " spread over seeds";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(32, 4);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("encoder", PatchVit.class, "the frozen encoder"),
                Port.of("decoders", TrainedDecoders.class, "the variant's decoders (dwff/train)"),
                Port.of("test", SceneSet.class, "test scenes"),
                Port.optional("training", Metrics.class, "the training step's metrics, joined to the row"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("metrics", Metrics.class, "miou, miou_std, mean_f1, mean_f1_std, miou_all,"
                        + " pixel_accuracy, iou/<class>"),
                Port.of("predictions", VariantPredictions.class, "example label maps and fusion weights"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) {
        PatchVit encoder = in.get("encoder", PatchVit.class);
        TrainedDecoders trained = in.get("decoders", TrainedDecoders.class);
        SceneSet test = in.get("test", SceneSet.class);
        LevelFeatures levels = LevelFeatures.extract(ctx.backend(), encoder, test, trained.layers(), 64,
                n -> ctx.progress(n, test.size(), "encoding test scenes"));
        int k = test.numClasses();
        int seeds = trained.decoders().size();
        double[] miou = new double[seeds];
        double[] f1 = new double[seeds];
        double[] miouAll = new double[seeds];
        double[] acc = new double[seeds];
        double[][] iou = new double[seeds][];
        VariantPredictions predictions = null;
        for (int s = 0; s < seeds; s++) {
            DwffDecoder d = trained.decoders().get(s);
            SceneTraining.Evaluation e = SceneTraining.evaluate(ctx.backend(), d, levels, test, c.batchSize(),
                    s == 0 ? c.examples() : 0);
            miou[s] = foregroundMean(e.foreground().perClassIoU());
            f1[s] = foregroundMean(e.foreground().perClassF1());
            miouAll[s] = e.all().meanIoU();
            acc[s] = e.all().accuracy();
            iou[s] = e.foreground().perClassIoU();
            ctx.metric("miou/seed" + trained.seeds().get(s), miou[s]);
            if (s == 0) {
                predictions = new VariantPredictions(trained.variant(), d.config().fusion(), trained.layers(),
                        e.examples(), e.fusionWeights());
            }
            ctx.progress(s + 1, seeds, "evaluated seed " + trained.seeds().get(s));
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("miou", mean(miou));
        m.put("miou_std", std(miou));
        m.put("mean_f1", mean(f1));
        m.put("mean_f1_std", std(f1));
        m.put("miou_all", mean(miouAll));
        m.put("pixel_accuracy", mean(acc));
        m.put("seeds", (double) seeds);
        for (int cls = 1; cls < k; cls++) {
            double[] v = new double[seeds];
            for (int s = 0; s < seeds; s++) {
                v[s] = iou[s][cls];
            }
            m.put("iou/" + test.classNames().get(cls), mean(v));
        }
        m.forEach(ctx::metric);
        Map<String, Double> row = new LinkedHashMap<>(m);
        in.find("training", Metrics.class).ifPresent(t -> t.values().forEach(row::putIfAbsent));
        ctx.logger().log(System.Logger.Level.INFO, trained.variant() + ": mIoU " + String.format("%.4f ± %.4f",
                m.get("miou"), m.get("miou_std")) + " over " + seeds + " seeds on " + test.size() + " scenes");
        return new PortValues(Map.of("metrics", new Metrics(trained.variant(), row), "predictions", predictions));
    }

    /** Mean over classes 1..K-1 whose value is defined (the official metric leaves background out). */
    static double foregroundMean(double[] perClass) {
        List<Double> v = new ArrayList<>();
        for (int c = 1; c < perClass.length; c++) {
            if (!Double.isNaN(perClass[c])) {
                v.add(perClass[c]);
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Sample standard deviation (0 for one value). */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
