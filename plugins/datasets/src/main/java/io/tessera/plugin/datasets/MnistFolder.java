package io.tessera.plugin.datasets;

import io.tessera.api.data.ArrayImageDataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Loads datasets stored in the MNIST folder layout: {@code train-images-idx3-ubyte.gz},
 * {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}
 * (each gzipped or not; the uncompressed name without {@code .gz} is accepted too). Pixels become floats in [0, 1]
 * on access, as with torchvision's {@code ToTensor}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class MnistFolder {
    /** Class names of Fashion-MNIST, indexed by label. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Class names of MNIST: the digits. */
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private MnistFolder() {
    }

    /** Loads one split of Fashion-MNIST from {@code dir}. */
    public static ArrayImageDataset fashionMnist(Path dir, Split split) throws IOException {
        return load(dir, split, FASHION_MNIST_CLASSES, "fashion-mnist");
    }

    /** Loads one split of MNIST from {@code dir}. */
    public static ArrayImageDataset mnist(Path dir, Split split) throws IOException {
        return load(dir, split, MNIST_CLASSES, "mnist");
    }

    /**
     * Loads one split of a dataset in the MNIST layout.
     *
     * @param dir        the folder holding the four IDX files
     * @param split      which part
     * @param classNames class names indexed by label; every label must be below its size
     * @param name       a name for the dataset and messages
     */
    public static ArrayImageDataset load(Path dir, Split split, List<String> classNames, String name)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder; pass the folder holding " + split.imagesFile() + " and "
                    + split.labelsFile() + " (for example ../shared/data/" + name + ")");
        }
        Path images = find(dir, split.imagesFile());
        Path labels = find(dir, split.labelsFile());
        return fromIdx(Idx.read(images), images.toString(), Idx.read(labels), labels.toString(), classNames,
                name + "/" + split.name().toLowerCase(Locale.ROOT));
    }

    /** Builds a dataset from IDX streams (images, then labels); the sources name them in messages. */
    public static ArrayImageDataset load(InputStream images, String imagesSource, InputStream labels,
            String labelsSource, List<String> classNames, String name) throws IOException {
        return fromIdx(Idx.read(images, imagesSource), imagesSource, Idx.read(labels, labelsSource), labelsSource,
                classNames, name);
    }

    private static Path find(Path dir, String gzName) throws IOException {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - 3));
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new IOException(dir + ": missing " + gzName + " (or its uncompressed form " + plain.getFileName()
                + "); the folder must hold the four MNIST-style IDX files");
    }

    static ArrayImageDataset fromIdx(IdxArray images, String imagesSource, IdxArray labels, String labelsSource,
            List<String> classNames, String name) throws IOException {
        if (images.magic() != Idx.IMAGES_MAGIC) {
            throw new IOException(imagesSource + ": expected an image file (IDX magic " + Idx.IMAGES_MAGIC
                    + ": unsigned bytes, 3 dimensions) but found magic " + images.magic()
                    + (images.magic() == Idx.LABELS_MAGIC ? " (a label file: are the file names swapped?)" : ""));
        }
        if (labels.magic() != Idx.LABELS_MAGIC) {
            throw new IOException(labelsSource + ": expected a label file (IDX magic " + Idx.LABELS_MAGIC
                    + ": unsigned bytes, 1 dimension) but found magic " + labels.magic()
                    + (labels.magic() == Idx.IMAGES_MAGIC ? " (an image file: are the file names swapped?)" : ""));
        }
        int[] d = images.dims();
        if (d[1] <= 0 || d[2] <= 0 || (long) d[1] * d[2] > Integer.MAX_VALUE) {
            throw new IOException(imagesSource + ": images of " + d[1] + "x" + d[2] + " pixels; rows and columns"
                    + " must be positive and an image at most 2^31-1 pixels (MNIST's are 28x28); the header is corrupt");
        }
        int n = labels.dims()[0];
        if (d[0] != n) {
            throw new IOException(imagesSource + " holds " + d[0] + " images but " + labelsSource + " holds " + n
                    + " labels; both files must come from the same split");
        }
        int[] lab = labels.toUnsignedInts();
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] >= classNames.size()) {
                throw new IOException(labelsSource + ": label " + lab[i] + " of image " + i + " is not below the "
                        + classNames.size() + " classes of " + name);
            }
        }
        return new ArrayImageDataset(name, images.data(), lab, 1, d[1], d[2], classNames);
    }

    /** A one-line summary: counts per class. */
    static String describe(ArrayImageDataset ds) {
        return ds + ", per class " + Arrays.toString(ds.classCounts());
    }
}
