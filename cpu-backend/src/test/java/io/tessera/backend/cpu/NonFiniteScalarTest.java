package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A scalar operand that is NaN or infinite gives IEEE results, as in PyTorch: {@code x * NaN} is NaN, {@code x / inf}
 * is ±0, {@code clamp_min(x, NaN)} is NaN. ND4J's scalar ops lose a NaN scalar ({@code x.mul(NaN)} came back as
 * {@code 1e-5 * x}), so the backend computes these in Java.
 */
class NonFiniteScalarTest {
    static TensorBackend be;
    static final double[] X = {-2.5, -1, -0.0, 0.0, 0.5, 3, 1e30};

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void arithmeticWithANonFiniteScalarIsIeee(double s) {
        check("add", s, Tensor::add, Double::sum);
        check("sub", s, Tensor::sub, (x, v) -> x - v);
        check("rsub", s, Tensor::rsub, (x, v) -> v - x);
        check("mul", s, Tensor::mul, (x, v) -> x * v);
        check("div", s, Tensor::div, (x, v) -> x / v);
        check("rdiv", s, Tensor::rdiv, (x, v) -> v / x);
        check("clampMin", s, Tensor::clampMin, Math::max);
        check("clampMax", s, Tensor::clampMax, Math::min);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void comparisonsWithANonFiniteScalarFollowIeee(double s) {
        try (TensorScope scope = Tensors.scope()) {
            for (boolean f32 : new boolean[] {true, false}) {
                Tensor x = f32 ? be.tensor(floats(X), X.length) : be.tensor(X.clone(), X.length);
                boolean[] gt = x.gt(s).toBooleanArray();
                boolean[] ne = x.ne(s).toBooleanArray();
                boolean[] eq = x.eq(s).toBooleanArray();
                for (int i = 0; i < X.length; i++) {
                    assertThat(gt[i]).as("%s > %s", X[i], s).isEqualTo(X[i] > s);
                    assertThat(ne[i]).as("%s != %s", X[i], s).isEqualTo(X[i] != s);
                    assertThat(eq[i]).as("%s == %s", X[i], s).isEqualTo(X[i] == s);
                }
            }
        }
    }

    private static void check(String name, double s, BiFunction<Tensor, Double, Tensor> op,
                              DoubleBinaryOperator expected) {
        try (TensorScope scope = Tensors.scope()) {
            double[] got64 = op.apply(be.tensor(X.clone(), X.length), s).toDoubleArray();
            float[] got32 = op.apply(be.tensor(floats(X), X.length), s).toFloatArray();
            for (int i = 0; i < X.length; i++) {
                double e = expected.applyAsDouble(X[i], s);
                // boxed: NaN equals NaN, and -0.0 differs from 0.0
                assertThat(Double.valueOf(got64[i])).as("float64 %s(%s, %s)", name, X[i], s).isEqualTo(Double.valueOf(e));
                float e32 = (float) expected.applyAsDouble((float) X[i], (float) s);
                assertThat(Float.valueOf(got32[i])).as("float32 %s(%s, %s)", name, (float) X[i], s).isEqualTo(Float.valueOf(e32));
            }
        }
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
