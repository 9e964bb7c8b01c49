package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The run-merging float32 broadcast equals ND4J's {@code broadcast} element for element, for any source layout. */
class BroadcastTest {

    private static long[] dims(String s) {
        return s.isBlank() ? new long[0] : Arrays.stream(s.trim().split(" ")).mapToLong(Long::parseLong).toArray();
    }

    @ParameterizedTest
    @CsvSource({
            "8 64 1 1, 8 64 32 32",        // gradient of a spatial mean
            "1 64 1 1, 8 64 5 7",
            "64, 3 4 64",                   // lower rank, trailing aligned
            "3 1 5, 2 3 4 5",
            "1 1 1, 2 3 4",
            "1, 1",
            "'', 2 3",                      // a scalar
            "4 1 6 1, 4 3 6 2",             // alternating broadcast and copied axes
            "2 3 4, 2 3 4"})                // no broadcast: a copy
    void equalsNd4jBroadcast(String from, String to) {
        long[] src = dims(from);
        long[] target = dims(to);
        INDArray x = src.length == 0 ? Nd4j.scalar(0.37f) : Nd4j.rand(DataType.FLOAT, src);
        INDArray got = Broadcast.floats(x, target);
        assertThat(got.shape()).containsExactly(target);
        assertThat(got.ordering()).isEqualTo('c');
        long[] padded = new long[target.length];
        Arrays.fill(padded, 1);
        System.arraycopy(src, 0, padded, target.length - src.length, src.length);
        INDArray expected = x.reshape('c', padded).broadcast(target).dup('c');
        assertThat(got.data().asFloat()).isEqualTo(expected.data().asFloat());
    }

    @Test
    void readsAPermutedSourceInItsLogicalOrder() {
        INDArray base = Nd4j.rand(DataType.FLOAT, 5, 1, 3);
        INDArray x = base.permute(2, 1, 0);                 // [3, 1, 5], not C-ordered
        INDArray got = Broadcast.floats(x, new long[] {2, 3, 4, 5});
        INDArray expected = x.dup('c').reshape('c', 1, 3, 1, 5).broadcast(2, 3, 4, 5).dup('c');
        assertThat(got.data().asFloat()).isEqualTo(expected.data().asFloat());
    }

    @Test
    void leavesOtherTypesToTheCallerAndRejectsMismatchedAxes() {
        assertThat(Broadcast.floats(Nd4j.ones(DataType.DOUBLE, 2, 1), new long[] {2, 3})).isNull();
        assertThatThrownBy(() -> Broadcast.floats(Nd4j.ones(DataType.FLOAT, 2, 3), new long[] {2, 4}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("axis 1 is 3, not 1 or 4");
    }

    @ParameterizedTest
    @CsvSource({
            "8 64 32 3 3, 8 1 1 3 3",       // FDConv's spatial gain
            "8 64 32 3 3, 8 1 32 1 1",      // channel gain
            "8 64 32 3 3, 8 64 1 1 1",      // filter gain
            "8 1 1 3 3, 8 64 32 3 3",       // broadcast on the left
            "4 1 6, 1 5 1",                 // both sides broadcast
            "1 1, 1 1",
            "3 5, 1 1",
            "1 1 7, 2 3 1"})
    void arithmeticEqualsND4JOnMaterialisedOperands(String left, String right) {
        long[] ls = dims(left);
        long[] rs = dims(right);
        long[] out = new long[ls.length];
        for (int d = 0; d < out.length; d++) {
            out[d] = Math.max(ls[d], rs[d]);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, ls).subi(0.5);
        INDArray y = Nd4j.rand(DataType.FLOAT, rs).addi(0.25);
        INDArray ex = x.broadcast(out).dup('c');
        INDArray ey = y.broadcast(out).dup('c');
        for (Broadcast.Op op : Broadcast.Op.values()) {
            INDArray got = Broadcast.binary(op, x, y, out);
            INDArray expected = switch (op) {
                case ADD -> ex.add(ey);
                case SUB -> ex.sub(ey);
                case MUL -> ex.mul(ey);
                case DIV -> ex.div(ey);
            };
            assertThat(got.shape()).as(op + " shape").containsExactly(out);
            assertThat(got.data().asFloat()).as(op + " " + left + " with " + right)
                    .isEqualTo(expected.dup('c').data().asFloat());
        }
    }

    @Test
    void arithmeticReadsPermutedOperandsAndLeavesOtherTypesToTheCaller() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4, 3).permute(2, 1, 0);   // [3, 4, 5], not C-ordered
        INDArray y = Nd4j.rand(DataType.FLOAT, 1, 4, 1);
        INDArray got = Broadcast.binary(Broadcast.Op.MUL, x, y, new long[] {3, 4, 5});
        assertThat(got.data().asFloat()).isEqualTo(x.dup('c').mul(y.broadcast(3, 4, 5)).dup('c').data().asFloat());
        assertThat(Broadcast.binary(Broadcast.Op.ADD, Nd4j.ones(DataType.DOUBLE, 2, 1),
                Nd4j.ones(DataType.DOUBLE, 1, 2), new long[] {2, 2})).isNull();
    }
}
