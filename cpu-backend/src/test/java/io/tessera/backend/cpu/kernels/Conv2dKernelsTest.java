package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.backend.cpu.kernels.Conv2dKernels.Algorithm;
import io.tessera.testkit.golden.GoldenCase;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Conv2dKernelsTest {

    static Stream<Arguments> cases() {
        return Goldens.cases("conv2d_s1_p1", "conv2d_s2_p1", "conv2d_dilation2", "conv2d_depthwise", "conv2d_grouped")
                .stream().flatMap(c -> Stream.of(Algorithm.values()).map(a -> Arguments.of(c, a)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesGoldenOutputAndGradients(GoldenCase c, Algorithm algorithm) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        INDArray b = Goldens.input(c, "bias");
        int[] s = Goldens.ints(c, "stride");
        int[] p = Goldens.ints(c, "padding");
        int[] d = Goldens.ints(c, "dilation");
        int groups = c.attributes().path("groups").asInt();
        INDArray xCopy = x.dup();
        Assumptions.assumeFalse(algorithm == Algorithm.ND4J_NATIVE && Conv2dKernels.nativeHasOneDnn() && d[0] * d[1] > 1,
                "ND4J's oneDNN conv2d rejects dilation > 1 (AUTO routes those to im2col)");

        Goldens.checkOutput(c, "out", Conv2dKernels.forward(x, w, b, s, p, d, groups, algorithm));
        Conv2dGrads g = Conv2dKernels.backward(x, w, true, Goldens.upstream(c), s, p, d, groups, algorithm);
        Goldens.checkGrad(c, "x", g.dx());
        Goldens.checkGrad(c, "weight", g.dw());
        Goldens.checkGrad(c, "bias", g.db());
        assertThat(x).isEqualTo(xCopy);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void separateInputAndWeightGradientsMatchGoldens(GoldenCase c, Algorithm ignored) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        int[] s = Goldens.ints(c, "stride");
        int[] p = Goldens.ints(c, "padding");
        int[] d = Goldens.ints(c, "dilation");
        int groups = c.attributes().path("groups").asInt();
        INDArray g = Goldens.upstream(c);
        Goldens.checkGrad(c, "x", Conv2dKernels.backwardInput(g, w, x.shape(), s, p, d, groups));
        Goldens.checkGrad(c, "weight", Conv2dKernels.backwardWeight(x, g, w.shape(), s, p, d, groups));
    }

    /** Shapes large enough that every loop takes its multi-threaded path, which the small goldens never reach. */
    @ParameterizedTest(name = "groups={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 16})
    void algorithmsAgreeOnLargeStridedDilatedConvolutions(int groups) {
        Nd4j.getRandom().setSeed(11 + groups);
        int[] s = {2, 1};
        int[] p = {1, 2};
        int[] d = {1, 2};
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 16, 41, 38);
        INDArray w = Nd4j.randn(DataType.FLOAT, 32, 16 / groups, 3, 3);
        INDArray b = Nd4j.randn(DataType.FLOAT, 32);
        INDArray ref = Conv2dKernels.forward(x, w, b, s, p, d, groups, Algorithm.DIRECT);
        INDArray g = Nd4j.randn(DataType.FLOAT, ref.shape());
        Conv2dGrads refGrads = Conv2dKernels.backward(x, w, true, g, s, p, d, groups, Algorithm.DIRECT);
        io.tessera.testkit.golden.Tolerance t = new io.tessera.testkit.golden.Tolerance(1e-4, 1e-4);
        for (Algorithm a : new Algorithm[] {Algorithm.AUTO, Algorithm.IM2COL_GEMM}) {
            t.check(a + " forward", floats(Conv2dKernels.forward(x, w, b, s, p, d, groups, a)), floats(ref));
            Conv2dGrads grads = Conv2dKernels.backward(x, w, true, g, s, p, d, groups, a);
            t.check(a + " dx", floats(grads.dx()), floats(refGrads.dx()));
            t.check(a + " dw", floats(grads.dw()), floats(refGrads.dw()));
            t.check(a + " db", floats(grads.db()), floats(refGrads.db()));
        }
    }

    /** One sample with more than 8 groups (FDConv's per-sample kernels) takes the batched im2col products. */
    @ParameterizedTest(name = "groups={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {9, 12})
    void oneSampleWithManyGroupsMatchesTheDirectLoops(int groups) {
        Nd4j.getRandom().setSeed(31 + groups);
        int[] s = {2, 1};
        int[] p = {1, 2};
        int[] d = {1, 2};
        INDArray x = Nd4j.randn(DataType.FLOAT, 1, 4 * groups, 21, 19);
        INDArray w = Nd4j.randn(DataType.FLOAT, 3 * groups, 4, 3, 3);
        INDArray b = Nd4j.randn(DataType.FLOAT, 3 * groups);
        INDArray ref = Conv2dKernels.forward(x, w, b, s, p, d, groups, Algorithm.DIRECT);
        INDArray g = Nd4j.randn(DataType.FLOAT, ref.shape());
        Conv2dGrads refGrads = Conv2dKernels.backward(x, w, true, g, s, p, d, groups, Algorithm.DIRECT);
        io.tessera.testkit.golden.Tolerance t = new io.tessera.testkit.golden.Tolerance(1e-4, 1e-4);
        for (Algorithm a : new Algorithm[] {Algorithm.AUTO, Algorithm.IM2COL_GEMM}) {
            t.check(a + " forward", floats(Conv2dKernels.forward(x, w, b, s, p, d, groups, a)), floats(ref));
            Conv2dGrads grads = Conv2dKernels.backward(x, w, true, g, s, p, d, groups, a);
            t.check(a + " dx", floats(grads.dx()), floats(refGrads.dx()));
            t.check(a + " dw", floats(grads.dw()), floats(refGrads.dw()));
            t.check(a + " db", floats(grads.db()), floats(refGrads.db()));
            t.check(a + " dx alone", floats(Conv2dKernels.backwardInput(g, w, x.shape(), s, p, d, groups)),
                    floats(refGrads.dx()));
            t.check(a + " dw alone", floats(Conv2dKernels.backwardWeight(x, g, w.shape(), s, p, d, groups)),
                    floats(refGrads.dw()));
        }
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void backwardWithoutBiasHasNoBiasGradient() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 2, 5, 5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 2, 3, 3);
        INDArray g = Nd4j.ones(DataType.FLOAT, 1, 3, 3, 3);
        Conv2dGrads grads = Conv2dKernels.backward(x, w, false, g, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1);
        assertThat(grads.db()).isNull();
        assertThat(grads.dx().shape()).containsExactly(1, 2, 5, 5);
    }

    @Test
    void rejectsWeightWhoseInputChannelsDoNotMatch() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 5, 5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, 3, 3);
        assertThatThrownBy(() -> Conv2dKernels.forward(x, w, null, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv2d").hasMessageContaining("input channels");
    }
}
