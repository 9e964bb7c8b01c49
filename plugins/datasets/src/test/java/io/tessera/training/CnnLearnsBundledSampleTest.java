package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.plugin.datasets.BundledSamples;
import io.tessera.plugin.datasets.Split;
import org.junit.jupiter.api.Test;

/**
 * End to end on the bundled Fashion-MNIST sample: a narrow version of the reference CNN trained with Adam for a
 * few epochs lowers its loss clearly and classifies held-out images far above chance (10 %).
 */
class CnnLearnsBundledSampleTest {

    @Test
    void smallCnnLearnsTheBundledFashionMnistSample() {
        ArrayImageDataset train = BundledSamples.fashionMnist(Split.TRAIN);
        ArrayImageDataset test = BundledSamples.fashionMnist(Split.TEST);
        try (TensorBackend b = CpuBackend.create();
             ReferenceCnn model = new ReferenceCnn(b, new Generator(42), 8, 16, 32);
             Adam adam = new Adam(model.parameters(), 2e-3)) {
            DataLoader<ImageBatch> loader = DataLoader.ofImages(train).batchSize(50).shuffle(true).seed(1).build();
            double before = ReferenceCnn.accuracy(model, b, test, 250);
            double firstEpochLoss = 0;
            double lastEpochLoss = 0;
            int epochs = 4;
            for (int e = 0; e < epochs; e++) {
                double sum = 0;
                for (ImageBatch batch : loader.epoch(e)) {
                    sum += ReferenceCnn.trainStep(model, adam, b, batch);
                }
                double mean = sum / loader.batchesPerEpoch();
                if (e == 0) {
                    firstEpochLoss = mean;
                }
                lastEpochLoss = mean;
            }
            double after = ReferenceCnn.accuracy(model, b, test, 250);
            assertThat(lastEpochLoss).as("mean training loss, last vs first epoch").isLessThan(0.6 * firstEpochLoss);
            assertThat(after).as("test accuracy after training (before: " + before + ")").isGreaterThan(0.6);
        }
    }
}
