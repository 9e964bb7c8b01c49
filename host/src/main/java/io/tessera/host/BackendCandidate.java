package io.tessera.host;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apiguardian.api.API;

/**
 * One tensor backend provider as the host found it: what it says about itself and whether it can run here.
 *
 * @param name         the provider's name ({@code cpu}, {@code gpu}); for a provider that could not even be created,
 *                     the simple name of its class
 * @param priority     the provider's priority; higher wins when no backend is named
 * @param available    whether the backend can run on this machine
 * @param reason       why it is (or is not) available, and the fix when it is not
 * @param capabilities the provider's capability tags; iterates in alphabetical order
 * @param origin       where it came from: a module name, {@code class path}, or {@code plugin <id>}
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record BackendCandidate(String name, int priority, boolean available, String reason, Set<String> capabilities,
                               String origin) {

    public BackendCandidate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(origin, "origin");
        capabilities = Collections.unmodifiableSortedSet(new TreeSet<>(capabilities));
    }

    /** One line for reports: {@code cpu (priority 10, io.tessera.backend.cpu): available: OpenBLAS SkylakeX kernels}. */
    public String describe() {
        return name + " (priority " + priority + ", " + origin + "): " + (available ? "available" : "unavailable")
                + (reason.isBlank() ? "" : ": " + reason);
    }
}
