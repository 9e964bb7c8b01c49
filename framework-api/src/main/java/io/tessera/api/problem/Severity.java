package io.tessera.api.problem;

import org.apiguardian.api.API;

/** How bad a {@link Problem} is. */
@API(status = API.Status.STABLE, since = "1.0")
public enum Severity {
    /** The plugin cannot be resolved or started; the pipeline cannot run. */
    ERROR,
    /** It runs, but something is likely wrong. */
    WARNING,
    /** Worth knowing; nothing is wrong. */
    INFO
}
