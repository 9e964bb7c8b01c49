package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.backend.cpu.kernels.Conv2dKernels.Algorithm;
import io.tessera.testkit.golden.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The few-input-channel kernel that AUTO picks for first layers agrees with the direct loop. */
class SmallConvTest {
    private static final int[] ONE = {1, 1};

    @ParameterizedTest(name = "N={0} C={1} {2}x{3} O={4} k={5}x{6} pad={7},{8}")
    @CsvSource({
        "128, 1, 28, 28, 32, 3, 3, 1, 1",
        "3, 3, 17, 9, 8, 3, 3, 1, 1",
        "2, 1, 12, 10, 5, 5, 3, 2, 0",
        "4, 2, 7, 11, 6, 1, 1, 0, 0",
        "5, 3, 9, 9, 4, 3, 2, 0, 1"})
    void agreesWithTheDirectLoopForwardAndBackward(int n, int c, int h, int w, int o, int kh, int kw, int ph, int pw) {
        ConvGeometry q = ConvGeometry.of("test", new long[] {n, c, h, w}, new long[] {o, c, kh, kw}, ONE,
                new int[] {ph, pw}, ONE, 1);
        assertThat(SmallConv.applies(q)).isTrue();
        Nd4j.getRandom().setSeed(n * 31L + c);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, h, w);
        INDArray wt = Nd4j.randn(DataType.FLOAT, o, c, kh, kw);
        INDArray b = Nd4j.randn(DataType.FLOAT, o);
        int[] pad = {ph, pw};
        INDArray ref = Conv2dKernels.forward(x, wt, b, ONE, pad, ONE, 1, Algorithm.DIRECT);
        INDArray g = Nd4j.randn(DataType.FLOAT, ref.shape());
        Conv2dGrads refGrads = Conv2dKernels.backward(x, wt, true, g, ONE, pad, ONE, 1, Algorithm.DIRECT);
        Tolerance t = new Tolerance(1e-4, 1e-4);

        t.check("forward", floats(SmallConv.forward(x, wt, b, q)), floats(ref));
        t.check("forward without bias", floats(SmallConv.forward(x, wt, null, q)),
                floats(Conv2dKernels.forward(x, wt, null, ONE, pad, ONE, 1, Algorithm.DIRECT)));
        t.check("dx", floats(SmallConv.backwardInput(g, wt, q)), floats(refGrads.dx()));
        INDArray[] dwdb = SmallConv.backwardWeight(x, g, q, true);
        t.check("dw", floats(dwdb[0]), floats(refGrads.dw()));
        t.check("db", floats(dwdb[1]), floats(refGrads.db()));
        assertThat(dwdb[0].shape()).containsExactly(o, c, kh, kw);
    }

    @Test
    void autoUsesItOnlyForStrideOneUngroupedFewChannelConvolutions() {
        assertThat(SmallConv.applies(ConvGeometry.of("t", new long[] {1, 3, 8, 8}, new long[] {4, 3, 3, 3}, ONE,
                ONE, ONE, 1))).isTrue();
        assertThat(SmallConv.applies(ConvGeometry.of("t", new long[] {1, 3, 8, 8}, new long[] {4, 3, 3, 3},
                new int[] {2, 2}, ONE, ONE, 1))).isFalse();
        assertThat(SmallConv.applies(ConvGeometry.of("t", new long[] {1, 3, 8, 8}, new long[] {4, 3, 3, 3}, ONE,
                ONE, new int[] {2, 2}, 1))).isFalse();
        assertThat(SmallConv.applies(ConvGeometry.of("t", new long[] {1, 32, 8, 8}, new long[] {4, 32, 3, 3}, ONE,
                ONE, ONE, 1))).isFalse();
        assertThat(SmallConv.applies(ConvGeometry.of("t", new long[] {1, 4, 8, 8}, new long[] {4, 2, 3, 3}, ONE,
                ONE, ONE, 2))).isFalse();
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
