package io.tessera.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    @Test
    void meanIoUSkipsVoidPixels() {
        int[] target = {0, 0, 1, 1, 255, 255};
        int[] pred = {0, 1, 1, 1, 0, 1};
        // class 0: TP 1, FN 1 -> 1/2; class 1: TP 2, FP 1 -> 2/3 (void pixels count for nothing)
        assertThat(SegmentationMetrics.meanIoU(2, target, pred, 255)).isCloseTo((0.5 + 2 / 3.0) / 2, within(1e-12));
        // Dice: class 0 2/3, class 1 4/5
        assertThat(SegmentationMetrics.meanF1(2, target, pred, 255)).isCloseTo((2 / 3.0 + 0.8) / 2, within(1e-12));
    }

    @Test
    void perfectPredictionHasMeanIoUOne() {
        int[] mask = {0, 1, 2, 2, 1, 0};
        assertThat(SegmentationMetrics.meanIoU(3, mask, mask, -1)).isEqualTo(1.0);
    }

    @Test
    void argmaxReadsClassMajorLogits() {
        // 2 classes x 3 pixels: pixel 0 -> class 1, pixel 1 -> class 0, pixel 2 tie -> class 0
        float[] logits = {0f, 5f, 1f, /* class 1 */ 3f, 2f, 1f};
        assertThat(SegmentationMetrics.argmaxClasses(logits, 2)).containsExactly(1, 0, 0);
    }
}
