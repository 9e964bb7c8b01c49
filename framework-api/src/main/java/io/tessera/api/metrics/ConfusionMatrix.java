package io.tessera.api.metrics;

import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Counts of (true class, predicted class) pairs, and the classification and segmentation metrics derived from them.
 * Row {@code t}, column {@code p} counts the examples (or pixels) of class {@code t} predicted as {@code p}.
 *
 * <p>Per-class metrics of a class that never occurs (neither as target nor as prediction) are {@code NaN}; the means
 * ({@link #meanIoU()}, {@link #macroF1()}) skip {@code NaN} classes, as torchmetrics and mmsegmentation do.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /** An empty matrix for {@code numClasses} classes. */
    public static ConfusionMatrix empty(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, was " + numClasses);
        }
        return new ConfusionMatrix(new long[numClasses][numClasses]);
    }

    /**
     * The matrix of {@code targets} against {@code predictions}.
     *
     * @throws IllegalArgumentException when the lengths differ or a label is outside {@code [0, numClasses)}
     */
    public static ConfusionMatrix of(int numClasses, int[] targets, int[] predictions) {
        return empty(numClasses).add(targets, predictions, -1);
    }

    /**
     * Adds pairs, skipping those whose target is {@code ignoreIndex} (e.g. 255, the void label of segmentation
     * masks; pass -1 to keep all).
     *
     * @return this matrix
     */
    public ConfusionMatrix add(int[] targets, int[] predictions, int ignoreIndex) {
        if (targets.length != predictions.length) {
            throw new IllegalArgumentException("targets has " + targets.length + " labels but predictions has "
                    + predictions.length + "; they must pair up");
        }
        int n = counts.length;
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            if (t == ignoreIndex) {
                continue;
            }
            int p = predictions[i];
            if (t < 0 || t >= n || p < 0 || p >= n) {
                throw new IllegalArgumentException("label pair " + i + " (target " + t + ", prediction " + p
                        + ") is outside [0, " + n + ")");
            }
            counts[t][p]++;
        }
        return this;
    }

    /** Adds one pair. */
    public ConfusionMatrix add(int target, int prediction) {
        return add(new int[] {target}, new int[] {prediction}, -1);
    }

    /** The number of classes. */
    public int numClasses() {
        return counts.length;
    }

    /** A copy of the counts, rows = true class, columns = predicted class. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** The number of pairs counted. */
    public long total() {
        long s = 0;
        for (long[] row : counts) {
            for (long c : row) {
                s += c;
            }
        }
        return s;
    }

    /** Correct predictions over all pairs; NaN when empty. */
    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        long total = total();
        return total == 0 ? Double.NaN : correct / (double) total;
    }

    /** Per-class accuracy: the recall of each class (correct / examples of the class). */
    public double[] perClassAccuracy() {
        double[] out = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            out[c] = recall(c);
        }
        return out;
    }

    /** Of the examples of class {@code c}, the fraction predicted as {@code c}; NaN when the class is absent. */
    public double recall(int c) {
        long row = Arrays.stream(counts[c]).sum();
        return row == 0 ? Double.NaN : counts[c][c] / (double) row;
    }

    /** Of the predictions of class {@code c}, the fraction that are right; NaN when {@code c} is never predicted. */
    public double precision(int c) {
        long col = 0;
        for (long[] row : counts) {
            col += row[c];
        }
        return col == 0 ? Double.NaN : counts[c][c] / (double) col;
    }

    /**
     * F1 of class {@code c}: {@code 2 TP / (2 TP + FP + FN)} (the Dice score in segmentation); NaN when the class
     * occurs neither as target nor as prediction.
     */
    public double f1(int c) {
        long tp = counts[c][c];
        long fp = -tp;
        long fn = -tp;
        for (int i = 0; i < counts.length; i++) {
            fp += counts[i][c];
            fn += counts[c][i];
        }
        long denom = 2 * tp + fp + fn;
        return denom == 0 ? Double.NaN : 2.0 * tp / denom;
    }

    /** Intersection over union of class {@code c}: {@code TP / (TP + FP + FN)}; NaN when the union is empty. */
    public double iou(int c) {
        long tp = counts[c][c];
        long union = -tp;
        for (int i = 0; i < counts.length; i++) {
            union += counts[i][c] + counts[c][i];
        }
        return union == 0 ? Double.NaN : tp / (double) union;
    }

    /** Per-class IoU. */
    public double[] perClassIoU() {
        double[] out = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            out[c] = iou(c);
        }
        return out;
    }

    /** Mean IoU over the classes whose IoU is defined (mIoU of semantic segmentation). */
    public double meanIoU() {
        return nanMean(perClassIoU());
    }

    /** Per-class F1. */
    public double[] perClassF1() {
        double[] out = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            out[c] = f1(c);
        }
        return out;
    }

    /** Mean F1 over the classes whose F1 is defined (macro F1, mean Dice). */
    public double macroF1() {
        return nanMean(perClassF1());
    }

    static double nanMean(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    @Override
    public String toString() {
        return "ConfusionMatrix[" + counts.length + " classes, " + total() + " pairs, accuracy " + accuracy() + "]";
    }
}
