package io.tessera.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apiguardian.api.API;
import org.assertj.core.data.Offset;

/**
 * Reproductions of semantic differences from PyTorch found by differential fuzzing (issue 22), each with the value
 * PyTorch 1.13 gives, and checks that errors name the op the caller called with the caller's shapes. Every backend
 * runs them through {@link BackendConformanceSuite}; the expected values are computed here by plain loops or written
 * down from PyTorch, never through the tensor API under test.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SemanticsCases {
    private static final Offset<Double> TOL = Offset.offset(1e-6);

    private SemanticsCases() {
    }

    /**
     * One named reproduction.
     *
     * @param name what PyTorch does, as a test name
     * @param body the check, given the backend under test
     */
    public record Case(String name, Consumer<TensorBackend> body) {
        /** Runs the check in a scope that closes everything it made. */
        public void run(TensorBackend backend) {
            try (TensorScope s = Tensors.scope()) {
                body.accept(backend);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case. */
    public static List<Case> all() {
        return List.of(
                new Case("add broadcasts [5,1] with [5] to [5,5]", b -> broadcastPair(b, 5, 1, 5, Tensor::add,
                        Double::sum)),
                new Case("add broadcasts [1,1] with [3] to [1,3]", b -> broadcastPair(b, 1, 1, 3, Tensor::add,
                        Double::sum)),
                new Case("sub broadcasts [3] with [3,1] to [3,3]", SemanticsCases::vectorMinusColumn),
                new Case("mul, div, sub broadcast [4,3,1] with [3] to [4,3,3]", SemanticsCases::rank3WithVector),
                new Case("maximum and minimum of [5,1] and [5] differentiate, ties sharing", b -> {
                    maxMinBackward(b, true);
                    maxMinBackward(b, false);
                }),
                new Case("slice with a step past the end keeps what exists: x[0:1:3] of [2,3] is [1,3]",
                        SemanticsCases::sliceStepPastEnd),
                new Case("int64 + 0.5 and int64 / 2.0 promote to float32 (2.5, 1.5); int64 + 2.0 stays int64",
                        SemanticsCases::intScalarPromotion),
                new Case("int64 / int64 is true division in float32: -3 / 2 = -1.5", SemanticsCases::intTrueDivision),
                new Case("mean, var and std of int64 are refused as in PyTorch", SemanticsCases::intMeanRefused),
                new Case("int64 to a negative integer power is refused as in PyTorch", b -> assertThatThrownBy(
                        () -> b.tensor(new long[] {2}, 1).pow(-1)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("pow").hasMessageContaining("negative integer power")),
                new Case("pow(x, y) has zero gradients at x = 0 (y >= 0) and y = 0", SemanticsCases::powGradAtZero),
                new Case("std and norm have zero gradients at zero variance / zero vectors",
                        SemanticsCases::stdNormGradAtZero),
                new Case("crossEntropy mean with every target ignored: NaN loss, zero gradients",
                        SemanticsCases::crossEntropyAllIgnored),
                new Case("mean over an empty axis is NaN, sum 0, prod 1, max refused", SemanticsCases::emptyReductions),
                new Case("softmax along axis 1 of a 4-D tensor normalises that axis", SemanticsCases::softmaxAxis1),
                new Case("bceWithLogits has gradient (sigmoid(x) - t) / n at x = 0 too",
                        SemanticsCases::bceWithLogitsGradAtZero),
                new Case("maskedFill broadcasts the tensor with the mask, as torch.masked_fill",
                        SemanticsCases::maskedFillBroadcasts),
                new Case("comparisons broadcast when both operands expand: [1,2,1,2] > [2,2,1,1]",
                        SemanticsCases::comparisonBothExpand),
                new Case("prod differentiates through zeros: the product of the other elements",
                        SemanticsCases::prodGradWithZeros),
                new Case("ops on tensors with an axis of size 0 give empty results; matmul over k = 0 gives zeros",
                        SemanticsCases::emptyOperands),
                new Case("crossEntropy with a target that does not fit names crossEntropy and both shapes",
                        SemanticsCases::crossEntropyTargetMessage),
                new Case("stack of unequal shapes names stack and the given shapes", SemanticsCases::stackMessage),
                new Case("matmul of vectors of different lengths names the vectors' shapes",
                        SemanticsCases::matmulVectorMessage));
    }

    // -------------------------------------------------------------------------------------------- broadcasting

    private static double[] ramp(int n, double start, double step) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return v;
    }

    private static void broadcastPair(TensorBackend b, int rows, int cols, int n, BiFunction<Tensor, Tensor,
            Tensor> op, java.util.function.DoubleBinaryOperator f) {
        double[] av = ramp(rows * cols, 1, 1);
        double[] bv = ramp(n, 10, 0.5);
        Tensor a = b.tensor(av, rows, cols);
        Tensor v = b.tensor(bv, n);
        Tensor r = op.apply(a, v);
        long outCols = cols == 1 ? n : cols;
        assertThat(r.shape()).isEqualTo(Shape.of(rows, outCols));
        double[] got = r.toDoubleArray();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < outCols; j++) {
                double want = f.applyAsDouble(av[i * cols + (cols == 1 ? 0 : j)], bv[n == 1 ? 0 : j]);
                assertThat(got[(int) (i * outCols + j)]).as("[%d,%d]", i, j).isCloseTo(want, TOL);
            }
        }
    }

    private static void vectorMinusColumn(TensorBackend b) {
        double[] av = {1, 2, 3};
        double[] cv = {10, 20, 30};
        Tensor r = b.tensor(av, 3).sub(b.tensor(cv, 3, 1));
        assertThat(r.shape()).isEqualTo(Shape.of(3, 3));
        double[] got = r.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(got[i * 3 + j]).isCloseTo(av[j] - cv[i], TOL);
            }
        }
    }

    private static void rank3WithVector(TensorBackend b) {
        double[] av = ramp(12, 1, 1);
        double[] vv = {2, 4, 8};
        Tensor a = b.tensor(av, 4, 3, 1).requiresGrad(true);
        Tensor v = b.tensor(vv, 3).requiresGrad(true);
        Tensor m = a.mul(v);
        Tensor d = a.div(v);
        Tensor s = a.sub(v);
        for (Tensor t : List.of(m, d, s)) {
            assertThat(t.shape()).isEqualTo(Shape.of(4, 3, 3));
        }
        double[] mv = m.toDoubleArray();
        double[] dv = d.toDoubleArray();
        double[] sv = s.toDoubleArray();
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(mv[i * 3 + j]).isCloseTo(av[i] * vv[j], TOL);
                assertThat(dv[i * 3 + j]).isCloseTo(av[i] / vv[j], TOL);
                assertThat(sv[i * 3 + j]).isCloseTo(av[i] - vv[j], TOL);
            }
        }
        m.add(d).add(s).sum().backward();
        // d/da sum_j (a v_j + a / v_j + a - v_j) = sum_j (v_j + 1/v_j + 1); d/dv_j = sum_i (a_i - a_i / v_j^2 - 1)
        double ga = 0;
        for (double x : vv) {
            ga += x + 1 / x + 1;
        }
        for (double g : a.grad().toDoubleArray()) {
            assertThat(g).isCloseTo(ga, TOL);
        }
        double sumA = 0;
        for (double x : av) {
            sumA += x;
        }
        double[] gv = v.grad().toDoubleArray();
        for (int j = 0; j < 3; j++) {
            assertThat(gv[j]).isCloseTo(sumA - sumA / (vv[j] * vv[j]) - 12, TOL);
        }
    }

    private static void maxMinBackward(TensorBackend b, boolean max) {
        double[] av = {1, 2, 3, 4, 5};
        double[] bv = {3, 0, 6, 3, 2};
        Tensor a = b.tensor(av, 5, 1).requiresGrad(true);
        Tensor v = b.tensor(bv, 5).requiresGrad(true);
        Tensor r = max ? a.maximum(v) : a.minimum(v);
        assertThat(r.shape()).isEqualTo(Shape.of(5, 5));
        r.sum().backward();
        double[] ga = new double[5];
        double[] gb = new double[5];
        double[] out = r.toDoubleArray();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                double x = av[i];
                double y = bv[j];
                assertThat(out[i * 5 + j]).isCloseTo(max ? Math.max(x, y) : Math.min(x, y), TOL);
                double wa = x == y ? 0.5 : (max ? x > y : x < y) ? 1 : 0;
                ga[i] += wa;
                gb[j] += 1 - wa;
            }
        }
        assertThat(a.grad().toDoubleArray()).containsExactly(ga, TOL);
        assertThat(v.grad().toDoubleArray()).containsExactly(gb, TOL);
    }

    // ------------------------------------------------------------------------------------------------- slicing

    private static void sliceStepPastEnd(TensorBackend b) {
        Tensor x = b.tensor(ramp(6, 0, 1), 2, 3).requiresGrad(true);
        Tensor r = x.slice(0, 0, 1, 3);
        assertThat(r.shape()).isEqualTo(Shape.of(1, 3));
        assertThat(r.toDoubleArray()).containsExactly(0, 1, 2);
        Tensor c = x.slice(1, 1, 100, 2);
        assertThat(c.shape()).isEqualTo(Shape.of(2, 1));
        assertThat(c.toDoubleArray()).containsExactly(1, 4);
        Tensor e = x.slice(new long[][] {{0, 5, 4}, {0, 3, 2}});
        assertThat(e.shape()).isEqualTo(Shape.of(1, 2));
        assertThat(e.toDoubleArray()).containsExactly(0, 2);
        r.sum().add(c.sum()).add(e.sum()).backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(2, 2, 2, 0, 1, 0);
    }

    // --------------------------------------------------------------------------------------------------- dtypes

    private static void intScalarPromotion(TensorBackend b) {
        Tensor two = b.tensor(new long[] {2}, 1);
        Tensor half = two.add(0.5);
        assertThat(half.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(half.item()).isEqualTo(2.5);
        Tensor three = b.tensor(new long[] {3}, 1);
        Tensor q = three.div(2.0);
        assertThat(q.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(q.item()).isEqualTo(1.5);
        assertThat(three.mul(2.5).item()).isEqualTo(7.5);
        assertThat(three.clampMin(3.5).item()).isEqualTo(3.5);
        Tensor four = two.add(2.0);
        assertThat(four.dtype()).isEqualTo(DType.INT64);
        assertThat(four.getLong(0)).isEqualTo(4);
        assertThat(three.rdiv(6).item()).isEqualTo(2.0);
        assertThat(three.rdiv(6).dtype()).isEqualTo(DType.FLOAT32);
    }

    private static void intTrueDivision(TensorBackend b) {
        Tensor r = b.tensor(new long[] {-3, 3, 7}, 3).div(b.tensor(new long[] {2}, 1));
        assertThat(r.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(r.toDoubleArray()).containsExactly(-1.5, 1.5, 3.5);
    }

    private static void intMeanRefused(TensorBackend b) {
        Tensor x = b.tensor(new long[] {1, 2}, 2);
        assertThatThrownBy(x::mean).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean")
                .hasMessageContaining("int64").hasMessageContaining("to(DType.FLOAT32)");
        assertThatThrownBy(() -> x.var()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("var");
        assertThatThrownBy(() -> x.std(new int[] {0}, false, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("std");
        assertThat(x.sum().getLong()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------------ gradients

    private static void powGradAtZero(TensorBackend b) {
        // torch: x = [0, 2, 0], y = [2, 0, 0]; (x ** y).sum().backward() -> x.grad [0, 0, 0], y.grad [0, ln 2, 0]
        Tensor x = b.tensor(new double[] {0, 2, 0}, 3).requiresGrad(true);
        Tensor y = b.tensor(new double[] {2, 0, 0}, 3).requiresGrad(true);
        Tensor r = x.pow(y);
        assertThat(r.toDoubleArray()).containsExactly(0, 1, 1);
        r.sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(new double[] {0, 0, 0}, TOL);
        assertThat(y.grad().toDoubleArray()).containsExactly(new double[] {0, Math.log(2), 0}, TOL);
    }

    private static void stdNormGradAtZero(TensorBackend b) {
        Tensor x = b.ones(4).requiresGrad(true);
        Tensor s = x.std(new int[] {0}, false, 1);
        assertThat(s.item()).isEqualTo(0.0);
        s.backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 0, 0, 0);
        Tensor z = b.tensor(new float[] {0, 0, 3, 4}, 2, 2).requiresGrad(true);
        Tensor n = z.norm(new int[] {1}, false);
        assertThat(n.toDoubleArray()).containsExactly(0, 5);
        n.sum().backward();
        assertThat(z.grad().toDoubleArray()).containsExactly(new double[] {0, 0, 0.6, 0.8}, TOL);
    }

    private static void crossEntropyAllIgnored(TensorBackend b) {
        Tensor logits = b.tensor(ramp(12, -1, 0.25), 3, 4).requiresGrad(true);
        Tensor target = b.tensor(new long[] {-100, -100, -100}, 3);
        Tensor loss = Losses.crossEntropy(logits, target, 0, Losses.NO_IGNORE, Reduction.MEAN);
        assertThat(loss.item()).isNaN();
        loss.backward();
        assertThat(logits.grad().toDoubleArray()).containsOnly(0.0);
        Tensor nll = Losses.nllLoss(logits.detach().requiresGrad(true), target, Losses.NO_IGNORE, Reduction.MEAN);
        assertThat(nll.item()).isNaN();
    }

    private static void emptyReductions(TensorBackend b) {
        Tensor x = b.zeros(0, 3).requiresGrad(true);
        Tensor m = x.mean(new int[] {0}, false);
        assertThat(m.shape()).isEqualTo(Shape.of(3));
        assertThat(m.toDoubleArray()).containsOnly(Double.NaN);
        Tensor s = x.sum(new int[] {0}, true);
        assertThat(s.shape()).isEqualTo(Shape.of(1, 3));
        assertThat(s.toDoubleArray()).containsOnly(0.0);
        assertThat(x.prod(new int[] {0}, false).toDoubleArray()).containsOnly(1.0);
        assertThat(x.mean(new int[] {1}, false).shape()).isEqualTo(Shape.of(0));
        assertThat(x.max(new int[] {1}, false).shape()).isEqualTo(Shape.of(0));
        assertThatThrownBy(() -> x.max(new int[] {0}, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max").hasMessageContaining("[0, 3]");
        m.sum().backward();
        assertThat(x.grad().shape()).isEqualTo(Shape.of(0, 3));
    }

    // ------------------------------------------------------------------------------------ found by the corpus

    private static void softmaxAxis1(TensorBackend b) {
        int n = 2;
        int c = 3;
        int hw = 4;
        double[] v = new double[n * c * hw];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i + 1) * 2;
        }
        double[] got = b.tensor(v, n, c, 2, 2).softmax(1).toDoubleArray();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < hw; k++) {
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    sum += Math.exp(v[(i * c + j) * hw + k]);
                }
                for (int j = 0; j < c; j++) {
                    int at = (i * c + j) * hw + k;
                    assertThat(got[at]).as("[%d,%d,%d]", i, j, k).isCloseTo(Math.exp(v[at]) / sum, TOL);
                }
            }
        }
    }

    private static void bceWithLogitsGradAtZero(TensorBackend b) {
        Tensor x = b.tensor(new double[] {0, 0, 1.5}, 3).requiresGrad(true);
        Tensor t = b.tensor(new double[] {0.25, 1, 0}, 3);
        Functional.bceWithLogits(x, t).backward();
        double s = 1 / (1 + Math.exp(-1.5));
        assertThat(x.grad().toDoubleArray()).containsExactly(new double[] {(0.5 - 0.25) / 3, (0.5 - 1) / 3, s / 3},
                TOL);
    }

    private static void prodGradWithZeros(TensorBackend b) {
        // torch: x = [[2, 0, 3], [0, 0, 5], [1, 2, 4]]; x.prod(1).sum().backward()
        //   -> grad [[0, 6, 0], [0, 0, 0], [8, 4, 2]]
        Tensor x = b.tensor(new double[] {2, 0, 3, 0, 0, 5, 1, 2, 4}, 3, 3).requiresGrad(true);
        Tensor p = x.prod(new int[] {1}, false);
        assertThat(p.toDoubleArray()).containsExactly(0, 0, 8);
        p.sum().backward();
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 6, 0, 0, 0, 0, 8, 4, 2);
    }

    private static void emptyOperands(TensorBackend b) {
        Tensor e = b.zeros(0, 3).requiresGrad(true);
        Tensor r = e.add(b.ones(3)).exp().permute(1, 0).softmax(0);
        assertThat(r.shape()).isEqualTo(Shape.of(3, 0));
        Tensor w = b.ones(3, 2).requiresGrad(true);
        Tensor m = e.permute(1, 0).matmul(b.zeros(0, 2)).add(e.sum(new int[] {0}, false).reshape(3, 1)).mul(w);
        assertThat(m.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(m.toDoubleArray()).containsOnly(0.0);
        m.sum().add(r.sum()).backward();
        assertThat(e.grad().shape()).isEqualTo(Shape.of(0, 3));
        assertThat(w.grad().toDoubleArray()).containsOnly(0.0);
    }

    private static void maskedFillBroadcasts(TensorBackend b) {
        Tensor x = b.tensor(new double[] {1, 2, 3}, 3, 1);
        Tensor mask = b.tensor(new boolean[] {true, false}, 2);
        Tensor r = x.maskedFill(mask, -1);
        assertThat(r.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(r.toDoubleArray()).containsExactly(-1, 1, -1, 2, -1, 3);
    }

    private static void comparisonBothExpand(TensorBackend b) {
        // r[i, j, 0, k] = a[0, j, 0, k] > c[i, j, 0, 0]
        Tensor a = b.tensor(new double[] {1, 2, 3, 4}, 1, 2, 1, 2);
        Tensor c = b.tensor(new double[] {0, 3, 2, 5}, 2, 2, 1, 1);
        Tensor r = a.gt(c);
        assertThat(r.shape()).isEqualTo(Shape.of(2, 2, 1, 2));
        assertThat(r.toBooleanArray()).containsExactly(true, true, false, true, false, false, false, false);
        assertThat(c.lt(a).toBooleanArray()).containsExactly(true, true, false, true, false, false, false, false);
    }

    // ------------------------------------------------------------------------------------------------- messages

    private static void crossEntropyTargetMessage(TensorBackend b) {
        Tensor logits = b.zeros(2, 3, 4);
        Tensor target = b.tensor(new long[10], 2, 5);
        assertThatThrownBy(() -> Functional.crossEntropy(logits, target)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("crossEntropy:").hasMessageContaining("[2, 5]")
                .hasMessageContaining("[2, 3, 4]").hasMessageContaining("[2, 4]").hasMessageNotContaining("gather");
        assertThatThrownBy(() -> Losses.crossEntropy(logits, target, 0, Losses.NO_IGNORE,
                Reduction.MEAN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("crossEntropy:").hasMessageContaining("[2, 5]");
    }

    private static void stackMessage(TensorBackend b) {
        Tensor p = b.zeros(2, 3);
        Tensor q = b.zeros(3, 2);
        assertThatThrownBy(() -> Tensors.stack(List.of(p, q), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack:").hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]")
                .hasMessageNotContaining("concat");
        assertThat(Tensors.stack(List.of(p, p), -1).shape()).isEqualTo(Shape.of(2, 3, 2));
    }

    private static void matmulVectorMessage(TensorBackend b) {
        Tensor u = b.zeros(3);
        Tensor v = b.zeros(4);
        assertThatThrownBy(() -> u.matmul(v)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("matmul:").hasMessageContaining("float32[3]")
                .hasMessageContaining("float32[4]").hasMessageNotContaining("[1, 3]");
        assertThatThrownBy(() -> b.zeros(2, 3).matmul(v)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float32[2, 3]").hasMessageContaining("float32[4]");
    }
}
