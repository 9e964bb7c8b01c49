package io.tessera.plugin.datasets;

import org.apiguardian.api.API;

/** The two parts of an MNIST-style dataset and the file-name prefix each uses. */
@API(status = API.Status.STABLE, since = "1.0")
public enum Split {
    /** The training images: {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}. */
    TRAIN("train"),
    /** The test images: {@code t10k-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte.gz}. */
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
        this.prefix = prefix;
    }

    /** The file-name prefix, {@code train} or {@code t10k}. */
    public String prefix() {
        return prefix;
    }

    /** The images file name, gzipped form. */
    public String imagesFile() {
        return prefix + "-images-idx3-ubyte.gz";
    }

    /** The labels file name, gzipped form. */
    public String labelsFile() {
        return prefix + "-labels-idx1-ubyte.gz";
    }
}
