package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.golden.GoldenCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ConvTranspose2dKernelsTest {

    static List<GoldenCase> cases() {
        return Goldens.cases("conv_transpose2d_s2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenOutputAndGradients(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        INDArray b = Goldens.input(c, "bias");
        int[] s = Goldens.ints(c, "stride");
        int[] p = Goldens.ints(c, "padding");
        int[] op = Goldens.ints(c, "output_padding");
        int[] d = Goldens.ints(c, "dilation");
        int groups = c.attributes().path("groups").asInt();

        Goldens.checkOutput(c, "out", ConvTranspose2dKernels.forward(x, w, b, s, p, op, d, groups));
        Conv2dGrads g = ConvTranspose2dKernels.backward(x, w, true, Goldens.upstream(c), s, p, op, d, groups);
        Goldens.checkGrad(c, "x", g.dx());
        Goldens.checkGrad(c, "weight", g.dw());
        Goldens.checkGrad(c, "bias", g.db());
    }

    @Test
    void rejectsOutputPaddingNotSmallerThanStride() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 2, 3, 3);
        INDArray w = Nd4j.rand(DataType.FLOAT, 2, 2, 3, 3);
        assertThatThrownBy(() -> ConvTranspose2dKernels.forward(x, w, null, new int[] {2, 2}, new int[] {0, 0},
                new int[] {2, 0}, new int[] {1, 1}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output_padding");
    }
}
