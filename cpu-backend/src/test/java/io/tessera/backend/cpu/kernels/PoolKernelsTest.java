package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.golden.GoldenCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PoolKernelsTest {

    static List<GoldenCase> maxCases() {
        return Goldens.cases("max_pool2d");
    }

    static List<GoldenCase> avgCases() {
        return Goldens.cases("avg_pool2d");
    }

    static List<GoldenCase> adaptiveCases() {
        return Goldens.cases("adaptive_avg_pool2d_1x1", "adaptive_avg_pool2d_2x2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPoolMatchesGoldenValuesIndicesAndGradient(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        PoolKernels.MaxPoolResult r = PoolKernels.maxPool2d(x, Goldens.ints(c, "kernel_size"),
                Goldens.ints(c, "stride"), Goldens.ints(c, "padding"), Goldens.ints(c, "dilation"),
                c.attributes().path("ceil_mode").asBoolean());
        Goldens.checkOutput(c, "out", r.values());
        Goldens.checkOutput(c, "indices", r.indices());
        Goldens.checkGrad(c, "x", PoolKernels.maxPool2dBackward(Goldens.upstream(c), r.indices(), x.shape()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPoolMatchesGoldenOutputAndGradient(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        int[] k = Goldens.ints(c, "kernel_size");
        int[] s = Goldens.ints(c, "stride");
        int[] p = Goldens.ints(c, "padding");
        boolean ceil = c.attributes().path("ceil_mode").asBoolean();
        boolean include = c.attributes().path("count_include_pad").asBoolean();
        Goldens.checkOutput(c, "out", PoolKernels.avgPool2d(x, k, s, p, ceil, include));
        Goldens.checkGrad(c, "x", PoolKernels.avgPool2dBackward(Goldens.upstream(c), x.shape(), k, s, p, ceil,
                include));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adaptiveCases")
    void adaptiveAvgPoolMatchesGoldenOutputAndGradient(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        int[] size = Goldens.ints(c, "output_size");
        Goldens.checkOutput(c, "out", PoolKernels.adaptiveAvgPool2d(x, size[0], size[1]));
        Goldens.checkGrad(c, "x", PoolKernels.adaptiveAvgPool2dBackward(Goldens.upstream(c), x.shape()));
    }

    /** Large enough for the multi-threaded loops; each backward must be the adjoint (average) or a scatter (max). */
    @Test
    void backwardPassesOfLargeInputsAreAdjointsOfTheirForwardPasses() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 16, 33, 30);
        int[] k = {3, 3};
        int[] s = {2, 2};
        int[] p = {1, 1};
        INDArray avg = PoolKernels.avgPool2d(x, k, s, p, true, false);
        INDArray g = Nd4j.randn(DataType.FLOAT, avg.shape());
        double lhs = avg.castTo(DataType.DOUBLE).mul(g.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        double rhs = PoolKernels.avgPool2dBackward(g, x.shape(), k, s, p, true, false).castTo(DataType.DOUBLE)
                .mul(x.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        assertThat(rhs).isCloseTo(lhs, org.assertj.core.data.Offset.offset(1e-3));

        PoolKernels.MaxPoolResult max = PoolKernels.maxPool2d(x, k, s, p, false);
        INDArray gm = Nd4j.randn(DataType.FLOAT, max.values().shape());
        double lm = max.values().castTo(DataType.DOUBLE).mul(gm.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        double rm = PoolKernels.maxPool2dBackward(gm, max.indices(), x.shape()).castTo(DataType.DOUBLE)
                .mul(x.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        assertThat(rm).isCloseTo(lm, org.assertj.core.data.Offset.offset(1e-3));

        INDArray ad = PoolKernels.adaptiveAvgPool2d(x, 7, 5);
        INDArray ga = Nd4j.randn(DataType.FLOAT, ad.shape());
        double la = ad.castTo(DataType.DOUBLE).mul(ga.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        double ra = PoolKernels.adaptiveAvgPool2dBackward(ga, x.shape()).castTo(DataType.DOUBLE)
                .mul(x.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        assertThat(ra).isCloseTo(la, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void paddedAveragePoolingCountsPaddingOnlyWhenAsked() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2);
        int[] k = {2, 2};
        int[] s = {1, 1};
        int[] p = {1, 1};
        INDArray included = PoolKernels.avgPool2d(x, k, s, p, false, true);
        INDArray excluded = PoolKernels.avgPool2d(x, k, s, p, false, false);
        assertThat(included.getFloat(0, 0, 0, 0)).isEqualTo(0.25f);
        assertThat(excluded.getFloat(0, 0, 0, 0)).isEqualTo(1f);
        assertThat(included.shape()).containsExactly(1, 1, 3, 3);
    }

    @Test
    void ceilModeAddsAPartialWindow() {
        INDArray x = Nd4j.arange(25).castTo(DataType.FLOAT).reshape(1, 1, 5, 5);
        PoolKernels.MaxPoolResult r = PoolKernels.maxPool2d(x, new int[] {2, 2}, null, new int[] {0, 0}, true);
        assertThat(r.values().shape()).containsExactly(1, 1, 3, 3);
        assertThat(r.values().getFloat(0, 0, 2, 2)).isEqualTo(24f);
        assertThat(r.indices().getLong(0, 0, 2, 2)).isEqualTo(24L);
    }
}
