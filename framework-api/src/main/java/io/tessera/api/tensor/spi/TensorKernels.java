package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.UnaryOp;
import java.util.List;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The kernels of a tensor backend: what a backend author implements.
 *
 * <p><b>Primitive core.</b> The 17 abstract methods are the core every backend implements: upload/download
 * ({@link #fromDoubles}, {@link #fromLongs}, {@link #toDoubles}, {@link #toLongs}), {@link #assign} (the one in-place
 * write), {@link #cast}, elementwise {@link #unary} and {@link #binary} (NumPy broadcasting), {@link #reduce}, layout
 * ({@link #reshape}, {@link #permute}, {@link #broadcastTo}, {@link #concat}, {@link #slice}), indexing
 * ({@link #gather}, {@link #scatterAdd}) and batched {@link #matmul}. A backend that implements only these passes the
 * whole conformance suite ({@code io.tessera.testkit.reference.ReferenceKernels} in the test kit does exactly that).
 *
 * <p><b>Defaults.</b> Every other kernel has a default composed from the core: scalar ops, {@code where}, argmax,
 * top-k and cumsum, embedding/index kernels, softmax, convolution (im2col by slices and matmul, col2im by
 * embed-and-add), pooling, interpolation and adaptive pooling (as products with interpolation matrices), batch and
 * layer norm and their backward kernels, FFTs (as products with DFT matrices), and linear algebra (on the host, in
 * double). Override any of them for speed; an override must agree with its default within float32 rounding, and a
 * backend that overrides {@link #layerNorm} overrides {@link #layerNormBackward} too (the statistics it saves are
 * passed back only to its own backward kernel).
 *
 * <p><b>Fused kernels.</b> {@link #reluBackward} and {@link #matmul(TensorStorage, boolean, TensorStorage, boolean)}
 * are named fusions: the API calls them where the pattern occurs (ReLU's gradient, transposed operands of a matmul's
 * gradient or of {@code linear}), so a backend fuses by overriding a kernel, never by recognising a formula.
 *
 * <p><b>Contract.</b> Kernels receive only storages this backend created, with validated arguments: ranks, shapes and
 * dtypes agree, axes are non-negative and in range. Every kernel returns new storage and never modifies its inputs,
 * except {@link #assign} and the {@code *InPlace} and {@link #setDouble} kernels. A kernel may be called from several
 * threads as long as each storage is used by one thread at a time.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface TensorKernels {

    /** The provider name of this backend, e.g. {@code cpu}. */
    String name();

    /** The device this backend's memory lives on. */
    Device device();

    /** Free-form capability tags ({@code float64}, {@code fft}, ...); none by default. */
    default Set<String> capabilities() {
        return Set.of();
    }

    /** Releases resources held by the backend itself (not the storages, which their tensors close). */
    default void close() {
    }

    // ======================================================================================== primitive core (17)

    /** Uploads {@code data} (row-major) as {@code dtype} (float32 rounds; bool is {@code v != 0}; int64 truncates). */
    TensorStorage fromDoubles(double[] data, Shape shape, DType dtype);

    /** Uploads int64 data exactly. */
    TensorStorage fromLongs(long[] data, Shape shape);

    /** Downloads as doubles (bool is 0/1). */
    double[] toDoubles(TensorStorage s);

    /** Downloads as longs (floats truncate toward zero; bool is 0/1). */
    long[] toLongs(TensorStorage s);

    /** Copies {@code src} into {@code dst}; {@code src}'s shape broadcasts to {@code dst}'s, dtypes are equal. */
    void assign(TensorStorage dst, TensorStorage src);

    /** A converted copy (a plain copy when the dtype is the same; to bool: {@code v != 0}). */
    TensorStorage cast(TensorStorage s, DType dtype);

    /** {@code op(x)} elementwise; int64 input only for NEG, ABS, SIGN, SQUARE, RELU, bool only for NOT. */
    TensorStorage unary(UnaryOp op, TensorStorage x);

    /**
     * {@code op(a, b)} elementwise with NumPy broadcasting; {@code a} and {@code b} arrive with equal rank and the
     * same dtype; comparisons and AND/OR give bool; int64 and bool compute exactly (int64 DIV truncates; the API
     * never asks for it, since true division of integers promotes to float32, docs/tensor-api.md "dtype rules").
     */
    TensorStorage binary(BinaryOp op, TensorStorage a, TensorStorage b);

    /**
     * Reduces over {@code axes} (sorted, distinct, non-empty) of a non-empty {@code x}; int64 input gives int64 (the
     * API refuses MEAN of int64 before it gets here, as PyTorch does).
     */
    TensorStorage reduce(ReduceOp op, TensorStorage x, int[] axes, boolean keepDim);

    /** The same elements in row-major order with a new shape of equal size. */
    TensorStorage reshape(TensorStorage x, Shape shape);

    /** Output axis {@code i} is input axis {@code perm[i]}. */
    TensorStorage permute(TensorStorage x, int[] perm);

    /** {@code x} broadcast (materialised) to {@code shape}. */
    TensorStorage broadcastTo(TensorStorage x, Shape shape);

    /** Concatenation along {@code axis}; all inputs have the same rank and dtype and agree on other axes. */
    TensorStorage concat(List<TensorStorage> xs, int axis);

    /**
     * {@code x[start0:stop0:step0, ...]} for every axis ({@code step > 0}, {@code 0 <= start <= stop <= dim}, and
     * {@code stop} one past the last element taken, so a step never runs past the end).
     */
    TensorStorage slice(TensorStorage x, long[] start, long[] stop, long[] step);

    /** {@code out[..., i, ...] = x[..., index[..., i, ...], ...]} along {@code axis} (torch.gather); int64 index. */
    TensorStorage gather(TensorStorage x, int axis, TensorStorage index);

    /** Zeros of {@code shape}, then {@code out[..., index[...], ...] += src[...]} along {@code axis}. */
    TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src);

    /** Matrix product of the last two axes, batch axes broadcast (both ranks {@code >= 2}, floating point). */
    TensorStorage matmul(TensorStorage a, TensorStorage b);

    // ================================================================================ defaults: storage and values

    /** Uploads float32 data. */
    default TensorStorage fromFloats(float[] data, Shape shape) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return fromDoubles(d, shape, DType.FLOAT32);
    }

    /** Uploads bool data. */
    default TensorStorage fromBooleans(boolean[] data, Shape shape) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i] ? 1 : 0;
        }
        return fromDoubles(d, shape, DType.BOOL);
    }

    /** New storage filled with one value (converted to the dtype; non-zero is true for bool). */
    default TensorStorage filled(Shape shape, DType dtype, double value) {
        if (dtype == DType.INT64) {
            long[] l = new long[shape.intSize()];
            java.util.Arrays.fill(l, (long) value);
            return fromLongs(l, shape);
        }
        double[] d = new double[shape.intSize()];
        java.util.Arrays.fill(d, value);
        return fromDoubles(d, shape, dtype);
    }

    /** Downloads as floats. */
    default float[] toFloats(TensorStorage s) {
        double[] d = toDoubles(s);
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** One element by flat row-major index, as a double. */
    default double getDouble(TensorStorage s, long flatIndex) {
        try (Scratch sc = new Scratch(this)) {
            return toDoubles(sc.t(Compose.element(this, sc, s, flatIndex)))[0];
        }
    }

    /** One element by flat row-major index, exact for int64. */
    default long getLong(TensorStorage s, long flatIndex) {
        try (Scratch sc = new Scratch(this)) {
            return toLongs(sc.t(Compose.element(this, sc, s, flatIndex)))[0];
        }
    }

    /** Writes one element by flat row-major index. */
    default void setDouble(TensorStorage s, long flatIndex, double value) {
        Compose.setDouble(this, s, flatIndex, value);
    }

    // =============================================================================== defaults: elementwise

    /** {@code op(x, value)} elementwise; arithmetic keeps the dtype (int64 computes in float64 and truncates). */
    default TensorStorage scalar(ScalarOp op, TensorStorage x, double value) {
        return Compose.scalar(this, op, x, value);
    }

    /** {@code target = op(target, other)}, {@code other} broadcast to {@code target}'s shape. */
    default void binaryInPlace(BinaryOp op, TensorStorage target, TensorStorage other) {
        try (TensorStorage r = binary(op, target, other)) {
            assign(target, r);
        }
    }

    /** {@code target = op(target, value)}. */
    default void scalarInPlace(ScalarOp op, TensorStorage target, double value) {
        try (TensorStorage r = scalar(op, target, value)) {
            assign(target, r);
        }
    }

    /** {@code cond ? a : b}, all three broadcast together; {@code cond} is bool (no arithmetic: NaN never leaks). */
    default TensorStorage where(TensorStorage cond, TensorStorage a, TensorStorage b) {
        return Compose.where(this, cond, a, b);
    }

    /** Fused ReLU gradient: {@code g * (x > 0)}; {@code x} and {@code g} have one shape and dtype. */
    default TensorStorage reluBackward(TensorStorage x, TensorStorage g) {
        try (Scratch sc = new Scratch(this)) {
            TensorStorage mask = sc.t(cast(sc.t(scalar(ScalarOp.GT, x, 0)), g.dtype()));
            return binary(BinaryOp.MUL, g, mask);
        }
    }

    // =============================================================================== defaults: reductions

    /** Index (int64) of the maximum along {@code axis}; the first one on ties. */
    default TensorStorage argMax(TensorStorage x, int axis, boolean keepDim) {
        return Compose.argMax(this, x, axis, keepDim);
    }

    /**
     * The {@code k} largest (or smallest) values along {@code axis}, sorted, and their int64 positions (stable: the
     * lower position first on ties). The default ranks by pairwise comparison, O(n^2) memory along the axis.
     */
    default StoragePair topK(TensorStorage x, int k, int axis, boolean largest) {
        return Compose.topK(this, x, k, axis, largest);
    }

    /** Inclusive cumulative sum along {@code axis}; from the end when {@code reverse}. */
    default TensorStorage cumsum(TensorStorage x, int axis, boolean reverse) {
        return Compose.cumsum(this, x, axis, reverse);
    }

    // ======================================================================================= defaults: layout

    /**
     * The inverse of {@link #slice}: a new tensor of {@code outShape} filled with {@code fill}, with
     * {@code out[start + i*step] = x[i]} on every axis. Serves {@code pad} and the gradient of {@code slice}.
     */
    default TensorStorage embed(TensorStorage x, Shape outShape, long[] start, long[] step, double fill) {
        return Compose.embed(this, x, outShape, start, step, fill);
    }

    /** Selects slices {@code index[k]} (int64, rank 1) along {@code axis}. */
    default TensorStorage indexSelect(TensorStorage x, int axis, TensorStorage index) {
        try (Scratch sc = new Scratch(this)) {
            TensorStorage idx = Compose.expandIndex(this, sc, index, x.shape().with(axis, index.shape().dim(0)), axis);
            return gather(x, axis, idx);
        }
    }

    /** Zeros of {@code shape}, then slice {@code index[k]} along {@code axis} += slice {@code k} of {@code src}. */
    default TensorStorage indexAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        try (Scratch sc = new Scratch(this)) {
            TensorStorage idx = Compose.expandIndex(this, sc, index, src.shape(), axis);
            return scatterAdd(shape, axis, idx, src);
        }
    }

    // =============================================================================== defaults: linear algebra

    /**
     * Fused transposes: {@code op(a) @ op(b)} where {@code op} swaps the last two axes when its flag is set (the
     * operand shapes are the untransposed ones).
     */
    default TensorStorage matmul(TensorStorage a, boolean transposeA, TensorStorage b, boolean transposeB) {
        try (Scratch sc = new Scratch(this)) {
            TensorStorage x = transposeA ? sc.t(permute(a, Compose.swapLastTwo(a.shape().rank()))) : a;
            TensorStorage y = transposeB ? sc.t(permute(b, Compose.swapLastTwo(b.shape().rank()))) : b;
            return matmul(x, y);
        }
    }

    /** Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix {@code [n, n]} (lower triangle). */
    default StoragePair eigh(TensorStorage a) {
        return HostLinalg.eigh(this, a);
    }

    /** Singular values of {@code [m, n]}, descending. */
    default TensorStorage svdvals(TensorStorage a) {
        return HostLinalg.svdvals(this, a);
    }

    /** Inverse of a square matrix. */
    default TensorStorage inv(TensorStorage a) {
        return HostLinalg.inv(this, a);
    }

    // ============================================================================================ defaults: nn

    /** Softmax (or log-softmax) along {@code axis}, computed stably. */
    default TensorStorage softmax(TensorStorage x, int axis, boolean log) {
        return NnCompose.softmax(this, x, axis, log);
    }

    /** 2-D convolution, NCHW input, OIHW weight, optional bias {@code [C_out]}. */
    default TensorStorage conv2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                 int[] padding, int[] dilation, int groups) {
        return ConvCompose.conv2d(this, x, weight, bias, stride, padding, dilation, groups);
    }

    /** Gradients of {@link #conv2d} w.r.t. input, weight and (when {@code hasBias}) bias. */
    default ConvGrads conv2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias, TensorStorage gradOut,
                                     int[] stride, int[] padding, int[] dilation, int groups) {
        return ConvCompose.conv2dBackward(this, x, weight, hasBias, gradOut, stride, padding, dilation, groups);
    }

    /** Transposed 2-D convolution, NCHW input, IOHW weight {@code [C_in, C_out/groups, kH, kW]}. */
    default TensorStorage convTranspose2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                          int[] padding, int[] outputPadding, int[] dilation, int groups) {
        return ConvCompose.convTranspose2d(this, x, weight, bias, stride, padding, outputPadding, dilation, groups);
    }

    /** Gradients of {@link #convTranspose2d}. */
    default ConvGrads convTranspose2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias,
                                              TensorStorage gradOut, int[] stride, int[] padding,
                                              int[] outputPadding, int[] dilation, int groups) {
        return ConvCompose.convTranspose2dBackward(this, x, weight, hasBias, gradOut, stride, padding, outputPadding,
                dilation, groups);
    }

    /** Max pooling: values and int64 arg-max indices flat in each input H*W plane ({@code h*W + w}). */
    default StoragePair maxPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                  boolean ceilMode) {
        return PoolCompose.maxPool2d(this, x, kernel, stride, padding, dilation, ceilMode);
    }

    /** Routes {@code gradOut} to the arg-max positions given by {@code indices}; result has {@code inputShape}. */
    default TensorStorage maxPool2dBackward(TensorStorage gradOut, TensorStorage indices, Shape inputShape) {
        return PoolCompose.maxPool2dBackward(this, gradOut, indices, inputShape);
    }

    /** Average pooling. */
    default TensorStorage avgPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                    boolean countIncludePad) {
        return PoolCompose.avgPool2d(this, x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Gradient of {@link #avgPool2d}. */
    default TensorStorage avgPool2dBackward(TensorStorage gradOut, Shape inputShape, int[] kernel, int[] stride,
                                            int[] padding, boolean ceilMode, boolean countIncludePad) {
        return PoolCompose.avgPool2dBackward(this, gradOut, inputShape, kernel, stride, padding, ceilMode,
                countIncludePad);
    }

    /** Adaptive average pooling to {@code outputSize = [oH, oW]}. */
    default TensorStorage adaptiveAvgPool2d(TensorStorage x, int[] outputSize) {
        return PoolCompose.resample(this, x, PoolCompose.adaptiveMatrices(x.shape(), outputSize), false);
    }

    /** Gradient of {@link #adaptiveAvgPool2d}. */
    default TensorStorage adaptiveAvgPool2dBackward(TensorStorage gradOut, Shape inputShape) {
        int[] out = {(int) gradOut.shape().dim(2), (int) gradOut.shape().dim(3)};
        return PoolCompose.resample(this, gradOut, PoolCompose.adaptiveMatrices(inputShape, out), true);
    }

    /** Resamples NCHW input to {@code outputSize = [oH, oW]}. */
    default TensorStorage interpolate(TensorStorage x, int[] outputSize, InterpolationMode mode,
                                      boolean alignCorners) {
        return PoolCompose.resample(this, x,
                PoolCompose.interpolationMatrices(x.shape(), outputSize, mode, alignCorners), false);
    }

    /** Gradient of {@link #interpolate}. */
    default TensorStorage interpolateBackward(TensorStorage gradOut, Shape inputShape, InterpolationMode mode,
                                              boolean alignCorners) {
        int[] out = {(int) gradOut.shape().dim(2), (int) gradOut.shape().dim(3)};
        return PoolCompose.resample(this, gradOut,
                PoolCompose.interpolationMatrices(inputShape, out, mode, alignCorners), true);
    }

    /**
     * Training-mode batch norm over all axes but 1: output plus the batch mean and biased variance per channel.
     * {@code weight} and {@code bias} ({@code [C]}) may be null.
     */
    default NormResult batchNormTrain(TensorStorage x, TensorStorage weight, TensorStorage bias, double eps) {
        return NnCompose.batchNormTrain(this, x, weight, bias, eps);
    }

    /** Eval-mode batch norm with the given statistics ({@code [C]}); {@code weight}, {@code bias} may be null. */
    default TensorStorage batchNormEval(TensorStorage x, TensorStorage weight, TensorStorage bias,
                                        TensorStorage mean, TensorStorage var, double eps) {
        return NnCompose.batchNormEval(this, x, weight, bias, mean, var, eps);
    }

    /**
     * Gradients of batch norm. {@code training}: the statistics were the batch's (gradient flows through them);
     * otherwise they were constants. {@code dweight}/{@code dbias} are null when {@code weight} is null.
     */
    default NormGrads batchNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight,
                                        TensorStorage mean, TensorStorage var, double eps, boolean training) {
        return NnCompose.batchNormBackward(this, gradOut, x, weight, mean, var, eps, training);
    }

    /**
     * Layer norm over the last {@code normalizedRank} axes: output plus the statistics its backward kernel reads
     * (the default saves mean and biased variance with the leading axes' shape). {@code weight}, {@code bias} (the
     * trailing shape) may be null.
     */
    default NormResult layerNorm(TensorStorage x, TensorStorage weight, TensorStorage bias, int normalizedRank,
                                 double eps) {
        return NnCompose.layerNorm(this, x, weight, bias, normalizedRank, eps);
    }

    /** Gradients of {@link #layerNorm}, given the statistics it returned. */
    default NormGrads layerNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight,
                                        TensorStorage mean, TensorStorage var, int normalizedRank, double eps) {
        return NnCompose.layerNormBackward(this, gradOut, x, weight, mean, var, normalizedRank, eps);
    }

    // =========================================================================================== defaults: fft

    /** Complex 2-D DFT over the last two axes of {@code (re, im)}; inverse uses {@code exp(+i...)}. */
    default StoragePair fft2(TensorStorage re, TensorStorage im, boolean inverse, FftNorm norm) {
        return FftCompose.fft2(this, re, im, inverse, norm);
    }

    /** One-sided 2-D DFT of a real input over the last two axes: {@code [..., H, W/2+1]} real and imaginary parts. */
    default StoragePair rfft2(TensorStorage x, FftNorm norm) {
        return FftCompose.rfft2(this, x, norm);
    }

    /** Inverse of {@link #rfft2} to real {@code [..., H, W]} (pocketfft C2R semantics; {@code size = [H, W]}). */
    default TensorStorage irfft2(TensorStorage re, TensorStorage im, int[] size, FftNorm norm) {
        return FftCompose.irfft2(this, re, im, size, norm);
    }

    // ============================================================================================ wrappers

    /**
     * A view of {@code kernels} that forwards only the primitive core, so every other kernel runs its default
     * composition (on {@code kernels}' core). The conformance suite runs the CPU backend through it to prove the
     * defaults; {@code -Dtessera.cpu.defaultsOnly=true} selects it for the CPU provider.
     */
    static TensorKernels coreOnly(TensorKernels kernels) {
        return new CoreOnlyKernels(kernels);
    }

    // ============================================================================================ results

    /**
     * Two storages produced by one kernel.
     *
     * @param first  first result
     * @param second second result
     */
    record StoragePair(TensorStorage first, TensorStorage second) {
    }

    /**
     * Convolution gradients.
     *
     * @param dx input gradient
     * @param dw weight gradient
     * @param db bias gradient, null without bias
     */
    record ConvGrads(TensorStorage dx, TensorStorage dw, TensorStorage db) {
    }

    /**
     * A normalisation's output and the statistics it saved.
     *
     * @param out  normalised output
     * @param mean mean per group
     * @param var  biased variance per group (for layer norm: whatever the backend's backward kernel reads)
     */
    record NormResult(TensorStorage out, TensorStorage mean, TensorStorage var) {
    }

    /**
     * Normalisation gradients.
     *
     * @param dx      input gradient
     * @param dweight weight gradient, null without weight
     * @param dbias   bias gradient, null without bias
     */
    record NormGrads(TensorStorage dx, TensorStorage dweight, TensorStorage dbias) {
    }
}
