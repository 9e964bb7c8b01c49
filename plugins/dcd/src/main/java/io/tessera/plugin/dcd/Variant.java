package io.tessera.plugin.dcd;

import org.apiguardian.api.API;

/** How a student is trained (docs/methods/dcd.md, "Experiment"). */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum Variant {
    /** Hard labels only: K random negatives of the pool, cross-entropy with the positive (spec §3 step 9). */
    HARD_LABELS,
    /** Teacher-mined hard negatives and the official DCD loss. */
    OFFICIAL,
    /** Teacher-mined hard negatives and the per-sample weighted DCD loss. */
    PER_SAMPLE
}
