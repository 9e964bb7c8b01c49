package io.tessera.api.tensor;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A complex tensor as a pair of real tensors of equal shape and dtype: the real and the imaginary part. Gradients
 * flow through both parts independently (the gradient of a real loss w.r.t. each part).
 *
 * @param real the real part
 * @param imag the imaginary part
 */
@API(status = API.Status.STABLE, since = "1.0")
public record ComplexTensor(Tensor real, Tensor imag) implements AutoCloseable {
    public ComplexTensor {
        Objects.requireNonNull(real, "real");
        Objects.requireNonNull(imag, "imag");
        if (!real.shape().equals(imag.shape()) || real.dtype() != imag.dtype() || real.backend() != imag.backend()) {
            throw new IllegalArgumentException("complex tensor: real part " + real.describe()
                    + " and imaginary part " + imag.describe() + " must share shape, dtype and backend");
        }
        if (!real.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("complex tensor parts must be floating point, got " + real.describe());
        }
    }

    /** The shape of each part. */
    public Shape shape() {
        return real.shape();
    }

    /** {@code |z|}. */
    public Tensor abs() {
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(real.square().add(imag.square()).sqrt());
        }
    }

    /** Closes both parts. */
    @Override
    public void close() {
        real.close();
        imag.close();
    }
}
