package io.tessera.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void broadcastsNumpyStyle() {
        assertThat(Shape.broadcast("add", Shape.of(2, 3, 4), Shape.of(3, 1))).isEqualTo(Shape.of(2, 3, 4));
        assertThat(Shape.broadcast("add", Shape.of(3, 1, 5), Shape.of(7, 1))).isEqualTo(Shape.of(3, 7, 5));
        assertThat(Shape.broadcast("add", Shape.SCALAR, Shape.of(2))).isEqualTo(Shape.of(2));
    }

    @Test
    void rejectsIncompatibleBroadcastNamingOpAndShapes() {
        assertThatThrownBy(() -> Shape.broadcast("mul", Shape.of(2, 3), Shape.of(4, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mul").hasMessageContaining("[2, 3]").hasMessageContaining("[4, 3]");
    }

    @Test
    void reducesAxesWithAndWithoutKeepDim() {
        Shape s = Shape.of(2, 3, 4);
        assertThat(s.reduce(new int[] {0, 2}, true)).isEqualTo(Shape.of(1, 3, 1));
        assertThat(s.reduce(new int[] {-1}, false)).isEqualTo(Shape.of(2, 3));
    }

    @Test
    void resolvesNegativeAxesAndRejectsOutOfRange() {
        Shape s = Shape.of(2, 3);
        assertThat(s.axis(-1)).isEqualTo(1);
        assertThatThrownBy(() -> s.axis(2)).hasMessageContaining("axis 2").hasMessageContaining("-2..1");
    }

    @Test
    void computesFlatIndicesAndSizes() {
        Shape s = Shape.of(2, 3, 4);
        assertThat(s.size()).isEqualTo(24);
        assertThat(s.flatIndex(1, 2, 3)).isEqualTo(23);
        assertThat(Shape.SCALAR.size()).isEqualTo(1);
        assertThat(s.strides()).containsExactly(12, 4, 1);
        assertThatThrownBy(() -> s.flatIndex(2, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void comparesByValue() {
        assertThat(Shape.of(2, 3)).isEqualTo(Shape.of(new int[] {2, 3})).hasSameHashCodeAs(Shape.of(2L, 3L));
        assertThat(Shape.of(2, 3).toString()).isEqualTo("[2, 3]");
        assertThat(Shape.of(1, 3).broadcastsTo(Shape.of(4, 2, 3))).isTrue();
        assertThat(Shape.of(2, 3).broadcastsTo(Shape.of(3, 3))).isFalse();
    }
}
