package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.GradCheck;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every composite op of {@link Tensor}, {@link Tensors}, {@link Functional} and {@link Fft} (ops that open their own
 * scope, or hand intermediates to their result) runs inside an outer "module" scope on inputs that scope created;
 * only the op's result is kept, the scope closes, and then the gradient check runs backward and compares with
 * central differences. Afterwards every storage is closed again.
 */
class CompositeBackwardAfterScopeTest {
    static CpuBackend kernels;
    static TensorBackend be;

    @BeforeAll
    static void open() {
        kernels = new CpuBackend("cpu");
        be = TensorBackend.of(kernels);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /**
     * One composite under test.
     *
     * @param shapes     the shapes of the float64 leaves
     * @param op         the op, applied to intermediates derived from the leaves inside the module scope
     * @param float32Kernel whether a float32 kernel computes it (looser finite differences)
     */
    record Case(long[][] shapes, Function<Tensor[], Tensor> op, boolean float32Kernel) {
    }

    private static Arguments exact(String name, Function<Tensor[], Tensor> op, long[]... shapes) {
        return Arguments.of(Named.of(name, new Case(shapes, op, false)));
    }

    private static Arguments kernel(String name, Function<Tensor[], Tensor> op, long[]... shapes) {
        return Arguments.of(Named.of(name, new Case(shapes, op, true)));
    }

    private static long[] s(long... dims) {
        return dims;
    }

    static Stream<Arguments> composites() {
        return Stream.of(
                exact("silu", in -> in[0].silu(), s(3, 4)),
                exact("softplus(beta, threshold)", in -> in[0].softplus(2, 1), s(3, 4)),
                exact("leakyRelu", in -> in[0].leakyRelu(0.1), s(3, 4)),
                exact("clamp", in -> in[0].clamp(-0.5, 0.5), s(3, 4)),
                exact("maskedFill", in -> in[0].maskedFill(in[0].gt(0.3), 0.7), s(3, 4)),
                exact("var", in -> in[0].var(new int[] {1}, false, 1), s(3, 4)),
                exact("std", in -> in[0].std(new int[] {1}, true, 1), s(3, 4)),
                exact("norm", in -> in[0].norm(new int[] {1}, false), s(3, 4)),
                exact("logSumExp", in -> in[0].logSumExp(1, false), s(3, 4)),
                exact("matmul of a matrix and a vector", in -> in[0].matmul(in[1]), s(4, 3), s(3)),
                exact("stack", in -> Tensors.stack(List.of(in[0], in[1].exp()), 1), s(2, 3), s(2, 3)),
                exact("linear", in -> Functional.linear(in[0], in[1], in[2]), s(4, 3), s(5, 3), s(5)),
                exact("linear without bias", in -> Functional.linear(in[0], in[1], null), s(2, 4, 3), s(5, 3)),
                exact("embedding", in -> Functional.embedding(in[0], be.tensor(new long[] {2, 0, 2, 5}, 2, 2)),
                        s(6, 3)),
                exact("groupNorm", in -> Functional.groupNorm(in[0], 2, in[1], in[2], 1e-5), s(2, 4, 3, 3), s(4),
                        s(4)),
                exact("dropout", in -> Functional.dropout(in[0], 0.3, true, new Generator(3)), s(4, 5)),
                exact("crossEntropy", in -> Functional.crossEntropy(in[0], be.tensor(new long[] {1, 0, 4, 2}, 4)),
                        s(4, 5)),
                exact("crossEntropy with label smoothing over [N, C, H, W]", in -> Functional.crossEntropy(in[0],
                        be.tensor(new long[] {0, 2, 1, 1, 2, 0, 0, 1}, 2, 2, 2), 0.1), s(2, 3, 2, 2)),
                exact("bceWithLogits", in -> Functional.bceWithLogits(in[0], probabilities(4, 5)), s(4, 5)),
                exact("mseLoss", in -> Functional.mseLoss(in[0], in[1]), s(4, 5), s(4, 5)),
                exact("l1Loss", in -> Functional.l1Loss(in[0], in[1]), s(4, 5), s(4, 5)),
                exact("klDiv", in -> Functional.klDiv(in[0].logSoftmax(1), probabilities(4, 5).softmax(1)), s(4, 5)),
                exact("cosineSimilarity", in -> Functional.cosineSimilarity(in[0], in[1], 1, 1e-8), s(4, 5), s(4, 5)),
                kernel("maxPool2d", in -> Functional.maxPool2d(in[0], new int[] {2, 2}, null, new int[] {0, 0}),
                        s(1, 2, 4, 4)),
                kernel("maxPool2d with dilation and ceil mode", in -> Functional.maxPool2d(in[0], new int[] {2, 2},
                        new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true), s(1, 2, 5, 5)),
                kernel("batchNorm in training", in -> Functional.batchNorm(in[0], null, null, in[1], in[2], true,
                        0.1, 1e-5), s(3, 2, 2, 2), s(2), s(2)),
                kernel("layerNorm", in -> Functional.layerNorm(in[0], new long[] {4}, in[1], in[2], 1e-5), s(3, 4),
                        s(4), s(4)),
                kernel("fft2 of a real tensor", in -> {
                    ComplexTensor c = Fft.fft2(in[0], FftNorm.ORTHO);
                    return c.real().add(c.imag().mul(2.0));
                }, s(2, 4, 4)));
    }

    private static Tensor probabilities(long... shape) {
        return new Generator(8).uniform(be, Shape.of(shape), 0, 1).to(DType.FLOAT64);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("composites")
    void compositeBackpropagatesAfterTheScopeThatMadeItsInputsClosed(Case c) {
        long before = kernels.openStorages.get();
        List<Tensor> leaves = new ArrayList<>();
        for (int i = 0; i < c.shapes().length; i++) {
            Tensor t = new Generator(100 + i).uniform(be, Shape.of(c.shapes()[i]), -1, 1);
            Tensor leaf = t.to(DType.FLOAT64).requiresGrad(true);
            t.close();
            leaves.add(leaf);
        }
        // The module: its scope creates the op's inputs and keeps only the op's result; backward runs later.
        Function<Tensor[], Tensor> module = in -> {
            try (TensorScope s = Tensors.scope()) {
                Tensor[] h = new Tensor[in.length];
                for (int i = 0; i < in.length; i++) {
                    h[i] = in[i].mul(1.25);
                }
                return s.keep(c.op().apply(h));
            }
        };
        GradCheck check = GradCheck.of(module);
        if (c.float32Kernel()) {
            check.eps(1e-3).tolerance(1e-2, 1e-3);
        }
        check.check(leaves.toArray(new Tensor[0]));
        leaves.forEach(Tensor::close);
        assertThat(kernels.openStorages.get()).as("storages left open").isEqualTo(before);
    }
}
