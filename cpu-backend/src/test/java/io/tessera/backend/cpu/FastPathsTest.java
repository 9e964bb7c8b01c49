package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.golden.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend's faster code paths (fused softmax, GEMM into C-ordered results) agree with their definitions. */
class FastPathsTest {
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
    void softmaxOfHugeLogitsStaysFiniteAndSumsToOneAlongTheAxis() {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.tensor(new float[] {1000, 1001, 1002, -1000, -1001, -1002}, 2, 3);
            float[] rows = x.softmax(1).toFloatArray();
            double e0 = 1 / (1 + Math.exp(1) + Math.exp(2));
            new Tolerance(1e-6, 1e-6).check("softmax", rows, new float[] {(float) e0, (float) (e0 * Math.exp(1)),
                (float) (e0 * Math.exp(2)), (float) (e0 * Math.exp(2)), (float) (e0 * Math.exp(1)), (float) e0});
            float[] cols = x.softmax(0).toFloatArray();
            assertThat(cols[0] + cols[3]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(cols[0]).isEqualTo(1f);
        }
    }

    @Test
    void softmaxAlongEveryAxisOfARankFourTensorMatchesItsDefinition() {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = new Generator(1).normal(be, Shape.of(2, 3, 4, 5), 0, 2);
            for (int axis = 0; axis < 4; axis++) {
                Tensor e = x.sub(x.max(axis, true)).exp();
                Tensor expected = e.div(e.sum(axis, true));
                new Tolerance(1e-6, 1e-6).check("softmax axis " + axis, x.softmax(axis).toFloatArray(),
                        expected.toFloatArray());
            }
        }
    }

    @Test
    void matmulOfTwoAndThreeDimensionalOperandsMatchesTheNaiveProduct() {
        Generator g = new Generator(3);
        try (TensorScope s = Tensors.scope()) {
            Tensor a = g.normal(be, Shape.of(2, 5, 7), 0, 1);
            Tensor b = g.normal(be, Shape.of(7, 3), 0, 1);
            float[] av = a.toFloatArray();
            float[] bv = b.toFloatArray();
            float[] expected = new float[2 * 5 * 3];
            for (int r = 0; r < 10; r++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int k = 0; k < 7; k++) {
                        acc += av[r * 7 + k] * bv[k * 3 + c];
                    }
                    expected[r * 3 + c] = (float) acc;
                }
            }
            Tolerance t = new Tolerance(1e-5, 1e-5);
            Tensor p = a.matmul(b);
            assertThat(p.shape()).isEqualTo(Shape.of(2, 5, 3));
            t.check("batched rows", p.toFloatArray(), expected);
            float[] first = new float[15];
            System.arraycopy(expected, 0, first, 0, 15);
            t.check("2-D", a.slice(0, 0, 1, 1).reshape(5, 7).matmul(b).toFloatArray(), first);
        }
    }
}
