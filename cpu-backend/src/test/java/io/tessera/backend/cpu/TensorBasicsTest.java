package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorBasicsTest {
    static TensorBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void roundTripsEveryDtypeThroughJavaArrays() {
        try (TensorScope s = Tensors.scope()) {
            Tensor f = be.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertThat(f.shape()).isEqualTo(Shape.of(2, 3));
            assertThat(f.dtype()).isEqualTo(DType.FLOAT32);
            assertThat(f.device()).isEqualTo(Device.CPU);
            assertThat(f.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(f.getFloat(1, 2)).isEqualTo(6f);
            Tensor d = be.tensor(new double[] {0.1, 0.2}, 2);
            assertThat(d.toDoubleArray()).containsExactly(0.1, 0.2);
            Tensor l = be.tensor(new long[] {Long.MAX_VALUE, -3}, 2);
            assertThat(l.getLong(0)).isEqualTo(Long.MAX_VALUE);
            assertThat(l.toLongArray()).containsExactly(Long.MAX_VALUE, -3);
            Tensor b = be.tensor(new boolean[] {true, false, true, true}, 2, 2);
            assertThat(b.toBooleanArray()).containsExactly(true, false, true, true);
            assertThat(be.scalar(2.5).item()).isEqualTo(2.5);
            assertThat(be.scalar(2.5).rank()).isZero();
        }
    }

    @Test
    void elementwiseOpsBroadcast() {
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor col = be.tensor(new float[] {10, 20}, 2, 1);
            assertThat(a.add(col).toFloatArray()).containsExactly(11, 12, 13, 24, 25, 26);
            Tensor row = be.tensor(new float[] {1, 2, 3}, 3);
            assertThat(a.pow(row).toFloatArray()).containsExactly(1, 4, 27, 4, 25, 216);
            assertThat(a.maximum(row.mul(2.0)).toFloatArray()).containsExactly(2, 4, 6, 4, 5, 6);
            assertThat(a.le(row.add(1.5)).toBooleanArray()).containsExactly(true, true, true, false, false, false);
        }
    }

    @Test
    void integerAndBooleanArithmeticIsExact() {
        try (TensorScope s = Tensors.scope()) {
            Tensor i = be.tensor(new long[] {1L << 60, 3}, 2);
            assertThat(i.add(be.tensor(new long[] {1, 1}, 2)).toLongArray()).containsExactly((1L << 60) + 1, 4);
            assertThat(i.mul(2.0).toLongArray()).containsExactly(1L << 61, 6);
            Tensor m = be.tensor(new boolean[] {true, false}, 2);
            assertThat(m.not().toBooleanArray()).containsExactly(false, true);
            assertThat(m.and(be.tensor(new boolean[] {true, true}, 2)).toBooleanArray()).containsExactly(true, false);
            assertThat(i.sum().toLongArray()).containsExactly((1L << 60) + 3);
        }
    }

    @Test
    void shapeOpsMoveElementsLikeNumpy() {
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.tensor(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            assertThat(a.t().toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(a.reshape(3, -1).shape()).isEqualTo(Shape.of(3, 2));
            assertThat(a.slice(1, 0, 3, 2).toFloatArray()).containsExactly(0, 2, 3, 5);
            assertThat(a.pad(new long[][] {{0, 0}, {1, 0}}, -1).toFloatArray())
                    .containsExactly(-1, 0, 1, 2, -1, 3, 4, 5);
            assertThat(Tensors.concat(List.of(a, a), 0).shape()).isEqualTo(Shape.of(4, 3));
            assertThat(Tensors.stack(List.of(a, a), 0).shape()).isEqualTo(Shape.of(2, 2, 3));
            assertThat(a.unsqueeze(1).squeeze(1).shape()).isEqualTo(Shape.of(2, 3));
            assertThat(a.cumsum(1).toFloatArray()).containsExactly(0, 1, 3, 3, 7, 12);
            assertThat(a.argmax().item()).isEqualTo(5);
            Tensor.TopK top = a.topk(2, 1);
            assertThat(top.values().toFloatArray()).containsExactly(2, 1, 5, 4);
            assertThat(top.indices().toLongArray()).containsExactly(2, 1, 2, 1);
        }
    }

    @Test
    void matmulBroadcastsBatchAxesAndPromotesVectors() {
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.tensor(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor batch = be.ones(3, 2, 2);
            assertThat(batch.matmul(a).shape()).isEqualTo(Shape.of(3, 2, 2));
            assertThat(a.matmul(batch).toFloatArray()).containsExactly(3, 3, 7, 7, 3, 3, 7, 7, 3, 3, 7, 7);
            Tensor v = be.tensor(new float[] {1, 1}, 2);
            assertThat(a.matmul(v).toFloatArray()).containsExactly(3, 7);
            assertThat(v.matmul(a).toFloatArray()).containsExactly(4, 6);
        }
    }

    @Test
    void seededRandomTensorsRepeatExactly() {
        try (TensorScope s = Tensors.scope()) {
            float[] u1 = new Generator(5).uniform(be, Shape.of(100), -1, 1).toFloatArray();
            float[] u2 = new Generator(5).uniform(be, Shape.of(100), -1, 1).toFloatArray();
            assertThat(u1).containsExactly(u2);
            Tensor n = new Generator(9).normal(be, Shape.of(10_000), 2, 3);
            assertThat(n.mean().item()).isCloseTo(2, within(0.1));
            assertThat(n.var().sqrt().item()).isCloseTo(3, within(0.1));
            long[] p = new Generator(1).permutation(be, 10).toLongArray();
            assertThat(p).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    @Test
    void dropoutKeepsExpectationAndIsSeeded() {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.ones(1000);
            Tensor a = Functional.dropout(x, 0.5, true, new Generator(2));
            Tensor b = Functional.dropout(x, 0.5, true, new Generator(2));
            assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
            assertThat(a.mean().item()).isCloseTo(1, within(0.1));
            assertThat(Functional.dropout(x, 0.5, false, null).toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void inPlaceUpdatesChangeTheTensor() {
        try (TensorScope s = Tensors.scope()) {
            Tensor p = be.tensor(new float[] {1, 2}, 2);
            p.addInPlace(be.tensor(new float[] {1, 1}, 2), -0.5).mulInPlace(2);
            assertThat(p.toFloatArray()).containsExactly(1, 3);
            p.fill(7).set(0, 1);
            assertThat(p.toFloatArray()).containsExactly(7, 0);
            p.copyFrom(be.scalar(4));
            assertThat(p.toFloatArray()).containsExactly(4, 4);
        }
    }
}
