package io.tessera.api.data;

import org.apiguardian.api.API;

/**
 * A finite, indexable collection of examples, like PyTorch's map-style {@code Dataset}. Implementations are
 * immutable and safe to read from several threads.
 *
 * @param <E> the example type
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface Dataset<E> {

    /** Number of examples. */
    int size();

    /**
     * The example at {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    E get(int index);
}
