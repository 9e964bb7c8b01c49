package io.tessera.pipelines;

import org.apiguardian.api.API;

/** How a pipeline run ended. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum RunStatus {
    /** Every step finished. */
    SUCCEEDED,
    /** A step failed; the run folder keeps its {@code INCOMPLETE} marker and can be resumed. */
    FAILED,
    /** The run was cancelled; the run folder keeps its {@code INCOMPLETE} marker and can be resumed. */
    CANCELLED
}
