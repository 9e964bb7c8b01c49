package io.tessera.api.nn;

import org.apiguardian.api.API;

/** How a loss reduces its per-element values, PyTorch's {@code reduction} argument. */
@API(status = API.Status.STABLE, since = "1.0")
public enum Reduction {
    /** The mean (for cross-entropy with ignored targets: over the counted ones). */
    MEAN,
    /** The sum. */
    SUM,
    /** No reduction: one value per element (per sample for cross-entropy). */
    NONE
}
