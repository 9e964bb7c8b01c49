package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;

import org.apiguardian.api.API;

/**
 * A backend-owned block of tensor memory: opaque to the API, which only asks for its shape and dtype and closes it.
 * Each storage returned by a {@link TensorKernels} kernel is independent: closing one never invalidates another
 * (backends copy rather than hand out views they cannot track).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface TensorStorage extends AutoCloseable {
    /** The shape of the data held. */
    Shape shape();

    /** The element type of the data held. */
    DType dtype();

    /** Frees the memory now. Idempotent. */
    @Override
    void close();
}
