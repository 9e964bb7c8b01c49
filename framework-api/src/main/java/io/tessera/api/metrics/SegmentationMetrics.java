package io.tessera.api.metrics;

import org.apiguardian.api.API;

/**
 * Semantic segmentation metrics over label maps (one class index per pixel, flattened): the confusion matrix of
 * pixels, mean IoU and mean F1 (Dice), with a void label that counts for nothing.
 *
 * <pre>{@code
 * ConfusionMatrix cm = SegmentationMetrics.confusion(21, targetMask, predictedMask, 255);
 * double miou = cm.meanIoU();
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SegmentationMetrics {

    private SegmentationMetrics() {
    }

    /** The pixel confusion matrix; pixels whose target is {@code ignoreIndex} are skipped (-1 keeps all). */
    public static ConfusionMatrix confusion(int numClasses, int[] target, int[] prediction, int ignoreIndex) {
        return ConfusionMatrix.empty(numClasses).add(target, prediction, ignoreIndex);
    }

    /** Mean IoU of one pair of label maps (classes absent from both are skipped). */
    public static double meanIoU(int numClasses, int[] target, int[] prediction, int ignoreIndex) {
        return confusion(numClasses, target, prediction, ignoreIndex).meanIoU();
    }

    /** Mean F1 (Dice) of one pair of label maps (classes absent from both are skipped). */
    public static double meanF1(int numClasses, int[] target, int[] prediction, int ignoreIndex) {
        return confusion(numClasses, target, prediction, ignoreIndex).macroF1();
    }

    /**
     * The predicted label map of logits laid out {@code [C, H*W]} (one image, class-major as a model's
     * {@code [1, C, H, W]} output): the arg max over classes per pixel; ties go to the lower class.
     */
    public static int[] argmaxClasses(float[] logits, int numClasses) {
        if (numClasses < 1 || logits.length % numClasses != 0) {
            throw new IllegalArgumentException(logits.length + " logits cannot be " + numClasses + " classes × pixels");
        }
        int pixels = logits.length / numClasses;
        int[] out = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            int best = 0;
            float bestValue = logits[p];
            for (int c = 1; c < numClasses; c++) {
                float v = logits[c * pixels + p];
                if (v > bestValue) {
                    bestValue = v;
                    best = c;
                }
            }
            out[p] = best;
        }
        return out;
    }
}
