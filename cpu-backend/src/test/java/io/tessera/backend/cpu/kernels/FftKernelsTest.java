package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tessera.backend.cpu.kernels.FftKernels.Norm;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FftKernelsTest {

    static List<GoldenCase> complexCases() {
        return Goldens.cases("fft2", "ifft2");
    }

    static List<GoldenCase> rfftCases() {
        return Goldens.cases("rfft2_norm_backward", "rfft2_norm_ortho");
    }

    static List<GoldenCase> irfftCases() {
        return Goldens.cases("irfft2_norm_backward", "irfft2_norm_ortho");
    }

    private static Norm norm(GoldenCase c) {
        return Norm.of(c.attributes().path("norm").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("complexCases")
    void complexTransformsMatchGoldens(GoldenCase c) {
        INDArray re = Goldens.input(c, "x_real");
        INDArray im = Goldens.input(c, "x_imag");
        ComplexPair out = c.op().equals("fft2") ? FftKernels.fft2(re, im, norm(c)) : FftKernels.ifft2(re, im, norm(c));
        Goldens.checkOutput(c, "out_real", out.real());
        Goldens.checkOutput(c, "out_imag", out.imag());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfftCases")
    void realTransformMatchesGoldens(GoldenCase c) {
        ComplexPair out = FftKernels.rfft2(Goldens.input(c, "x"), norm(c));
        Goldens.checkOutput(c, "out_real", out.real());
        Goldens.checkOutput(c, "out_imag", out.imag());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("irfftCases")
    void inverseRealTransformAndItsGradientsMatchGoldens(GoldenCase c) {
        INDArray re = Goldens.input(c, "x_real");
        INDArray im = Goldens.input(c, "x_imag");
        int[] s = Goldens.ints(c, "s");
        Goldens.checkOutput(c, "out", FftKernels.irfft2(re, im, s, norm(c)));
        ComplexPair g = FftKernels.irfft2Backward(Goldens.upstream(c), re.shape(), norm(c));
        Goldens.checkGrad(c, "x_real", g.real());
        Goldens.checkGrad(c, "x_imag", g.imag());
    }

    @ParameterizedTest(name = "{0}x{1} {2}")
    @CsvSource({"4,8,backward", "5,7,ortho", "6,9,forward", "3,2,backward"})
    void inverseRealTransformUndoesRealTransform(int h, int w, String normName) {
        Nd4j.getRandom().setSeed(h * 31L + w);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, h, w);
        Norm norm = Norm.of(normName);
        ComplexPair spec = FftKernels.rfft2(x, norm);
        INDArray back = FftKernels.irfft2(spec.real(), spec.imag(), new int[] {h, w}, norm);
        new Tolerance(1e-4, 1e-5).check("irfft2(rfft2(x))", floats(back), floats(x));
        ComplexPair full = FftKernels.fft2(x, Nd4j.zerosLike(x), norm);
        ComplexPair inv = FftKernels.ifft2(full.real(), full.imag(), norm);
        new Tolerance(1e-4, 1e-5).check("ifft2(fft2(x))", floats(inv.real()), floats(x));
        new Tolerance(0, 1e-5).check("imaginary part of ifft2(fft2(x))", floats(inv.imag()), new float[(int) x.length()]);
    }

    /** For a linear map F, the backward pass B must satisfy {@code <F(x), g> = <x, B(g)>} for all x and g. */
    @ParameterizedTest(name = "{0}x{1} {2}")
    @CsvSource({"4,8,backward", "5,7,ortho", "6,6,forward"})
    void backwardPassesAreAdjointsOfTheTransforms(int h, int w, String normName) {
        Nd4j.getRandom().setSeed(h * 17L + w);
        Norm norm = Norm.of(normName);
        int l = w / 2 + 1;
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, h, w);
        INDArray xi = Nd4j.randn(DataType.FLOAT, 2, h, w);
        INDArray gr = Nd4j.randn(DataType.FLOAT, 2, h, l);
        INDArray gi = Nd4j.randn(DataType.FLOAT, 2, h, l);
        ComplexPair f = FftKernels.rfft2(x, norm);
        assertClose(dot(f.real(), gr) + dot(f.imag(), gi), dot(x, FftKernels.rfft2Backward(gr, gi, w, norm)));

        INDArray gy = Nd4j.randn(DataType.FLOAT, 2, h, w);
        INDArray y = FftKernels.irfft2(gr, gi, new int[] {h, w}, norm);
        ComplexPair gz = FftKernels.irfft2Backward(gy, gr.shape(), norm);
        assertClose(dot(y, gy), dot(gr, gz.real()) + dot(gi, gz.imag()));

        INDArray hr = Nd4j.randn(DataType.FLOAT, 2, h, w);
        INDArray hi = Nd4j.randn(DataType.FLOAT, 2, h, w);
        ComplexPair fwd = FftKernels.fft2(x, xi, norm);
        ComplexPair fb = FftKernels.fft2Backward(hr, hi, norm);
        assertClose(dot(fwd.real(), hr) + dot(fwd.imag(), hi), dot(x, fb.real()) + dot(xi, fb.imag()));
        ComplexPair inv = FftKernels.ifft2(x, xi, norm);
        ComplexPair ib = FftKernels.ifft2Backward(hr, hi, norm);
        assertClose(dot(inv.real(), hr) + dot(inv.imag(), hi), dot(x, ib.real()) + dot(xi, ib.imag()));
    }

    @ParameterizedTest(name = "s={0}x{1}")
    @CsvSource({"6,8", "3,5", "4,4"})
    void inverseRealTransformCropsOrPadsTheSpectrumToTheRequestedSize(int h, int w) {
        Nd4j.getRandom().setSeed(h * 7L + w);
        INDArray re = Nd4j.randn(DataType.FLOAT, 4, 4);
        INDArray im = Nd4j.randn(DataType.FLOAT, 4, 4);
        INDArray gy = Nd4j.randn(DataType.FLOAT, h, w);
        INDArray y = FftKernels.irfft2(re, im, new int[] {h, w}, Norm.BACKWARD);
        assertThat(y.shape()).containsExactly(h, w);
        ComplexPair gz = FftKernels.irfft2Backward(gy, re.shape(), Norm.BACKWARD);
        assertClose(dot(y, gy), dot(re, gz.real()) + dot(im, gz.imag()));
    }

    @ParameterizedTest(name = "{0} rows")
    @CsvSource({"6", "2"})
    void inverseRealTransformOfARequestedHeightEqualsThatOfAZeroPaddedOrCroppedSpectrum(int h) {
        Nd4j.getRandom().setSeed(h);
        INDArray re = Nd4j.randn(DataType.FLOAT, 2, 4, 5);
        INDArray im = Nd4j.randn(DataType.FLOAT, 2, 4, 5);
        INDArray pr = Nd4j.zeros(DataType.FLOAT, 2, h, 5);
        INDArray pi = Nd4j.zeros(DataType.FLOAT, 2, h, 5);
        int rows = Math.min(4, h);
        org.nd4j.linalg.indexing.INDArrayIndex[] keep = {org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows), org.nd4j.linalg.indexing.NDArrayIndex.all()};
        pr.get(keep).assign(re.get(keep));
        pi.get(keep).assign(im.get(keep));
        INDArray direct = FftKernels.irfft2(re, im, new int[] {h, 8}, Norm.BACKWARD);
        INDArray padded = FftKernels.irfft2(pr, pi, new int[] {h, 8}, Norm.BACKWARD);
        new Tolerance(1e-4, 1e-5).check("irfft2 with s=[" + h + ", 8]", floats(direct), floats(padded));
    }

    private static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    private static void assertClose(double a, double b) {
        assertThat(a).isCloseTo(b, within(1e-4 * Math.max(1, Math.abs(b))));
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').castTo(DataType.FLOAT).data().asFloat();
    }
}
