package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D discrete Fourier transforms over the last two dims (leading dims are batch), PyTorch {@code torch.fft}
 * semantics: {@code fft2}, {@code ifft2}, {@code rfft2} (one-sided, {@code W/2+1} columns) and {@code irfft2}
 * (complex-to-real with output size {@code s}), with norms {@code backward}, {@code ortho} and {@code forward}, and the
 * exact backward (vector-Jacobian product) of each.
 *
 * <p>ND4J has no FFT op, so each transform is two separable DFT-matrix products (SGEMM): along the last dim, then
 * along the second-to-last. The matrices are built in double from exact integer angles {@code (j*k) mod n} and cached
 * per size. This is O(HW(H+W)) instead of O(HW log HW), which GEMM throughput makes fast for the sizes used here
 * (up to about 128).
 *
 * <p>Every transform is linear, so each backward is the adjoint: the conjugate-transposed DFT matrices, applied in
 * reverse order with the forward's scale. For {@code irfft2} this reproduces PyTorch's C2R semantics (README): the
 * imaginary parts of column 0 and, for even W, column W/2 are ignored after the transform along H (their rows of
 * the C2R matrix are zero), and columns beyond {@code W/2+1} are cropped (or missing ones zero-padded).
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class FftKernels {

    /** Scaling convention of a transform pair, as in {@code torch.fft}'s {@code norm} argument. */
    public enum Norm {
        /** Forward unscaled, inverse scaled by {@code 1/n} (the default). */
        BACKWARD,
        /** Both scaled by {@code 1/sqrt(n)}. */
        ORTHO,
        /** Forward scaled by {@code 1/n}, inverse unscaled. */
        FORWARD;

        /** Parses {@code "backward"}, {@code "ortho"} or {@code "forward"}; null means backward. */
        public static Norm of(String name) {
            if (name == null) {
                return BACKWARD;
            }
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fft norm '" + name + "' is unknown; use backward, ortho or forward",
                        e);
            }
        }

        double scale(long n, boolean inverse) {
            return switch (this) {
                case BACKWARD -> inverse ? 1.0 / n : 1.0;
                case ORTHO -> 1.0 / Math.sqrt(n);
                case FORWARD -> inverse ? 1.0 : 1.0 / n;
            };
        }
    }

    /** The real and imaginary part matrices of a DFT stage. */
    private record Mat(INDArray a, INDArray b) {
    }

    private static final Map<String, Mat> CACHE = new ConcurrentHashMap<>();

    private FftKernels() {
    }

    // ---------------------------------------------------------------- forward transforms

    /** Complex 2-D FFT: {@code out[k,l] = sum x[h,w] exp(-2 pi i (kh/H + lw/W))}, scaled per {@code norm}. */
    public static ComplexPair fft2(INDArray re, INDArray im, Norm norm) {
        return complex2d("fft2", re, im, -1, norm.scale(planeSize(re), false), true);
    }

    /** Complex inverse 2-D FFT (sign +), scaled per {@code norm}. */
    public static ComplexPair ifft2(INDArray re, INDArray im, Norm norm) {
        return complex2d("ifft2", re, im, +1, norm.scale(planeSize(re), true), true);
    }

    /** Real-input 2-D FFT, one-sided: {@code [..., H, W/2+1]}. */
    public static ComplexPair rfft2(INDArray x, Norm norm) {
        String op = "rfft2";
        long[] shape = requireRank2(op, "x", x);
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int l = w / 2 + 1;
        int batch = (int) (x.length() / ((long) h * w));
        Mat mw = cis(w, w, l, -1);
        INDArray x2 = KernelArrays.dense(x).reshape('c', (long) batch * h, w);
        INDArray yr = gemm(x2, mw.a(), false);
        INDArray yi = gemm(x2, mw.b(), false);
        INDArray[] z = alongRows(yr.reshape('c', batch, h, l), yi.reshape('c', batch, h, l), cis(h, h, h, -1), true,
                norm.scale((long) h * w, false));
        return finish(z, withLast(shape, l));
    }

    /**
     * Complex-to-real inverse 2-D FFT with output size {@code s = [H_out, W_out]} (null: {@code [H, 2*(L-1)]} for an
     * input {@code [..., H, L]}), PyTorch/pocketfft semantics.
     */
    public static INDArray irfft2(INDArray re, INDArray im, int[] s, Norm norm) {
        String op = "irfft2";
        long[] shape = requireComplex(op, re, im);
        int hin = (int) shape[shape.length - 2];
        int lin = (int) shape[shape.length - 1];
        int[] size = outputSize(op, hin, lin, s);
        int hout = size[0];
        int wout = size[1];
        int batch = (int) (re.length() / ((long) hin * lin));
        INDArray[] y = alongRows(KernelArrays.dense(re).reshape('c', batch, hin, lin),
                KernelArrays.dense(im).reshape('c', batch, hin, lin), cis(hout, hin, hout, +1), true, 1.0);
        Mat c2r = c2r(wout, lin);
        INDArray yr = y[0].reshape('c', (long) batch * hout, lin);
        INDArray yi = y[1].reshape('c', (long) batch * hout, lin);
        double scale = norm.scale((long) hout * wout, true);
        INDArray out = gemm(yr, c2r.a(), false, scale);
        Nd4j.gemm(yi, c2r.b(), out, false, false, scale, 1.0);
        long[] outShape = shape.clone();
        outShape[shape.length - 2] = hout;
        outShape[shape.length - 1] = wout;
        return out.reshape('c', outShape);
    }

    // ---------------------------------------------------------------- backward (vector-Jacobian products)

    /** Gradient of {@link #fft2} with respect to the real and imaginary parts of its input. */
    public static ComplexPair fft2Backward(INDArray gradRe, INDArray gradIm, Norm norm) {
        return complex2d("fft2 backward", gradRe, gradIm, +1, norm.scale(planeSize(gradRe), false), false);
    }

    /** Gradient of {@link #ifft2} with respect to the real and imaginary parts of its input. */
    public static ComplexPair ifft2Backward(INDArray gradRe, INDArray gradIm, Norm norm) {
        return complex2d("ifft2 backward", gradRe, gradIm, -1, norm.scale(planeSize(gradRe), true), false);
    }

    /**
     * Gradient of {@link #rfft2} with respect to its real input of width {@code width}, given the gradients of the
     * real and imaginary parts of its one-sided output {@code [..., H, width/2+1]}.
     */
    public static INDArray rfft2Backward(INDArray gradRe, INDArray gradIm, int width, Norm norm) {
        String op = "rfft2 backward";
        long[] shape = requireComplex(op, gradRe, gradIm);
        int h = (int) shape[shape.length - 2];
        int l = (int) shape[shape.length - 1];
        KernelArrays.require(l == width / 2 + 1, op + ": gradient width " + l + " does not match input width " + width
                + " (expected " + (width / 2 + 1) + " columns)");
        int batch = (int) (gradRe.length() / ((long) h * l));
        // adjoint of the H stage: conjugate (sign +) matrix, not transposed
        INDArray[] p = alongRows(KernelArrays.dense(gradRe).reshape('c', batch, h, l),
                KernelArrays.dense(gradIm).reshape('c', batch, h, l), cis(h, h, h, +1), false, 1.0);
        Mat mw = cis(width, width, l, -1);
        INDArray pr = p[0].reshape('c', (long) batch * h, l);
        INDArray pi = p[1].reshape('c', (long) batch * h, l);
        double scale = norm.scale((long) h * width, false);
        INDArray gx = gemm(pr, mw.a(), true, scale);
        Nd4j.gemm(pi, mw.b(), gx, false, true, scale, 1.0);
        return gx.reshape('c', withLast(shape, width));
    }

    /**
     * Gradient of {@link #irfft2} with respect to the real and imaginary parts of its input of shape
     * {@code inputShape}, given the gradient of its real output {@code [..., H_out, W_out]}.
     */
    public static ComplexPair irfft2Backward(INDArray gradOut, long[] inputShape, Norm norm) {
        String op = "irfft2 backward";
        long[] gs = requireRank2(op, "gradOut", gradOut);
        KernelArrays.require(inputShape.length == gs.length, op + ": input shape " + Arrays.toString(inputShape)
                + " and gradOut " + Arrays.toString(gs) + " differ in rank");
        int hout = (int) gs[gs.length - 2];
        int wout = (int) gs[gs.length - 1];
        int hin = (int) inputShape[inputShape.length - 2];
        int lin = (int) inputShape[inputShape.length - 1];
        int batch = (int) (gradOut.length() / ((long) hout * wout));
        Mat c2r = c2r(wout, lin);
        INDArray g2 = KernelArrays.dense(gradOut).reshape('c', (long) batch * hout, wout);
        INDArray gyr = gemm(g2, c2r.a(), true);
        INDArray gyi = gemm(g2, c2r.b(), true);
        INDArray[] gz = alongRows(gyr.reshape('c', batch, hout, lin), gyi.reshape('c', batch, hout, lin),
                cis(hout, hin, hout, -1), false, norm.scale((long) hout * wout, true));
        return finish(gz, inputShape);
    }

    // ---------------------------------------------------------------- stages

    /**
     * Complex 2-D transform with kernel {@code exp(sign * 2 pi i ...)} along both axes. The full DFT matrices are
     * symmetric, so the forward and adjoint orientation only differ in the sign, which the caller chooses.
     */
    private static ComplexPair complex2d(String op, INDArray re, INDArray im, int sign, double scale,
                                         boolean forwardOrientation) {
        long[] shape = requireComplex(op, re, im);
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int batch = (int) (re.length() / ((long) h * w));
        Mat mw = cis(w, w, w, sign);
        INDArray xr = KernelArrays.dense(re).reshape('c', (long) batch * h, w);
        INDArray xi = KernelArrays.dense(im).reshape('c', (long) batch * h, w);
        INDArray yr = gemm(xr, mw.a(), false);
        Nd4j.gemm(xi, mw.b(), yr, false, false, -1.0, 1.0);
        INDArray yi = gemm(xr, mw.b(), false);
        Nd4j.gemm(xi, mw.a(), yi, false, false, 1.0, 1.0);
        INDArray[] z = alongRows(yr.reshape('c', batch, h, w), yi.reshape('c', batch, h, w), cis(h, h, h, sign),
                forwardOrientation, scale);
        return finish(z, shape);
    }

    /**
     * Applies a complex matrix {@code K = a + ib} ({@code [rowsIn, rowsOut]}) along dim 1 of {@code [B, rowsIn, L]}:
     * {@code Z = scale * K^T Y} when {@code transposeK}, else {@code Z = scale * K Y} (then K is {@code [rowsOut,
     * rowsIn]}).
     *
     * <p>One batched {@code matmul} per real product, with K seen through a stride-0 batch view: no copy of K per
     * plane and no transposes of the data (ND4J's permute copies were the slowest part of this transform).
     */
    private static INDArray[] alongRows(INDArray yr, INDArray yi, Mat k, boolean transposeK, double scale) {
        long b = yr.size(0);
        long l = yr.size(2);
        long rout = transposeK ? k.a().size(1) : k.a().size(0);
        INDArray ka = batchView(k.a(), b);
        INDArray kb = batchView(k.b(), b);
        INDArray zr = Nd4j.createUninitialized(DataType.FLOAT, new long[] {b, rout, l}, 'c');
        INDArray zi = Nd4j.createUninitialized(DataType.FLOAT, new long[] {b, rout, l}, 'c');
        batchedMatmul(ka, yr, zr, transposeK, scale, 0.0);
        batchedMatmul(kb, yi, zr, transposeK, -scale, 1.0);
        batchedMatmul(kb, yr, zi, transposeK, scale, 0.0);
        batchedMatmul(ka, yi, zi, transposeK, scale, 1.0);
        return new INDArray[] {zr, zi};
    }

    /** {@code m} repeated {@code b} times along a new leading dim, as a view with stride 0 (no copy). */
    private static INDArray batchView(INDArray m, long b) {
        return Nd4j.create(m.data(), new long[] {b, m.size(0), m.size(1)}, new long[] {0, m.size(1), 1}, 0, 'c');
    }

    /** {@code z = alpha * op(x) @ y + beta * z} for every batch entry. */
    private static void batchedMatmul(INDArray x, INDArray y, INDArray z, boolean transposeX, double alpha,
                                      double beta) {
        Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(x, y).addOutputs(z)
                .addFloatingPointArguments(alpha, beta).addIntegerArguments(transposeX ? 1 : 0, 0, 0).build());
    }

    /** {@code a @ op(m)} into a new C-ordered array ({@code INDArray.mmul} returns F order, which costs a copy). */
    private static INDArray gemm(INDArray a, INDArray m, boolean transposeM) {
        return gemm(a, m, transposeM, 1.0);
    }

    /** {@code alpha * a @ op(m)} into a new C-ordered array. */
    private static INDArray gemm(INDArray a, INDArray m, boolean transposeM, double alpha) {
        long cols = transposeM ? m.size(0) : m.size(1);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {a.size(0), cols}, 'c');
        Nd4j.gemm(a, m, c, false, transposeM, alpha, 0.0);
        return c;
    }

    private static ComplexPair finish(INDArray[] z, long[] shape) {
        return new ComplexPair(z[0].reshape('c', shape), z[1].reshape('c', shape));
    }

    /**
     * DFT stage matrix of transform length {@code n}, {@code rows x cols}: {@code a[j][k] = cos(2 pi jk/n)},
     * {@code b[j][k] = sign * sin(2 pi jk/n)}; rows {@code j >= n} are zero (zero padding / cropping).
     */
    private static Mat cis(int n, int rows, int cols, int sign) {
        return CACHE.computeIfAbsent("cis:" + n + ":" + rows + ":" + cols + ":" + sign, key -> {
            float[] a = new float[rows * cols];
            float[] b = new float[rows * cols];
            for (int j = 0; j < Math.min(rows, n); j++) {
                for (int k = 0; k < cols; k++) {
                    double t = 2 * Math.PI * (((long) j * k) % n) / n;
                    a[j * cols + k] = (float) Math.cos(t);
                    b[j * cols + k] = (float) (sign * Math.sin(t));
                }
            }
            return new Mat(KernelArrays.array(a, rows, cols), KernelArrays.array(b, rows, cols));
        });
    }

    /**
     * C2R matrices {@code [rows, w]} for a one-sided spectrum with {@code rows} columns: {@code y = Zr a + Zi b} with
     * {@code a[l][t] = c_l cos(2 pi lt/w)}, {@code b[l][t] = -c_l sin(2 pi lt/w)}, {@code c_l = 1} for {@code l = 0}
     * and {@code l = w/2} (w even), 2 otherwise, and zero rows for {@code l > w/2} (cropped columns).
     */
    private static Mat c2r(int w, int rows) {
        return CACHE.computeIfAbsent("c2r:" + w + ":" + rows, key -> {
            float[] a = new float[rows * w];
            float[] b = new float[rows * w];
            for (int l = 0; l < Math.min(rows, w / 2 + 1); l++) {
                double c = l == 0 || (w % 2 == 0 && l == w / 2) ? 1 : 2;
                for (int t = 0; t < w; t++) {
                    double ang = 2 * Math.PI * (((long) l * t) % w) / w;
                    a[l * w + t] = (float) (c * Math.cos(ang));
                    b[l * w + t] = (float) (-c * Math.sin(ang));
                }
            }
            return new Mat(KernelArrays.array(a, rows, w), KernelArrays.array(b, rows, w));
        });
    }

    // ---------------------------------------------------------------- checks

    private static long[] requireRank2(String op, String name, INDArray a) {
        KernelArrays.require(a != null && a.rank() >= 2, op + ": '" + name + "' needs at least two dims (the last two"
                + " are transformed) but has shape " + (a == null ? "null" : Arrays.toString(a.shape())));
        KernelArrays.require(a.length() > 0, op + ": '" + name + "' is empty");
        return a.shape();
    }

    private static long[] requireComplex(String op, INDArray re, INDArray im) {
        long[] s = requireRank2(op, "real", re);
        KernelArrays.require(im != null && Arrays.equals(s, im.shape()), op + ": real " + Arrays.toString(s)
                + " and imag " + (im == null ? "null" : Arrays.toString(im.shape())) + " parts must have one shape");
        return s;
    }

    private static long planeSize(INDArray a) {
        return a.size(a.rank() - 2) * a.size(a.rank() - 1);
    }

    private static long[] withLast(long[] shape, long last) {
        long[] out = shape.clone();
        out[out.length - 1] = last;
        return out;
    }

    private static int[] outputSize(String op, int hin, int lin, int[] s) {
        if (s == null) {
            KernelArrays.require(lin >= 2, op + ": cannot infer the output width from " + lin + " columns; pass s");
            return new int[] {hin, 2 * (lin - 1)};
        }
        KernelArrays.require(s.length == 2 && s[0] >= 1 && s[1] >= 1, op + ": s must be two positive sizes [H, W] but"
                + " is " + Arrays.toString(s));
        return s;
    }
}
