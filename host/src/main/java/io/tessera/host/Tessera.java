package io.tessera.host;

import io.tessera.host.internal.DefaultTesseraBuilder;
import org.apiguardian.api.API;

/**
 * Entry point of the embedding API.
 *
 * <pre>{@code
 * try (TesseraHost host = Tessera.builder().pluginDirectory(Path.of("plugins")).build()) {
 *     host.start();
 *     host.report().problems().forEach(p -> System.err.println(p.describe()));
 *     for (Step<?> step : host.extensions(Step.class)) {
 *         System.out.println(step.name());
 *     }
 * }
 * }</pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Tessera {

    private Tessera() {
    }

    /** A builder for a new, independent host. */
    public static TesseraBuilder builder() {
        return new DefaultTesseraBuilder();
    }
}
