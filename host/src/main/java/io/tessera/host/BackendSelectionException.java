package io.tessera.host;

import java.util.List;
import org.apiguardian.api.API;

/**
 * No tensor backend could be selected. The message lists every provider that was found and why each was not usable;
 * {@link #candidates()} holds the same as values.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class BackendSelectionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why selection failed. */
    public enum Kind {
        /** The request named a backend that no provider offers: a usage error. */
        UNKNOWN_NAME,
        /** The named backend exists but cannot run here. */
        UNAVAILABLE,
        /** Automatic selection found no available backend (or no provider at all). */
        NONE_AVAILABLE
    }

    private final Kind kind;
    private final transient List<BackendCandidate> candidates;

    BackendSelectionException(Kind kind, String message, List<BackendCandidate> candidates) {
        super(message);
        this.kind = kind;
        this.candidates = List.copyOf(candidates);
    }

    /** Why selection failed. */
    public Kind kind() {
        return kind;
    }

    /** Every provider that was found, in selection order. */
    public List<BackendCandidate> candidates() {
        return candidates;
    }
}
