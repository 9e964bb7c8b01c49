package io.tessera.plugin.datasets;

import io.tessera.api.data.ArrayImageDataset;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A training split divided into training and validation images by a seeded random draw: {@code valSize} distinct
 * images chosen uniformly (a partial Fisher-Yates shuffle), both parts keeping the original order of their images.
 *
 * @param train the images not drawn
 * @param val   the images drawn
 */
record ValidationSplit(ArrayImageDataset train, ArrayImageDataset val) {

    /**
     * Draws {@code valSize} images out of {@code all}.
     *
     * @throws IllegalArgumentException if that would leave no training image
     */
    static ValidationSplit draw(ArrayImageDataset all, int valSize, long seed) {
        int n = all.size();
        if (valSize == 0) {
            return new ValidationSplit(all, subset(all, new int[0], "val"));
        }
        if (valSize >= n) {
            throw new IllegalArgumentException("val_size " + valSize + " leaves no training image: the training split "
                    + "has " + n + " (after limit); choose a val_size below " + n);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < valSize; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] val = Arrays.copyOfRange(order, 0, valSize);
        int[] train = Arrays.copyOfRange(order, valSize, n);
        Arrays.sort(val);
        Arrays.sort(train);
        return new ValidationSplit(subset(all, train, "train"), subset(all, val, "val"));
    }

    private static ArrayImageDataset subset(ArrayImageDataset all, int[] indices, String part) {
        int per = all.channels() * all.height() * all.width();
        byte[] pixels = new byte[Math.multiplyExact(indices.length, per)];
        int[] labels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int index = indices[k];
            labels[k] = all.label(index);
            for (int i = 0; i < per; i++) {
                pixels[k * per + i] = (byte) all.rawPixel(index, i);
            }
        }
        return new ArrayImageDataset(all.name() + "/" + part, pixels, labels, all.channels(), all.height(),
                all.width(), all.classNames());
    }
}
