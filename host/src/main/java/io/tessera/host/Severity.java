package io.tessera.host;

import org.apiguardian.api.API;

/** How bad a {@link Problem} is. */
@API(status = API.Status.STABLE, since = "1.0")
public enum Severity {
    /** The plugin cannot be resolved or started. */
    ERROR,
    /** The plugin runs, but something is likely wrong. */
    WARNING,
    /** Worth knowing; nothing is wrong. */
    INFO
}
