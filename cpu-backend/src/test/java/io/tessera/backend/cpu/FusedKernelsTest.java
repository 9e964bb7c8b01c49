package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.api.tensor.spi.TensorKernels;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fusion is explicit (issue 9, item 2): the API calls named fused kernels ({@code reluBackward}, {@code matmul} with
 * transpose flags) and the CPU backend's overrides are what run, counted by {@link CpuBackend#fusedCalls}. Each
 * gradient also equals the one the kernels' default compositions give (the same CPU core with every override off).
 */
class FusedKernelsTest {
    static CpuBackend kernels;
    static TensorBackend cpu;
    static TensorBackend defaults;

    @BeforeAll
    static void open() {
        kernels = new CpuBackend("cpu");
        cpu = TensorBackend.of(kernels);
        defaults = TensorBackend.of(TensorKernels.coreOnly(new CpuBackend("cpu")));
    }

    @AfterAll
    static void close() {
        cpu.close();
        defaults.close();
    }

    private static long calls(String kernel) {
        var c = kernels.fusedCalls.get(kernel);
        return c == null ? 0 : c.sum();
    }

    /** The gradient of {@code sum(f(x) * u)} w.r.t. x on a backend, as floats. */
    private static float[] gradient(TensorBackend be, Shape shape, Function<Tensor, Tensor> f) {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = new Generator(1).normal(be, shape, 0, 1).requiresGrad(true);
            Tensor y = f.apply(x);
            Tensor u = new Generator(2).normal(be, y.shape(), 0, 1);
            y.mul(u).sum().backward();
            return x.grad().toFloatArray();
        }
    }

    private static void assertSame(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(expected[i]))));
        }
    }

    @Test
    void reluGradientRunsTheFusedOverride() {
        Shape s = Shape.of(8, 300);
        long before = calls("reluBackward");
        float[] fused = gradient(cpu, s, Tensor::relu);
        assertThat(calls("reluBackward")).as("CPU reluBackward override calls").isEqualTo(before + 1);
        assertSame(fused, gradient(defaults, s, Tensor::relu));
    }

    @Test
    void maxPoolOfReluGradientRoutesAndMasksInOnePass() {
        // large enough (>= 16 Ki elements) for the pooling gradient to be deferred into reluBackward
        Shape s = Shape.of(4, 8, 32, 32);
        Function<Tensor, Tensor> f = x -> Functional.maxPool2d(x.relu(), new int[] {2, 2}, null, new int[] {0, 0});
        long before = calls("reluBackward(maxPool2dBackward)");
        float[] fused = gradient(cpu, s, f);
        assertThat(calls("reluBackward(maxPool2dBackward)")).isEqualTo(before + 1);
        assertSame(fused, gradient(defaults, s, f));
    }

    @Test
    void linearAndMatmulGradientsUseTransposeFlags() {
        long before = calls("matmulTransposed");
        try (TensorScope s = Tensors.scope()) {
            Tensor w = new Generator(3).normal(cpu, Shape.of(5, 7), 0, 1).requiresGrad(true);
            Tensor x = new Generator(4).normal(cpu, Shape.of(6, 7), 0, 1).requiresGrad(true);
            Functional.linear(x, w, null).sum().backward();
        }
        // forward x W^T, backward g W (no flag) and g^T x
        assertThat(calls("matmulTransposed")).isEqualTo(before + 3);
        Shape s = Shape.of(6, 7);
        Function<Tensor, Tensor> f = x -> Functional.linear(x, x.backend().ones(5, 7).mul(0.5), null).square();
        assertSame(gradient(cpu, s, f), gradient(defaults, s, f));
        Function<Tensor, Tensor> g = x -> x.matmul(x.t().mul(2.0));
        assertSame(gradient(cpu, s, g), gradient(defaults, s, g));
    }
}
