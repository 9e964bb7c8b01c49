package io.tessera.api.tensor;

import io.tessera.api.tensor.spi.TensorKernels;
import org.apiguardian.api.API;

/**
 * Two-dimensional discrete Fourier transforms over the last two axes (leading axes are batch), with NumPy/PyTorch
 * sign and scaling conventions: forward {@code exp(-2 pi i (kh/H + lw/W))}, inverse {@code exp(+...)}, scaled per
 * {@link FftNorm}. Complex values are {@link ComplexTensor} pairs. All transforms are differentiable: being linear,
 * each one's gradient is its adjoint transform with the {@link FftNorm#dual() dual} scaling.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Fft {
    private Fft() {
    }

    /** Complex forward transform. */
    public static ComplexTensor fft2(ComplexTensor x, FftNorm norm) {
        return c2c("fft2", x, false, norm);
    }

    /** Complex inverse transform. */
    public static ComplexTensor ifft2(ComplexTensor x, FftNorm norm) {
        return c2c("ifft2", x, true, norm);
    }

    /** Forward transform of a real tensor (full spectrum). */
    public static ComplexTensor fft2(Tensor x, FftNorm norm) {
        try (TensorScope sc = Tensors.scope()) {
            ComplexTensor c = new ComplexTensor(x, x.backend().zeros(x.shape(), x.dtype()));
            ComplexTensor r = fft2(c, norm);
            sc.keep(r.real());
            sc.keep(r.imag());
            return r;
        }
    }

    private static ComplexTensor c2c(String op, ComplexTensor x, boolean inverse, FftNorm norm) {
        check(op, x.real());
        TensorBackend be = x.real().backend();
        TensorKernels.StoragePair p = be.kernels.fft2(x.real().live(op, "real"), x.imag().live(op, "imag"), inverse, norm);
        Tensor re = Tensor.wrap(be, p.first());
        Tensor im = Tensor.wrap(be, p.second());
        Tensor[] ins = {x.real(), x.imag()};
        // The adjoint of a (scaled) DFT is the opposite-direction DFT with the dual scaling; each output part's node
        // applies it to its own gradient with the other part zero, and the engine sums the two contributions.
        Autograd.record(op, re, ins, g -> adjoint(be, g, null, !inverse, norm.dual()));
        Autograd.record(op, im, ins, g -> adjoint(be, null, g, !inverse, norm.dual()));
        return new ComplexTensor(re, im);
    }

    private static Tensor[] adjoint(TensorBackend be, Tensor gRe, Tensor gIm, boolean inverse, FftNorm norm) {
        Tensor ref = gRe != null ? gRe : gIm;
        Tensor zero = be.zeros(ref.shape(), ref.dtype());
        Tensor re = gRe != null ? gRe : zero;
        Tensor im = gIm != null ? gIm : zero;
        TensorKernels.StoragePair p = be.kernels.fft2(re.live("fft2 backward", "grad"), im.live("fft2 backward", "grad"),
                inverse, norm);
        return new Tensor[] {Tensor.wrap(be, p.first()), Tensor.wrap(be, p.second())};
    }

    /** One-sided transform of a real tensor: {@code [..., H, W/2 + 1]}. */
    public static ComplexTensor rfft2(Tensor x, FftNorm norm) {
        String op = "rfft2";
        check(op, x);
        TensorBackend be = x.backend();
        TensorKernels.StoragePair p = be.kernels.rfft2(x.live(op, "x"), norm);
        Tensor re = Tensor.wrap(be, p.first());
        Tensor im = Tensor.wrap(be, p.second());
        Shape full = x.shape();
        Autograd.record(op, re, new Tensor[] {x}, g -> new Tensor[] {rfftAdjoint(be, g, null, full, norm)});
        Autograd.record(op, im, new Tensor[] {x}, g -> new Tensor[] {rfftAdjoint(be, null, g, full, norm)});
        return new ComplexTensor(re, im);
    }

    private static Tensor rfftAdjoint(TensorBackend be, Tensor gRe, Tensor gIm, Shape full, FftNorm norm) {
        // rfft2 = the first W/2+1 columns of fft2(x): its adjoint zero-pads the gradient to the full width, applies
        // the fft2 adjoint, and keeps the real part because the input was real.
        Tensor ref = gRe != null ? gRe : gIm;
        int r = full.rank();
        long[] start = new long[r];
        long[] step = new long[r];
        java.util.Arrays.fill(step, 1);
        Tensor zero = be.zeros(full, ref.dtype());
        Tensor re = gRe != null ? gRe.embed(full, start, step, 0) : zero;
        Tensor im = gIm != null ? gIm.embed(full, start, step, 0) : zero;
        TensorKernels.StoragePair p = be.kernels.fft2(re.live("rfft2 backward", "grad"), im.live("rfft2 backward", "grad"),
                true, norm.dual());
        p.second().close();
        return Tensor.wrap(be, p.first());
    }

    /**
     * Real inverse of a one-sided spectrum {@code [..., H, W/2 + 1]} to a real {@code [..., H, W]}, with pocketfft
     * C2R semantics (the imaginary parts of column 0 and, for even W, column W/2 are ignored after the H transform).
     */
    public static Tensor irfft2(ComplexTensor x, long h, long w, FftNorm norm) {
        String op = "irfft2";
        check(op, x.real());
        long half = w / 2 + 1;
        if (x.shape().dim(-2) != h || x.shape().dim(-1) != half) {
            throw new IllegalArgumentException(op + ": a half spectrum for output size [" + h + ", " + w
                    + "] must be [..., " + h + ", " + half + "], got " + x.real().describe());
        }
        TensorBackend be = x.real().backend();
        Tensor out = Tensor.wrap(be, be.kernels.irfft2(x.real().live(op, "real"), x.imag().live(op, "imag"),
                new int[] {Math.toIntExact(h), Math.toIntExact(w)}, norm));
        return Autograd.record(op, out, new Tensor[] {x.real(), x.imag()}, g -> {
            // PyTorch's fft_c2r_backward: an R2C transform of the gradient with the dual scaling, then the columns
            // whose Hermitian mirror lies outside the half spectrum (1 .. W - (W/2+1)) count twice.
            TensorKernels.StoragePair p = be.kernels.rfft2(g.live("irfft2 backward", "grad"), norm.dual());
            Tensor gr = Tensor.wrap(be, p.first());
            Tensor gi = Tensor.wrap(be, p.second());
            long dbl = w - half;
            if (dbl > 0) {
                float[] colScale = new float[(int) half];
                for (int c = 0; c < half; c++) {
                    colScale[c] = c >= 1 && c <= dbl ? 2f : 1f;
                }
                Tensor scale = be.tensor(colScale, half).to(gr.dtype());
                gr = gr.mul(scale);
                gi = gi.mul(scale);
            }
            return new Tensor[] {gr, gi};
        });
    }

    private static void check(String op, Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": needs at least 2 axes, got " + x.describe());
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + x.describe());
        }
        x.live(op, "x");
    }
}
