package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinalgKernelsTest {

    static List<GoldenCase> eighCases() {
        return Goldens.cases("eigh");
    }

    static List<GoldenCase> svdCases() {
        return Goldens.cases("svdvals");
    }

    static List<GoldenCase> invCases() {
        return Goldens.cases("inv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eighCases")
    void eighMatchesGoldenValuesVectorsAndReconstruction(GoldenCase c) {
        INDArray a = Goldens.input(c, "a");
        LinalgKernels.EighResult r = LinalgKernels.eigh(a);
        Goldens.checkOutput(c, "eigenvalues", r.eigenvalues());
        // the kernel already applies the README's sign rule (largest |entry| of each column positive)
        Goldens.checkOutput(c, "eigenvectors", r.eigenvectors());
        INDArray v = r.eigenvectors();
        INDArray rec = v.mulRowVector(r.eigenvalues()).mmul(v.transpose());
        Goldens.checkOutput(c, "reconstruction", rec);
        INDArray desc = Nd4j.reverse(r.eigenvalues().dup());
        Goldens.checkOutput(c, "explained_variance_ratio", desc.div(desc.sumNumber().doubleValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("svdCases")
    void svdvalsMatchGoldens(GoldenCase c) {
        Goldens.checkOutput(c, "singular_values", LinalgKernels.svdvals(Goldens.input(c, "a")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invCases")
    void invMatchesGoldens(GoldenCase c) {
        Goldens.checkOutput(c, "out", LinalgKernels.inv(Goldens.input(c, "a")));
    }

    @Test
    void batchedInverseTimesInputIsIdentity() {
        Nd4j.getRandom().setSeed(5);
        INDArray a = Nd4j.randn(DataType.FLOAT, 3, 5, 5).addi(Nd4j.eye(5).castTo(DataType.FLOAT).reshape(1, 5, 5)
                .broadcast(3, 5, 5).mul(4));
        INDArray inv = LinalgKernels.inv(a);
        Tolerance t = new Tolerance(0, 1e-5);
        for (int i = 0; i < 3; i++) {
            INDArray ai = a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
            INDArray p = ai.mmul(inv.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)));
            t.check("a @ inv(a) of matrix " + i, p.dup('c').data().asFloat(),
                    Nd4j.eye(5).castTo(DataType.FLOAT).data().asFloat());
        }
    }

    @Test
    void singularMatrixIsReportedNotInverted() {
        INDArray a = Nd4j.create(new float[] {1, 2, 2, 4}, new long[] {2, 2});
        assertThatThrownBy(() -> LinalgKernels.inv(a)).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("singular");
    }

    @Test
    void float64InputsKeepDoublePrecision() {
        // eigenvalues 1 and 1 + 1e-12, singular values and inverse entries that float32 would round away
        double eps = 1e-12;
        INDArray a = Nd4j.create(new double[] {1, 0, 0, 1 + eps}, new long[] {2, 2}, 'c');
        LinalgKernels.EighResult r = LinalgKernels.eigh(a);
        org.assertj.core.api.Assertions.assertThat(r.eigenvalues().dataType()).isEqualTo(DataType.DOUBLE);
        org.assertj.core.api.Assertions.assertThat(r.eigenvalues().toDoubleVector()).containsExactly(1, 1 + eps);
        org.assertj.core.api.Assertions.assertThat(LinalgKernels.svdvals(a).toDoubleVector())
                .containsExactly(1 + eps, 1);
        org.assertj.core.api.Assertions.assertThat(LinalgKernels.inv(a).getDouble(1, 1))
                .isEqualTo(1 / (1 + eps));
        // float32 inputs still come back float32
        INDArray f = a.castTo(DataType.FLOAT);
        org.assertj.core.api.Assertions.assertThat(LinalgKernels.eigh(f).eigenvalues().dataType())
                .isEqualTo(DataType.FLOAT);
        org.assertj.core.api.Assertions.assertThat(LinalgKernels.inv(f).dataType()).isEqualTo(DataType.FLOAT);
    }
}
