package io.tessera.pipelines.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.data.ImageDataset;
import io.tessera.api.metrics.ConfusionMatrix;
import io.tessera.api.nn.Module;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code core/evaluate}: classifies a test set with a model and records accuracy, mean loss, macro F1, per-class
 * accuracy and the confusion matrix (which the report draws). Segmentation (mIoU, F1) and retrieval (Recall@K)
 * metrics are in {@code io.tessera.api.metrics} for steps whose models produce masks or embeddings. With the optional
 * {@code training} input (a training step's {@code metrics}), the output row also carries the training measurements
 * (parameter count, step time), so that one {@code core/compare} table shows accuracy, size and speed.
 */
final class EvaluateStep implements Step<EvaluateStep.Config> {

    /**
     * Configuration of {@code core/evaluate}.
     *
     * @param batchSize images per forward pass
     */
    public record Config(@Description("images per forward pass") @Range(min = 1, max = 65_536) int batchSize) {
    }

    @Override
    public String name() {
        return "core/evaluate";
    }

    @Override
    public String description() {
        return "measures a classifier on a test set: accuracy, loss, macro F1, per-class accuracy, confusion matrix";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(256);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("model", Module.class, "the model to evaluate"),
                Port.of("test", ImageDataset.class, "the images to evaluate on"),
                Port.optional("training", Metrics.class, "the training step's metrics (e.g. train.metrics): their"
                        + " parameters, ms_per_step, ... join this evaluation's row for core/compare"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("metrics", Metrics.class, "accuracy, test_loss, macro_f1 and per-class accuracy"),
                Port.of("confusion", ConfusionMatrix.class, "counts of true class by predicted class"));
    }

    @Override
    @SuppressWarnings("try") // scopes and no-grad sections act by their extent
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Module model = in.get("model", Module.class);
        ImageDataset test = in.get("test", ImageDataset.class);
        TensorBackend b = ctx.backend();
        int classes = test.numClasses();
        ConfusionMatrix cm = ConfusionMatrix.empty(classes);
        double lossSum = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            long done = 0;
            for (ImageBatch batch : DataLoader.ofImages(test).batchSize(c.batchSize()).build().epoch(0)) {
                if (ctx.cancelled()) {
                    throw new java.util.concurrent.CancellationException("cancelled");
                }
                try (TensorScope scope = Tensors.scope()) {
                    Tensor logits = model.forward(b.tensor(batch.pixels(), batch.shape()));
                    if (logits.dims().length != 2 || logits.dims()[1] != classes) {
                        throw new IllegalArgumentException("the model outputs " + logits.shape() + " but the test"
                                + " set has " + classes + " classes; expected [batch, " + classes + "]");
                    }
                    lossSum += Functional.crossEntropy(logits, b.tensor(batch.labelsAsLongs(), batch.size())).item()
                            * batch.size();
                    long[] pred = logits.argmax(1, false).toLongArray();
                    int[] p = new int[pred.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = (int) pred[i];
                    }
                    cm.add(batch.labels(), p, -1);
                }
                done += batch.size();
                ctx.progress(done, test.size(), "evaluating");
            }
        } finally {
            model.train(wasTraining);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", cm.accuracy());
        m.put("test_loss", lossSum / Math.max(1, test.size()));
        m.put("macro_f1", cm.macroF1());
        double[] perClass = cm.perClassAccuracy();
        List<String> names = test.classNames();
        for (int i = 0; i < classes; i++) {
            m.put("class_accuracy/" + names.get(i), perClass[i]);
        }
        m.forEach(ctx::metric);
        // The training step recorded its own values; they only join the row that core/compare tabulates.
        Map<String, Double> joined = new LinkedHashMap<>(m);
        in.find("training", Metrics.class).ifPresent(t -> t.values().forEach(joined::putIfAbsent));
        ObjectNode doc = PipelineTrees.JSON.createObjectNode();
        names.forEach(doc.putArray("classes")::add);
        ArrayNode counts = doc.putArray("counts");
        for (long[] row : cm.counts()) {
            ArrayNode r = counts.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        AtomicFiles.writeString(ctx.workDirectory().resolve("confusion.json"),
                PipelineTrees.JSON.writeValueAsString(doc));
        ctx.logger().log(System.Logger.Level.INFO, "accuracy " + cm.accuracy() + " on " + test.size() + " images");
        return PortValues.of("metrics", new Metrics(ctx.stepName(), joined), "confusion", cm);
    }
}
