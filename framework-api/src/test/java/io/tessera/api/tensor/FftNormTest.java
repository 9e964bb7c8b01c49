package io.tessera.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FftNormTest {
    @Test
    void dualSwapsBackwardAndForward() {
        assertThat(FftNorm.BACKWARD.dual()).isEqualTo(FftNorm.FORWARD);
        assertThat(FftNorm.FORWARD.dual()).isEqualTo(FftNorm.BACKWARD);
        assertThat(FftNorm.ORTHO.dual()).isEqualTo(FftNorm.ORTHO);
    }

    @Test
    void scalesLikeNumpy() {
        assertThat(FftNorm.BACKWARD.scale(16, false)).isEqualTo(1.0);
        assertThat(FftNorm.BACKWARD.scale(16, true)).isEqualTo(1.0 / 16);
        assertThat(FftNorm.ORTHO.scale(16, true)).isCloseTo(0.25, within(1e-15));
        assertThat(FftNorm.parse("Ortho")).isEqualTo(FftNorm.ORTHO);
    }
}
