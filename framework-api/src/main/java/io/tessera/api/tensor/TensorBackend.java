package io.tessera.api.tensor;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A tensor backend: memory on one {@link Device} and the kernels that compute on it.
 *
 * <p><b>For users</b>, a backend is the factory of tensors ({@link #tensor(float[], long...)}, {@link #zeros},
 * {@link #full}, ...); every op on a tensor then runs on the backend that made it. There is no global default
 * backend: the host injects one, tests create one from a {@link TensorBackendProvider}.
 *
 * <p><b>For backend authors</b>, the abstract methods are the kernels: forward kernels and the backward kernels that
 * cannot be composed from other ops (convolution, pooling, interpolation, normalisation). They work on opaque
 * {@link TensorStorage} handles that this backend created; everything else (autograd, broadcasting gradients,
 * composite ops, losses, argument checks) lives above this interface in {@link Tensor}, so each kernel may assume its
 * arguments were validated: ranks, shapes and dtypes agree, axes are non-negative and in range. Every kernel returns
 * new storage and never modifies its inputs, except the {@code *InPlace} and {@code assign}/{@code set} kernels.
 * Backends must be usable from several threads as long as each storage is used by one thread at a time.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface TensorBackend extends AutoCloseable {

    /** The provider name of this backend, e.g. {@code cpu}. */
    String name();

    /** The device this backend's memory lives on. */
    Device device();

    /** Releases resources held by the backend itself (not the tensors, which their owners close). */
    @Override
    void close();

    // ------------------------------------------------------------------------------------------------ user factories

    /** A float32 tensor with the given row-major data; {@code data.length} must equal the shape's size. */
    default Tensor tensor(float[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.FLOAT32, data.length,
                s -> fromFloats(data, s));
    }

    /** A float64 tensor with the given row-major data. */
    default Tensor tensor(double[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.FLOAT64, data.length,
                s -> fromDoubles(data, s));
    }

    /** An int64 tensor with the given row-major data. */
    default Tensor tensor(long[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.INT64, data.length, s -> fromLongs(data, s));
    }

    /** A bool tensor with the given row-major data. */
    default Tensor tensor(boolean[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.BOOL, data.length,
                s -> fromBooleans(data, s));
    }

    /** A float32 tensor of the given shape filled with {@code value}. */
    default Tensor full(Shape shape, DType dtype, double value) {
        return Tensor.wrap(this, filled(shape, dtype, value));
    }

    /** A float32 scalar (rank 0). */
    default Tensor scalar(double value) {
        return full(Shape.SCALAR, DType.FLOAT32, value);
    }

    /** A scalar of the given dtype. */
    default Tensor scalar(double value, DType dtype) {
        return full(Shape.SCALAR, dtype, value);
    }

    /** Zeros of a shape and dtype. */
    default Tensor zeros(Shape shape, DType dtype) {
        return full(shape, dtype, 0);
    }

    /** float32 zeros. */
    default Tensor zeros(long... shape) {
        return full(Shape.of(shape), DType.FLOAT32, 0);
    }

    /** Ones of a shape and dtype. */
    default Tensor ones(Shape shape, DType dtype) {
        return full(shape, dtype, 1);
    }

    /** float32 ones. */
    default Tensor ones(long... shape) {
        return full(Shape.of(shape), DType.FLOAT32, 1);
    }

    /** {@code [0, 1, ..., n-1]} as int64. */
    default Tensor arange(long n) {
        long[] v = new long[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return tensor(v, n);
    }

    /** A copy of {@code t} on this backend (through host memory when the backends differ). */
    default Tensor copyOf(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> tensor(t.toFloatArray(), t.shape().dims());
            case FLOAT64 -> tensor(t.toDoubleArray(), t.shape().dims());
            case INT64 -> tensor(t.toLongArray(), t.shape().dims());
            case BOOL -> tensor(t.toBooleanArray(), t.shape().dims());
        };
    }

    // ------------------------------------------------------------------------------------------- kernels: storage

    /** Uploads float32 data. */
    TensorStorage fromFloats(float[] data, Shape shape);

    /** Uploads float64 data. */
    TensorStorage fromDoubles(double[] data, Shape shape);

    /** Uploads int64 data. */
    TensorStorage fromLongs(long[] data, Shape shape);

    /** Uploads bool data. */
    TensorStorage fromBooleans(boolean[] data, Shape shape);

    /** New storage filled with one value (converted to the dtype; non-zero is true for bool). */
    TensorStorage filled(Shape shape, DType dtype, double value);

    /** Downloads as floats (converting other dtypes; bool is 0/1). */
    float[] toFloats(TensorStorage s);

    /** Downloads as doubles. */
    double[] toDoubles(TensorStorage s);

    /** Downloads as longs (floats truncate toward zero; bool is 0/1). */
    long[] toLongs(TensorStorage s);

    /** One element by flat row-major index, as a double. */
    double getDouble(TensorStorage s, long flatIndex);

    /** One int64 element by flat row-major index (exact for int64 storage). */
    long getLong(TensorStorage s, long flatIndex);

    /** Writes one element by flat row-major index. */
    void setDouble(TensorStorage s, long flatIndex, double value);

    /** Copies {@code src} into {@code dst}; {@code src}'s shape broadcasts to {@code dst}'s, dtypes are equal. */
    void assign(TensorStorage dst, TensorStorage src);

    /** A converted copy (a plain copy when the dtype is the same). */
    TensorStorage cast(TensorStorage s, DType dtype);

    // --------------------------------------------------------------------------------------- kernels: elementwise

    /** {@code op(x)} elementwise. */
    TensorStorage unary(UnaryOp op, TensorStorage x);

    /** {@code op(x, value)} elementwise. */
    TensorStorage scalar(ScalarOp op, TensorStorage x, double value);

    /** {@code op(a, b)} elementwise with NumPy broadcasting; {@code a} and {@code b} arrive with equal rank. */
    TensorStorage binary(BinaryOp op, TensorStorage a, TensorStorage b);

    /** {@code target = op(target, other)}, {@code other} broadcast to {@code target}'s shape. */
    void binaryInPlace(BinaryOp op, TensorStorage target, TensorStorage other);

    /** {@code target = op(target, value)}. */
    void scalarInPlace(ScalarOp op, TensorStorage target, double value);

    /** {@code cond ? a : b}, all three broadcast together; {@code cond} is bool. */
    TensorStorage where(TensorStorage cond, TensorStorage a, TensorStorage b);

    // ---------------------------------------------------------------------------------------- kernels: reductions

    /** Reduces over {@code axes} (sorted, distinct, non-empty) of a non-empty {@code x}. */
    TensorStorage reduce(ReduceOp op, TensorStorage x, int[] axes, boolean keepDim);

    /** Index (int64) of the maximum along {@code axis}; the first one on ties. */
    TensorStorage argMax(TensorStorage x, int axis, boolean keepDim);

    /** The {@code k} largest (or smallest) values along {@code axis}, sorted, and their int64 positions. */
    StoragePair topK(TensorStorage x, int k, int axis, boolean largest);

    /** Inclusive cumulative sum along {@code axis}; from the end when {@code reverse}. */
    TensorStorage cumsum(TensorStorage x, int axis, boolean reverse);

    // --------------------------------------------------------------------------------------------- kernels: shape

    /** The same elements in row-major order with a new shape of equal size. */
    TensorStorage reshape(TensorStorage x, Shape shape);

    /** Output axis {@code i} is input axis {@code perm[i]}. */
    TensorStorage permute(TensorStorage x, int[] perm);

    /** {@code x} broadcast (materialised) to {@code shape}. */
    TensorStorage broadcastTo(TensorStorage x, Shape shape);

    /** Concatenation along {@code axis}; all inputs have the same rank and agree on other axes. */
    TensorStorage concat(List<TensorStorage> xs, int axis);

    /**
     * {@code x[start0:stop0:step0, ...]} for every axis ({@code step > 0}, bounds in range, and {@code stop} one past
     * the last element taken, so it never runs past the end).
     */
    TensorStorage slice(TensorStorage x, long[] start, long[] stop, long[] step);

    /**
     * The inverse of {@link #slice}: a new tensor of {@code outShape} filled with {@code fill}, with
     * {@code out[start + i*step] = x[i]} on every axis. Serves {@code pad} and the gradient of {@code slice}.
     */
    TensorStorage embed(TensorStorage x, Shape outShape, long[] start, long[] step, double fill);

    // ------------------------------------------------------------------------------------------ kernels: indexing

    /** {@code out[..., i, ...] = x[..., index[..., i, ...], ...]} along {@code axis} (torch.gather); int64 index. */
    TensorStorage gather(TensorStorage x, int axis, TensorStorage index);

    /** Zeros of {@code shape}, then {@code out[..., index[...], ...] += src[...]} along {@code axis}. */
    TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src);

    /** Selects slices {@code index[k]} (int64, rank 1) along {@code axis}. */
    TensorStorage indexSelect(TensorStorage x, int axis, TensorStorage index);

    /** Zeros of {@code shape}, then slice {@code index[k]} along {@code axis} += slice {@code k} of {@code src}. */
    TensorStorage indexAdd(Shape shape, int axis, TensorStorage index, TensorStorage src);

    // -------------------------------------------------------------------------------------- kernels: linear algebra

    /** Matrix product of the last two axes, batch axes broadcast (both ranks {@code >= 2}). */
    TensorStorage matmul(TensorStorage a, TensorStorage b);

    /** Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix {@code [n, n]}. */
    StoragePair eigh(TensorStorage a);

    /** Singular values of {@code [m, n]}, descending. */
    TensorStorage svdvals(TensorStorage a);

    /** Inverse of a square matrix. */
    TensorStorage inv(TensorStorage a);

    // ---------------------------------------------------------------------------------------------- kernels: nn

    /** Softmax (or log-softmax) along {@code axis}, computed stably. */
    TensorStorage softmax(TensorStorage x, int axis, boolean log);

    /** 2-D convolution, NCHW input, OIHW weight, optional bias {@code [C_out]}. */
    TensorStorage conv2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride, int[] padding,
                         int[] dilation, int groups);

    /** Gradients of {@link #conv2d} w.r.t. input, weight and (when {@code hasBias}) bias. */
    ConvGrads conv2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias, TensorStorage gradOut,
                             int[] stride, int[] padding, int[] dilation, int groups);

    /** Transposed 2-D convolution, NCHW input, IOHW weight {@code [C_in, C_out/groups, kH, kW]}. */
    TensorStorage convTranspose2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                  int[] padding, int[] outputPadding, int[] dilation, int groups);

    /** Gradients of {@link #convTranspose2d}. */
    ConvGrads convTranspose2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias, TensorStorage gradOut,
                                      int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups);

    /** Max pooling: values and int64 arg-max indices flat in each input H*W plane ({@code h*W + w}). */
    StoragePair maxPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                          boolean ceilMode);

    /** Routes {@code gradOut} to the arg-max positions given by {@code indices}; result has {@code inputShape}. */
    TensorStorage maxPool2dBackward(TensorStorage gradOut, TensorStorage indices, Shape inputShape);

    /** Average pooling. */
    TensorStorage avgPool2d(TensorStorage x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                            boolean countIncludePad);

    /** Gradient of {@link #avgPool2d}. */
    TensorStorage avgPool2dBackward(TensorStorage gradOut, Shape inputShape, int[] kernel, int[] stride,
                                    int[] padding, boolean ceilMode, boolean countIncludePad);

    /** Adaptive average pooling to {@code outputSize = [oH, oW]}. */
    TensorStorage adaptiveAvgPool2d(TensorStorage x, int[] outputSize);

    /** Gradient of {@link #adaptiveAvgPool2d}. */
    TensorStorage adaptiveAvgPool2dBackward(TensorStorage gradOut, Shape inputShape);

    /** Resamples NCHW input to {@code outputSize = [oH, oW]}. */
    TensorStorage interpolate(TensorStorage x, int[] outputSize, InterpolationMode mode, boolean alignCorners);

    /** Gradient of {@link #interpolate}. */
    TensorStorage interpolateBackward(TensorStorage gradOut, Shape inputShape, InterpolationMode mode,
                                      boolean alignCorners);

    /**
     * Training-mode batch norm over all axes but 1: output plus the batch mean and biased variance per channel.
     * {@code weight} and {@code bias} ({@code [C]}) may be null.
     */
    NormResult batchNormTrain(TensorStorage x, TensorStorage weight, TensorStorage bias, double eps);

    /** Eval-mode batch norm with the given statistics ({@code [C]}); {@code weight}, {@code bias} may be null. */
    TensorStorage batchNormEval(TensorStorage x, TensorStorage weight, TensorStorage bias, TensorStorage mean,
                                TensorStorage var, double eps);

    /**
     * Gradients of batch norm. {@code training}: the statistics were the batch's (gradient flows through them);
     * otherwise they were constants. {@code dweight}/{@code dbias} are null when {@code weight} is null.
     */
    NormGrads batchNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight, TensorStorage mean,
                                TensorStorage var, double eps, boolean training);

    /**
     * Layer norm over the last {@code normalizedRank} axes: output plus mean and biased variance with the leading
     * axes' shape. {@code weight}, {@code bias} (the trailing shape) may be null.
     */
    NormResult layerNorm(TensorStorage x, TensorStorage weight, TensorStorage bias, int normalizedRank, double eps);

    /** Gradients of {@link #layerNorm}. */
    NormGrads layerNormBackward(TensorStorage gradOut, TensorStorage x, TensorStorage weight, TensorStorage mean,
                                TensorStorage var, int normalizedRank, double eps);

    // --------------------------------------------------------------------------------------------- kernels: fft

    /** Complex 2-D DFT over the last two axes of {@code (re, im)}; inverse uses {@code exp(+i...)}. */
    StoragePair fft2(TensorStorage re, TensorStorage im, boolean inverse, FftNorm norm);

    /** One-sided 2-D DFT of a real input over the last two axes: {@code [..., H, W/2+1]} real and imaginary parts. */
    StoragePair rfft2(TensorStorage x, FftNorm norm);

    /** Inverse of {@link #rfft2} to real {@code [..., H, W]} (pocketfft C2R semantics; {@code size = [H, W]}). */
    TensorStorage irfft2(TensorStorage re, TensorStorage im, int[] size, FftNorm norm);

    // ------------------------------------------------------------------------------------------------ results

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
     * A normalisation's output and the statistics it used.
     *
     * @param out  normalised output
     * @param mean mean per group
     * @param var  biased variance per group
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
