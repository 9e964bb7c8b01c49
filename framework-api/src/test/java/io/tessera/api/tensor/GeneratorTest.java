package io.tessera.api.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    @Test
    void sameSeedGivesSameNumbers() {
        Generator a = new Generator(42);
        Generator b = new Generator(42);
        for (int i = 0; i < 100; i++) {
            assertThat(a.nextGaussian()).isEqualTo(b.nextGaussian());
            assertThat(a.nextDouble()).isEqualTo(b.nextDouble());
        }
        assertThat(new Generator(7).permutation(50)).containsExactly(new Generator(7).permutation(50));
    }

    @Test
    void permutationHoldsEveryIndexOnce() {
        long[] p = new Generator(3).permutation(1000);
        long[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertThat(sorted[i]).isEqualTo(i);
        }
        assertThat(p).isNotEqualTo(sorted);
    }

    @Test
    void normalSamplesHaveUnitMoments() {
        Generator g = new Generator(11);
        int n = 200_000;
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double v = g.nextGaussian();
            s += v;
            s2 += v * v;
        }
        assertThat(s / n).isBetween(-0.01, 0.01);
        assertThat(s2 / n).isBetween(0.99, 1.01);
    }
}
