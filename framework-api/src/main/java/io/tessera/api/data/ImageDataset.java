package io.tessera.api.data;

import java.util.List;
import org.apiguardian.api.API;

/**
 * An image classification dataset of equally sized images. Besides {@link #get} it offers bulk access
 * ({@link #copyPixels}, {@link #label}) so batching does not allocate one object per image.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface ImageDataset extends Dataset<LabeledImage> {

    /** Channels per image. */
    int channels();

    /** Rows per image. */
    int height();

    /** Columns per image. */
    int width();

    /** Names of the classes, indexed by label; its size is the number of classes. */
    List<String> classNames();

    /** Number of classes. */
    default int numClasses() {
        return classNames().size();
    }

    /** The label of image {@code index}. */
    int label(int index);

    /**
     * Copies the pixels of image {@code index}, as floats in [0, 1], channel-major, into {@code dst} starting at
     * {@code offset}.
     */
    void copyPixels(int index, float[] dst, int offset);

    /** Values per image: {@code channels * height * width}. */
    default int pixelsPerImage() {
        return channels() * height() * width();
    }

    @Override
    default LabeledImage get(int index) {
        float[] px = new float[pixelsPerImage()];
        copyPixels(index, px, 0);
        return new LabeledImage(px, channels(), height(), width(), label(index));
    }

    /** The images at {@code indices}, in that order, as one batch. */
    default ImageBatch batch(int[] indices) {
        int per = pixelsPerImage();
        float[] px = new float[indices.length * per];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            copyPixels(indices[i], px, i * per);
            labels[i] = label(indices[i]);
        }
        return new ImageBatch(px, labels, indices.length, channels(), height(), width());
    }

    /** How many images each class has, indexed by label. */
    default int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0; i < size(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }
}
