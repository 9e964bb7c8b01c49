package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.cpu.kernels.Conv2dGrads;
import io.tessera.backend.cpu.kernels.Conv2dKernels;
import io.tessera.backend.cpu.kernels.PoolKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Large results give the same values whichever path computes them: the fused kernels (ReLU's gradient, GEMM transpose
 * flags, pooling through a deferred ReLU, a deferred pooling gradient masked by ReLU's), a deferred convolution input
 * gradient, results read directly, read after their inputs were closed, or read after an input changed in place.
 * The golden cases are too small to reach these paths.
 */
class DeferredResultsTest {
    static TensorBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static float[] randomWithZerosAndNaN(int n, long seed) {
        Generator g = new Generator(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 97 == 0 ? 0f : i % 89 == 0 ? -0f : i % 1009 == 0 ? Float.NaN : (float) g.nextGaussian();
        }
        return v;
    }

    @Test
    void reluGradientThroughAutogradMatchesTheMaskDefinition() {
        int n = 64 * 1024;
        float[] xs = randomWithZerosAndNaN(n, 1);
        float[] gs = randomWithZerosAndNaN(n, 2);
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.tensor(xs, 64, 1024).requiresGrad(true);
            Tensor g = be.tensor(gs, 64, 1024);
            x.relu().backward(g);
            float[] dx = x.grad().toFloatArray();
            for (int i = 0; i < n; i++) {
                float expected = xs[i] > 0 ? gs[i] : 0f;
                assertThat(Float.floatToIntBits(dx[i])).as("element %d (x=%s)", i, xs[i])
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void maskAndItsCastReadDirectlyAndAfterTheInputChanged() {
        int n = 40_000;
        float[] xs = randomWithZerosAndNaN(n, 3);
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.tensor(xs, n);
            Tensor mask = x.gt(0);
            Tensor asFloat = mask.to(DType.FLOAT32);
            Tensor le = x.le(0.5);
            x.mulInPlace(-1); // must not change the results taken before
            boolean[] m = mask.toBooleanArray();
            float[] f = asFloat.toFloatArray();
            boolean[] l = le.toBooleanArray();
            for (int i = 0; i < n; i++) {
                assertThat(m[i]).isEqualTo(xs[i] > 0);
                assertThat(f[i]).isEqualTo(xs[i] > 0 ? 1f : 0f);
                assertThat(l[i]).isEqualTo(xs[i] <= 0.5f);
            }
        }
    }

    @Test
    void transposesIntoMatmulAndReadDirectlyMatchTheDefinition() {
        int r = 300;
        int c = 120;
        float[] as = randomWithZerosAndNaN(r * c, 4);
        for (int i = 0; i < as.length; i++) {
            as[i] = Float.isNaN(as[i]) ? 0.5f : as[i];
        }
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.tensor(as, r, c);
            Tensor b = new Generator(5).normal(be, Shape.of(r, 7), 0, 1);
            Tensor bt = new Generator(6).normal(be, Shape.of(7, c), 0, 1);
            Tensor at = a.t();
            Tensor att = at.t();
            float[] expectedAt = new float[c * r];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    expectedAt[j * r + i] = as[i * c + j];
                }
            }
            // fused: transpose flags of one GEMM; reference: the same products from materialised copies
            Tensor p1 = at.matmul(b);
            Tensor p2 = bt.matmul(at);
            Tensor p3 = att.matmul(bt.t());
            Tensor atCopy = be.tensor(expectedAt, c, r);
            Tensor aCopy = be.tensor(as, r, c);
            Tensor btT = be.tensor(transpose(bt.toFloatArray(), 7, c), c, 7);
            assertClose(p1.toFloatArray(), atCopy.matmul(b).toFloatArray());
            assertClose(p2.toFloatArray(), bt.matmul(atCopy).toFloatArray());
            assertClose(p3.toFloatArray(), aCopy.matmul(btT).toFloatArray());
            assertThat(at.toFloatArray()).containsExactly(expectedAt);
            assertThat(att.toFloatArray()).containsExactly(as);
            assertThat(at.shape()).isEqualTo(Shape.of(c, r));
        }
    }

    @Test
    void transposeStaysValidAfterItsSourceIsClosedOrChanged() {
        float[] as = randomWithZerosAndNaN(200 * 100, 7);
        Tensor at;
        Tensor closedLater;
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.tensor(as, 200, 100);
            at = s.keep(a.t());
            Tensor b = be.tensor(as, 200, 100);
            closedLater = s.keep(b.t());
            b.addInPlace(1.0);
        }
        float[] expected = transpose(as, 200, 100);
        assertThat(at.toFloatArray()).containsExactly(expected);
        assertThat(closedLater.toFloatArray()).containsExactly(expected);
        at.close();
        closedLater.close();
    }

    @Test
    void deferredConvolutionInputGradientMatchesTheDirectLoop() {
        Generator g = new Generator(8);
        try (TensorScope s = Tensors.scope()) {
            Tensor x = g.normal(be, Shape.of(16, 1, 28, 28), 0, 1).requiresGrad(true);
            Tensor w = g.normal(be, Shape.of(8, 1, 3, 3), 0, 0.3).requiresGrad(true);
            Tensor b = g.normal(be, Shape.of(8), 0, 0.1).requiresGrad(true);
            Tensor up = g.normal(be, Shape.of(16, 8, 28, 28), 0, 1);
            int[] one = {1, 1};
            // a ReLU after the convolution: its gradient is what the convolution's backward reads, and autograd closes
            // it before the (deferred) input gradient is used
            Functional.conv2d(x, w, b, one, one, one, 1).relu().backward(up);
            INDArray xi = Nd4j.create(x.toFloatArray(), new long[] {16, 1, 28, 28}, 'c');
            INDArray wi = Nd4j.create(w.toFloatArray(), new long[] {8, 1, 3, 3}, 'c');
            INDArray bi = Nd4j.create(b.toFloatArray(), new long[] {8}, 'c');
            INDArray y = Conv2dKernels.forward(xi, wi, bi, one, one, one, 1, Conv2dKernels.Algorithm.DIRECT);
            float[] ys = y.data().asFloat();
            float[] us = up.toFloatArray();
            for (int i = 0; i < us.length; i++) {
                us[i] = ys[i] > 0 ? us[i] : 0f;
            }
            INDArray gi = Nd4j.create(us, new long[] {16, 8, 28, 28}, 'c');
            Conv2dGrads ref = Conv2dKernels.backward(xi, wi, true, gi, one, one, one, 1,
                    Conv2dKernels.Algorithm.DIRECT);
            assertClose(x.grad().toFloatArray(), ref.dx().data().asFloat());
            assertClose(w.grad().toFloatArray(), ref.dw().data().asFloat());
            assertClose(b.grad().toFloatArray(), ref.db().data().asFloat());
        }
    }

    @Test
    void maxPoolOfReluAndItsGradientMatchTheUnfusedKernels() {
        long[] shape = {4, 8, 32, 32};
        int n = 4 * 8 * 32 * 32;
        float[] xs = randomWithZerosAndNaN(n, 9);
        for (int i = 0; i + 33 < n; i += 4) {
            if (i % 48 == 0) {
                xs[i] = -Math.abs(xs[i]); // whole negative windows now and then
                xs[i + 1] = -1f;
                xs[i + 32] = -0f;
                xs[i + 33] = -2f;
            } else if (i % 52 == 0) {
                xs[i + 1] = xs[i]; // ties
            }
        }
        float[] gs = randomWithZerosAndNaN(n / 4, 10);
        int[] k = {2, 2};
        int[] zero = {0, 0};
        int[] one = {1, 1};
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.tensor(xs, shape).requiresGrad(true);
            Functional.Pooled p = Functional.maxPool2dWithIndices(x.relu(), k, k, zero, one, false);
            float[] values = p.values().toFloatArray();
            long[] indices = p.indices().toLongArray();
            p.values().backward(be.tensor(gs, 4, 8, 16, 16));
            float[] dx = x.grad().toFloatArray();

            INDArray xi = Nd4j.create(xs, shape, 'c');
            INDArray relu = org.nd4j.linalg.ops.transforms.Transforms.relu(xi, true);
            PoolKernels.MaxPoolResult ref = PoolKernels.maxPool2d(relu, k, k, zero, one, false);
            INDArray dRelu = PoolKernels.maxPool2dBackward(Nd4j.create(gs, new long[] {4, 8, 16, 16}, 'c'),
                    ref.indices(), shape);
            float[] dr = dRelu.data().asFloat();
            float[] rv = ref.values().data().asFloat();
            long[] ri = ref.indices().data().asLong();
            for (int i = 0; i < rv.length; i++) {
                assertThat(Float.floatToIntBits(values[i])).as("value %d", i).isEqualTo(Float.floatToIntBits(rv[i]));
                assertThat(indices[i]).as("index %d", i).isEqualTo(ri[i]);
            }
            for (int i = 0; i < n; i++) {
                float expected = xs[i] > 0 ? dr[i] : 0f;
                assertThat(Float.floatToIntBits(dx[i])).as("gradient %d", i)
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void deferredReluAndPoolGradientReadDirectlyMatchTheirDefinitions() {
        long[] shape = {2, 8, 32, 32};
        int n = 2 * 8 * 32 * 32;
        float[] xs = randomWithZerosAndNaN(n, 11);
        try (TensorScope s = Tensors.scope()) {
            Tensor x = be.tensor(xs, shape).requiresGrad(true);
            Tensor r = x.relu();
            float[] rv = r.toFloatArray();
            for (int i = 0; i < n; i++) {
                float expected = xs[i] < 0 ? 0f : xs[i];
                assertThat(Float.floatToIntBits(rv[i])).isEqualTo(Float.floatToIntBits(expected));
            }
            // the pooling gradient consumed by something other than ReLU's mask
            Tensor pooled = Functional.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
            pooled.sum().backward();
            float[] dx = x.grad().toFloatArray();
            double total = 0;
            for (float v : dx) {
                total += v;
            }
            assertThat(total).isEqualTo(2 * 8 * 16 * 16);
        }
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static void assertClose(float[] actual, float[] expected) {
        new io.tessera.testkit.golden.Tolerance(1e-4, 1e-4).check("values", actual, expected);
    }
}
