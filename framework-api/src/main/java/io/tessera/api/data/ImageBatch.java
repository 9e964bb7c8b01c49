package io.tessera.api.data;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A batch of images with labels, ready to become an NCHW float tensor and an int64 target vector.
 *
 * @param pixels   {@code size * channels * height * width} floats, NCHW, C order
 * @param labels   {@code size} class indices
 * @param size     images in the batch
 * @param channels channels per image
 * @param height   rows per image
 * @param width    columns per image
 */
@API(status = API.Status.STABLE, since = "1.0")
public record ImageBatch(float[] pixels, int[] labels, int size, int channels, int height, int width) {

    public ImageBatch {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (labels.length != size || pixels.length != size * channels * height * width) {
            throw new IllegalArgumentException("batch of " + size + " images of " + channels + "x" + height + "x"
                    + width + " needs " + size * channels * height * width + " pixels and " + size
                    + " labels, got " + pixels.length + " and " + labels.length);
        }
    }

    /** The NCHW shape {@code [size, channels, height, width]}. */
    public long[] shape() {
        return new long[] {size, channels, height, width};
    }

    /** The labels as longs, the dtype PyTorch-style losses take for class indices. */
    public long[] labelsAsLongs() {
        long[] out = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }
}
