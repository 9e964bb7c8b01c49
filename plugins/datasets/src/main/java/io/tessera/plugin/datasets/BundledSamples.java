package io.tessera.plugin.datasets;

import io.tessera.api.data.ArrayImageDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Small samples of MNIST and Fashion-MNIST shipped inside this plugin, so tests and the quickstart run without a
 * download: the first 1,000 training and the first 500 test images of each set in {@code ../shared/data} (already
 * shuffled there). {@code plugins/datasets/tools/make_samples.py} regenerates them.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class BundledSamples {
    /** Training images per bundled sample. */
    public static final int TRAIN_SIZE = 1000;
    /** Test images per bundled sample. */
    public static final int TEST_SIZE = 500;

    private static final String ROOT = "samples/";

    private BundledSamples() {
    }

    /** The bundled Fashion-MNIST sample. */
    public static ArrayImageDataset fashionMnist(Split split) {
        return load("fashion-mnist", split, MnistFolder.FASHION_MNIST_CLASSES);
    }

    /** The bundled MNIST sample. */
    public static ArrayImageDataset mnist(Split split) {
        return load("mnist", split, MnistFolder.MNIST_CLASSES);
    }

    /**
     * The bundled sample called {@code name}.
     *
     * @throws IllegalArgumentException for a name other than {@code mnist} or {@code fashion-mnist}
     */
    public static ArrayImageDataset byName(String name, Split split) {
        return switch (name) {
            case "mnist" -> mnist(split);
            case "fashion-mnist" -> fashionMnist(split);
            default -> throw new IllegalArgumentException("no bundled sample '" + name
                    + "' (available: mnist, fashion-mnist)");
        };
    }

    private static ArrayImageDataset load(String set, Split split, List<String> classes) {
        String images = ROOT + set + "/" + split.imagesFile();
        String labels = ROOT + set + "/" + split.labelsFile();
        try (InputStream img = open(images); InputStream lab = open(labels)) {
            return MnistFolder.load(img, "bundled " + images, lab, "bundled " + labels, classes,
                    set + "-sample/" + split.name().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            throw new UncheckedIOException("bundled sample " + set + " is unreadable; the plugin jar is damaged", e);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = BundledSamples.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("resource " + resource + " is missing from the datasets plugin jar");
        }
        return in;
    }
}
