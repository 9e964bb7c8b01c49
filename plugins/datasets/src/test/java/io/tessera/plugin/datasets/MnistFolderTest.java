package io.tessera.plugin.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.data.DataLoader;
import io.tessera.api.data.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFolderTest {
    @TempDir
    Path dir;

    private void writeSplit(Path folder, Split split, int n, int[] labels) throws IOException {
        Idx.write(folder.resolve(split.imagesFile()), IdxTest.images(n, 28, 28));
        byte[] lb = new byte[labels.length];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = (byte) labels[i];
        }
        Idx.write(folder.resolve(split.labelsFile()), new IdxArray(Idx.Type.UBYTE, new int[] {lb.length}, lb));
    }

    @Test
    void loadsAFolderAsFloatImagesInUnitRange() throws IOException {
        writeSplit(dir, Split.TRAIN, 3, new int[] {9, 0, 4});
        ArrayImageDataset ds = MnistFolder.fashionMnist(dir, Split.TRAIN);
        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.height()).isEqualTo(28);
        assertThat(ds.width()).isEqualTo(28);
        assertThat(ds.channels()).isEqualTo(1);
        assertThat(ds.label(0)).isEqualTo(9);
        assertThat(ds.classNames().get(9)).isEqualTo("Ankle boot");
        assertThat(ds.get(0).pixels()[1]).isEqualTo(7 / 255f);
        assertThat(ds.name()).isEqualTo("fashion-mnist/train");
    }

    @Test
    void acceptsUncompressedFiles() throws IOException {
        Idx.write(dir.resolve("t10k-images-idx3-ubyte"), IdxTest.images(2, 28, 28));
        Idx.write(dir.resolve("t10k-labels-idx1-ubyte"), new IdxArray(Idx.Type.UBYTE, new int[] {2},
                new byte[] {1, 2}));
        assertThat(MnistFolder.mnist(dir, Split.TEST).size()).isEqualTo(2);
    }

    @Test
    void explainsSwappedFiles() throws IOException {
        writeSplit(dir, Split.TRAIN, 2, new int[] {1, 2});
        Path images = dir.resolve(Split.TRAIN.imagesFile());
        Path labels = dir.resolve(Split.TRAIN.labelsFile());
        Path tmp = dir.resolve("tmp");
        Files.move(images, tmp);
        Files.move(labels, images);
        Files.move(tmp, labels);
        assertThatThrownBy(() -> MnistFolder.mnist(dir, Split.TRAIN))
                .hasMessageContaining(images + ": expected an image file (IDX magic 2051")
                .hasMessageContaining("are the file names swapped?");
    }

    @Test
    void rejectsMismatchedCounts() throws IOException {
        writeSplit(dir, Split.TRAIN, 3, new int[] {1, 2});
        assertThatThrownBy(() -> MnistFolder.mnist(dir, Split.TRAIN))
                .hasMessageContaining("holds 3 images but")
                .hasMessageContaining("holds 2 labels");
    }

    @Test
    void rejectsImagesOfZeroOrAbsurdSizeAsAnIOException() throws IOException {
        // zero images of 65536x65536 pixels: a valid IDX file (0 data bytes) but not a set of images
        for (int[] dims : new int[][] {{0, 65536, 65536}, {2, 0, 28}}) {
            Idx.write(dir.resolve(Split.TRAIN.imagesFile()), new IdxArray(Idx.Type.UBYTE, dims, new byte[0]));
            Idx.write(dir.resolve(Split.TRAIN.labelsFile()), new IdxArray(Idx.Type.UBYTE, new int[] {dims[0]},
                    new byte[dims[0]]));
            assertThatThrownBy(() -> MnistFolder.mnist(dir, Split.TRAIN)).isInstanceOf(IOException.class)
                    .hasMessageContaining(Split.TRAIN.imagesFile())
                    .hasMessageContaining("images of " + dims[1] + "x" + dims[2] + " pixels");
        }
    }

    @Test
    void rejectsLabelsBeyondTheClasses() throws IOException {
        writeSplit(dir, Split.TRAIN, 2, new int[] {1, 12});
        assertThatThrownBy(() -> MnistFolder.mnist(dir, Split.TRAIN))
                .hasMessageContaining("label 12 of image 1 is not below the 10 classes");
    }

    @Test
    void namesMissingFilesAndFolders() throws IOException {
        assertThatThrownBy(() -> MnistFolder.mnist(dir.resolve("absent"), Split.TRAIN))
                .hasMessageContaining("no such folder");
        writeSplit(dir, Split.TRAIN, 1, new int[] {0});
        assertThatThrownBy(() -> MnistFolder.mnist(dir, Split.TEST))
                .hasMessageContaining("missing t10k-images-idx3-ubyte.gz");
    }

    @Test
    void bundledSamplesHaveTheDocumentedSizesAndAllClasses() {
        for (String set : List.of("mnist", "fashion-mnist")) {
            ArrayImageDataset train = BundledSamples.byName(set, Split.TRAIN);
            ArrayImageDataset test = BundledSamples.byName(set, Split.TEST);
            assertThat(train.size()).isEqualTo(BundledSamples.TRAIN_SIZE);
            assertThat(test.size()).isEqualTo(BundledSamples.TEST_SIZE);
            assertThat(train.height()).isEqualTo(28);
            for (int c : train.classCounts()) {
                assertThat(c).as(set + " class count").isBetween(60, 150);
            }
            float[] px = train.get(0).pixels();
            float max = 0;
            for (float v : px) {
                assertThat(v).isBetween(0f, 1f);
                max = Math.max(max, v);
            }
            assertThat(max).as("images are not blank").isGreaterThan(0.5f);
        }
        assertThatThrownBy(() -> BundledSamples.byName("cifar", Split.TRAIN)).hasMessageContaining("available");
    }

    @Test
    void bundledSampleIsTheHeadOfTheSharedData() throws IOException {
        Path shared = Path.of("../../../shared/data/fashion-mnist");
        assumeTrue(Files.isDirectory(shared), "shared data folder ../shared/data is not present");
        ArrayImageDataset full = MnistFolder.fashionMnist(shared, Split.TEST);
        ArrayImageDataset sample = BundledSamples.fashionMnist(Split.TEST);
        assertThat(full.size()).isEqualTo(10_000);
        assertThat(full.classCounts()).containsOnly(1000);
        for (int i : new int[] {0, 17, 499}) {
            assertThat(sample.get(i)).usingRecursiveComparison().isEqualTo(full.get(i));
        }
    }

    @Test
    void batchesTheBundledSample() {
        ArrayImageDataset ds = BundledSamples.mnist(Split.TEST);
        DataLoader<ImageBatch> loader = DataLoader.ofImages(ds).batchSize(128).shuffle(true).seed(3).build();
        int seen = 0;
        for (ImageBatch b : loader.epoch(0)) {
            assertThat(b.channels()).isEqualTo(1);
            seen += b.size();
        }
        assertThat(seen).isEqualTo(500);
        assertThat(loader.batchesPerEpoch()).isEqualTo(4);
    }

    @Test
    void stepLoadsBundledSamplesAndValidatesItsConfig() throws IOException {
        IdxDatasetStep step = new IdxDatasetStep();
        assertThat(step.name()).isEqualTo("datasets/idx");
        assertThat(IdxDatasetStep.load(new IdxDatasetStep.Config("", "mnist", 100), Split.TRAIN).size())
                .isEqualTo(100);
        assertThat(IdxDatasetStep.load(step.defaultConfig(), Split.TEST).classNames())
                .isEqualTo(MnistFolder.FASHION_MNIST_CLASSES);
        assertThatThrownBy(() -> new IdxDatasetStep.Config("", "cifar", 0))
                .hasMessageContaining("sample must be fashion-mnist or mnist");
    }
}
