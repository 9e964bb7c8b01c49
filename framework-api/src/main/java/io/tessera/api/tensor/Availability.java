package io.tessera.api.tensor;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Whether a backend can run here, and why (or why not), in words a person can act on.
 *
 * @param available whether {@link TensorBackendProvider#create()} will succeed
 * @param reason    a one-line explanation; for an unavailable backend it says how to fix it
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Availability(boolean available, String reason) {
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /** An available backend with an explanatory note (e.g. which kernels it detected). */
    public static Availability available(String reason) {
        return new Availability(true, reason);
    }

    /** An unavailable backend, with the reason and the fix. */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
