package io.tessera.api.tensor;

import io.tessera.api.tensor.spi.TensorKernels;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A tensor backend as its users see it: the factory of tensors ({@link #tensor(float[], long...)}, {@link #zeros},
 * {@link #full}, ...) on one {@link Device}, with a name and capability tags. Every op on a tensor then runs on the
 * backend that made it. There is no global default backend: the host injects one, tests create one from a
 * {@link TensorBackendProvider}.
 *
 * <p>The kernels behind it are not reachable from here: a backend author implements
 * {@link io.tessera.api.tensor.spi.TensorKernels} (the experimental kernel SPI) and the provider wraps it with
 * {@link #of(TensorKernels)}. Every tensor op validates its arguments before it calls a kernel.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class TensorBackend implements AutoCloseable {
    /** The kernels; read by the tensor API in this module, never handed to users. */
    final TensorKernels kernels;

    private TensorBackend(TensorKernels kernels) {
        this.kernels = Objects.requireNonNull(kernels, "kernels");
    }

    /** A backend over {@code kernels}; what a {@link TensorBackendProvider#create()} returns. */
    public static TensorBackend of(TensorKernels kernels) {
        return new TensorBackend(kernels);
    }


    /** The provider name of this backend, e.g. {@code cpu}. */
    public String name() {
        return kernels.name();
    }

    /** The device this backend's memory lives on. */
    public Device device() {
        return kernels.device();
    }

    /** Capability tags of the kernels ({@code float64}, {@code fft}, ...). */
    public Set<String> capabilities() {
        return kernels.capabilities();
    }

    /** Releases resources held by the backend itself (not the tensors, which their owners close). */
    @Override
    public void close() {
        kernels.close();
    }

    @Override
    public String toString() {
        return "TensorBackend(" + kernels + ")";
    }

    // ------------------------------------------------------------------------------------------------ user factories

    /** A float32 tensor with the given row-major data; {@code data.length} must equal the shape's size. */
    public Tensor tensor(float[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.FLOAT32, data.length,
                s -> kernels.fromFloats(data, s));
    }

    /** A float64 tensor with the given row-major data. */
    public Tensor tensor(double[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.FLOAT64, data.length,
                s -> kernels.fromDoubles(data, s, DType.FLOAT64));
    }

    /** An int64 tensor with the given row-major data. */
    public Tensor tensor(long[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.INT64, data.length, s -> kernels.fromLongs(data, s));
    }

    /** A bool tensor with the given row-major data. */
    public Tensor tensor(boolean[] data, long... shape) {
        return Tensor.create(this, "tensor", Shape.of(shape), DType.BOOL, data.length,
                s -> kernels.fromBooleans(data, s));
    }

    /** A tensor of the given shape and dtype filled with {@code value}. */
    public Tensor full(Shape shape, DType dtype, double value) {
        return Tensor.wrap(this, kernels.filled(shape, dtype, value));
    }

    /** A float32 scalar (rank 0). */
    public Tensor scalar(double value) {
        return full(Shape.SCALAR, DType.FLOAT32, value);
    }

    /** A scalar of the given dtype. */
    public Tensor scalar(double value, DType dtype) {
        return full(Shape.SCALAR, dtype, value);
    }

    /** Zeros of a shape and dtype. */
    public Tensor zeros(Shape shape, DType dtype) {
        return full(shape, dtype, 0);
    }

    /** float32 zeros. */
    public Tensor zeros(long... shape) {
        return full(Shape.of(shape), DType.FLOAT32, 0);
    }

    /** Ones of a shape and dtype. */
    public Tensor ones(Shape shape, DType dtype) {
        return full(shape, dtype, 1);
    }

    /** float32 ones. */
    public Tensor ones(long... shape) {
        return full(Shape.of(shape), DType.FLOAT32, 1);
    }

    /** {@code [0, 1, ..., n-1]} as int64. */
    public Tensor arange(long n) {
        long[] v = new long[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return tensor(v, n);
    }

    /** A copy of {@code t} on this backend (through host memory when the backends differ). */
    public Tensor copyOf(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> tensor(t.toFloatArray(), t.shape().dims());
            case FLOAT64 -> tensor(t.toDoubleArray(), t.shape().dims());
            case INT64 -> tensor(t.toLongArray(), t.shape().dims());
            case BOOL -> tensor(t.toBooleanArray(), t.shape().dims());
        };
    }
}
