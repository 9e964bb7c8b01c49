package io.tessera.api.tensor;

import java.util.Set;
import org.apiguardian.api.API;

/**
 * A {@link java.util.ServiceLoader} entry point for one tensor backend. The host lists every provider it finds, asks
 * each for its {@link #availability()}, and creates the backend it selects (explicit name, else the highest
 * {@link #priority()} among the available ones). Providers must be cheap to construct and must not load native code
 * until {@link #availability()} or {@link #create()} is called.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface TensorBackendProvider {
    /** Short, unique, lower-case name used in {@code --backend} and {@code TESSERA_BACKEND}, e.g. {@code cpu}. */
    String name();

    /** Higher wins when no backend is named; CPU backends use 0-99, accelerators 100 and more. */
    int priority();

    /** Free-form capability tags, e.g. {@code float64}, {@code fft}, {@code blas:openblas}, {@code core:SkylakeX}. */
    Set<String> capabilities();

    /** Whether the backend can run on this machine, with a reason in words (and the fix when it cannot). */
    Availability availability();

    /** Shorthand for {@code availability().available()}. */
    default boolean isAvailable() {
        return availability().available();
    }

    /**
     * Creates a backend instance. Each call returns a new, independent instance that the caller closes.
     *
     * @throws IllegalStateException when the backend is not available (the message holds the reason)
     */
    TensorBackend create();
}
