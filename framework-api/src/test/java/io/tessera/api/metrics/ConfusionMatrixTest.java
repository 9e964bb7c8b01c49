package io.tessera.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    // targets 0 0 1 1 2 2, predictions 0 1 1 1 2 0: worked by hand below.
    private final ConfusionMatrix cm = ConfusionMatrix.of(3, new int[] {0, 0, 1, 1, 2, 2},
            new int[] {0, 1, 1, 1, 2, 0});

    @Test
    void countsTrueClassByRowAndPredictionByColumn() {
        assertThat(cm.counts()).isEqualTo(new long[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
        assertThat(cm.total()).isEqualTo(6);
        assertThat(cm.accuracy()).isEqualTo(4 / 6.0);
    }

    @Test
    void perClassAccuracyIsTheRecallOfEachClass() {
        assertThat(cm.perClassAccuracy()).containsExactly(0.5, 1.0, 0.5);
        assertThat(cm.precision(0)).isEqualTo(0.5);
        assertThat(cm.precision(1)).isEqualTo(2 / 3.0);
    }

    @Test
    void f1AndIoUFollowTheirDefinitions() {
        // class 1: TP 2, FP 1, FN 0 -> F1 = 4/5, IoU = 2/3
        assertThat(cm.f1(1)).isCloseTo(0.8, within(1e-12));
        assertThat(cm.iou(1)).isCloseTo(2 / 3.0, within(1e-12));
        // class 0: TP 1, FP 1, FN 1 -> IoU 1/3; class 2: TP 1, FP 0, FN 1 -> IoU 1/2
        assertThat(cm.meanIoU()).isCloseTo((1 / 3.0 + 2 / 3.0 + 0.5) / 3, within(1e-12));
        assertThat(cm.macroF1()).isCloseTo((0.5 + 0.8 + 2 / 3.0) / 3, within(1e-12));
    }

    @Test
    void classesThatNeverOccurAreLeftOutOfTheMeans() {
        ConfusionMatrix m = ConfusionMatrix.of(3, new int[] {0, 1}, new int[] {0, 1});
        assertThat(m.iou(2)).isNaN();
        assertThat(m.meanIoU()).isEqualTo(1.0);
        assertThat(m.macroF1()).isEqualTo(1.0);
    }

    @Test
    void rejectsLabelsOutsideTheClassRange() {
        assertThatThrownBy(() -> ConfusionMatrix.of(2, new int[] {0, 2}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label pair 1 (target 2, prediction 1) is outside [0, 2)");
        assertThatThrownBy(() -> ConfusionMatrix.of(2, new int[] {0}, new int[] {0, 1}))
                .hasMessageContaining("must pair up");
    }
}
