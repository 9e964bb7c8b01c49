package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.plugin.datasets.BundledSamples;
import io.tessera.plugin.datasets.Split;
import io.tessera.training.models.ReferenceCnn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end on the bundled Fashion-MNIST sample: a narrow version of the reference CNN trained by the
 * {@link Trainer} with Adam for a few epochs lowers its loss clearly and classifies held-out images far above chance
 * (10 %).
 */
class CnnLearnsBundledSampleTest {

    @Test
    void smallCnnLearnsTheBundledFashionMnistSample() throws Exception {
        ArrayImageDataset train = BundledSamples.fashionMnist(Split.TRAIN);
        ArrayImageDataset test = BundledSamples.fashionMnist(Split.TEST);
        try (TensorBackend b = TestBackends.cpu();
             ReferenceCnn model = ReferenceCnn.builder(b, 42).widths(8, 16, 32).build()) {
            Trainer<ImageBatch> trainer = Trainer.forImages(model, b).seed(1)
                    .options(TrainingOptions.defaults().withEpochs(4).withBatchSize(50)
                            .withOptimizer(OptimizerOptions.adam(2e-3)))
                    .build();
            double before = trainer.evaluate(DataLoader.ofImages(test).batchSize(250).build()).get("accuracy");
            TrainingResult r = trainer.fit(DataLoader.ofImages(train), DataLoader.ofImages(test));
            List<Map<String, Double>> h = r.history();
            assertThat(h).hasSize(4);
            assertThat(h.get(3).get("train_loss")).as("mean training loss, last vs first epoch")
                    .isLessThan(0.6 * h.get(0).get("train_loss"));
            assertThat(r.metrics().get("val_accuracy")).as("test accuracy after training (before: " + before + ")")
                    .isGreaterThan(0.6);
            assertThat(r.steps()).isEqualTo(4 * 20);
        }
    }
}
