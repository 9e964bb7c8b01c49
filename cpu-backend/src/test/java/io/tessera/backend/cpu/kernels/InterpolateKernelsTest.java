package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.testkit.golden.GoldenCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InterpolateKernelsTest {

    static List<GoldenCase> cases() {
        return Goldens.cases("interpolate_bilinear_align_false", "interpolate_bilinear_align_true",
                "interpolate_nearest");
    }

    private static Double scale(GoldenCase c, int axis) {
        JsonNode s = c.attributes().path("scale_factor");
        return s.isArray() ? s.get(axis).asDouble() : null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenOutputAndGradient(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        int[] size = Goldens.ints(c, "out_size");
        Double sh = scale(c, 0);
        Double sw = scale(c, 1);
        INDArray g = Goldens.upstream(c);
        if (c.attributes().path("mode").asText().equals("nearest")) {
            Goldens.checkOutput(c, "out", InterpolateKernels.nearest(x, size[0], size[1], sh, sw));
            Goldens.checkGrad(c, "x", InterpolateKernels.nearestBackward(g, x.shape(), sh, sw));
        } else {
            boolean ac = c.attributes().path("align_corners").asBoolean();
            Goldens.checkOutput(c, "out", InterpolateKernels.bilinear(x, size[0], size[1], ac, sh, sw));
            Goldens.checkGrad(c, "x", InterpolateKernels.bilinearBackward(g, x.shape(), ac, sh, sw));
        }
    }

    @Test
    void resizingToTheSameSizeIsIdentity() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 4);
        assertThat(InterpolateKernels.bilinear(x, 5, 4, false)).isEqualTo(x);
        assertThat(InterpolateKernels.bilinear(x, 5, 4, true)).isEqualTo(x);
        assertThat(InterpolateKernels.nearest(x, 5, 4)).isEqualTo(x);
    }

    @Test
    void backwardPassesAreAdjointsOfTheirForwardPasses() {
        // large enough for the multi-threaded loops
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 16, 20, 24).castTo(DataType.FLOAT);
        INDArray g = Nd4j.rand(DataType.FLOAT, 4, 16, 33, 17);
        for (boolean ac : new boolean[] {false, true}) {
            double lhs = dot(InterpolateKernels.bilinear(x, 33, 17, ac), g);
            double rhs = dot(InterpolateKernels.bilinearBackward(g, x.shape(), ac, null, null), x);
            assertThat(rhs).isCloseTo(lhs, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(lhs) + 1e-5));
        }
        double lhs = dot(InterpolateKernels.nearest(x, 33, 17), g);
        double rhs = dot(InterpolateKernels.nearestBackward(g, x.shape(), null, null), x);
        assertThat(rhs).isCloseTo(lhs, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(lhs) + 1e-5));
    }

    private static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }
}
