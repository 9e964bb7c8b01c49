package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;

/**
 * Default 2-D DFTs as products with DFT matrices: the last axis by {@code X F_W}, the second-to-last by
 * {@code F_H X}, complex products written out in real and imaginary parts. O(n^2) per axis, exact to float rounding.
 */
final class FftCompose {
    private FftCompose() {
    }

    /** {@code [rows, cols]} matrix with {@code m[r][c] = f(angle(r c))}, angle {@code 2 pi (r c mod n) / n}. */
    private static double[] trig(int rows, int cols, int n, boolean sine, double scale) {
        double[] m = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double a = 2 * Math.PI * (((long) r * c) % n) / n;
                m[r * cols + c] = scale * (sine ? Math.sin(a) : Math.cos(a));
            }
        }
        return m;
    }

    private record Complex(TensorStorage re, TensorStorage im) {
    }

    /** {@code (a + ib) @ (c + id)} with the complex matrix on the right ({@code right}) or on the left. */
    private static Complex product(TensorKernels k, Scratch sc, Complex x, TensorStorage fr, TensorStorage fi,
                                   boolean right) {
        TensorStorage rr = sc.t(right ? k.matmul(x.re, fr) : k.matmul(fr, x.re));
        TensorStorage ii = x.im == null ? null : sc.t(right ? k.matmul(x.im, fi) : k.matmul(fi, x.im));
        TensorStorage ri = sc.t(right ? k.matmul(x.re, fi) : k.matmul(fi, x.re));
        TensorStorage ir = x.im == null ? null : sc.t(right ? k.matmul(x.im, fr) : k.matmul(fr, x.im));
        TensorStorage re = ii == null ? rr : sc.t(k.binary(BinaryOp.SUB, rr, ii));
        TensorStorage im = ir == null ? ri : sc.t(k.binary(BinaryOp.ADD, ri, ir));
        return new Complex(re, im);
    }

    private static TensorStorage scaled(TensorKernels k, TensorStorage x, double s) {
        return k.scalar(ScalarOp.MUL, x, s);
    }

    static TensorKernels.StoragePair fft2(TensorKernels k, TensorStorage re, TensorStorage im, boolean inverse,
                                          FftNorm norm) {
        Shape s = re.shape();
        int h = (int) s.dim(-2);
        int w = (int) s.dim(-1);
        DType dt = re.dtype();
        double sign = inverse ? 1 : -1;
        try (Scratch sc = new Scratch(k)) {
            Complex x = new Complex(re, im);
            Complex y = product(k, sc, x, sc.doubles(trig(w, w, w, false, 1), Shape.of(w, w), dt),
                    sc.doubles(trig(w, w, w, true, sign), Shape.of(w, w), dt), true);
            Complex z = product(k, sc, y, sc.doubles(trig(h, h, h, false, 1), Shape.of(h, h), dt),
                    sc.doubles(trig(h, h, h, true, sign), Shape.of(h, h), dt), false);
            double f = norm.scale((long) h * w, inverse);
            return new TensorKernels.StoragePair(scaled(k, z.re, f), scaled(k, z.im, f));
        }
    }

    static TensorKernels.StoragePair rfft2(TensorKernels k, TensorStorage x, FftNorm norm) {
        Shape s = x.shape();
        int h = (int) s.dim(-2);
        int w = (int) s.dim(-1);
        int half = w / 2 + 1;
        DType dt = x.dtype();
        try (Scratch sc = new Scratch(k)) {
            Complex y = product(k, sc, new Complex(x, null),
                    sc.doubles(trig(w, half, w, false, 1), Shape.of(w, half), dt),
                    sc.doubles(trig(w, half, w, true, -1), Shape.of(w, half), dt), true);
            Complex z = product(k, sc, y, sc.doubles(trig(h, h, h, false, 1), Shape.of(h, h), dt),
                    sc.doubles(trig(h, h, h, true, -1), Shape.of(h, h), dt), false);
            double f = norm.scale((long) h * w, false);
            return new TensorKernels.StoragePair(scaled(k, z.re, f), scaled(k, z.im, f));
        }
    }

    static TensorStorage irfft2(TensorKernels k, TensorStorage re, TensorStorage im, int[] size, FftNorm norm) {
        int h = size[0];
        int w = size[1];
        int half = w / 2 + 1;
        DType dt = re.dtype();
        // C2R along W: x[n] = sum_k c_k (Re X_k cos(2 pi k n / W) - Im X_k sin(2 pi k n / W)), c_k = 2 for the
        // columns whose mirror is not stored; the sine vanishes at k = 0 and k = W/2, so their imaginary parts drop.
        double[] cr = new double[half * w];
        double[] ci = new double[half * w];
        for (int kk = 0; kk < half; kk++) {
            double c = kk == 0 || (w % 2 == 0 && kk == w / 2) ? 1 : 2;
            for (int n = 0; n < w; n++) {
                double a = 2 * Math.PI * (((long) kk * n) % w) / w;
                cr[kk * w + n] = c * Math.cos(a);
                ci[kk * w + n] = kk == 0 || (w % 2 == 0 && kk == w / 2) ? 0 : -c * Math.sin(a);
            }
        }
        try (Scratch sc = new Scratch(k)) {
            Complex z = product(k, sc, new Complex(re, im), sc.doubles(trig(h, h, h, false, 1), Shape.of(h, h), dt),
                    sc.doubles(trig(h, h, h, true, 1), Shape.of(h, h), dt), false);
            TensorStorage a = sc.t(k.matmul(z.re, sc.doubles(cr, Shape.of(half, w), dt)));
            TensorStorage b = sc.t(k.matmul(z.im, sc.doubles(ci, Shape.of(half, w), dt)));
            TensorStorage x = sc.t(k.binary(BinaryOp.ADD, a, b));
            return scaled(k, x, norm.scale((long) h * w, true));
        }
    }
}
