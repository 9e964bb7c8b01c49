package io.tessera.pipelines;

import org.apiguardian.api.API;

/**
 * Receives the events of a pipeline run as they happen (on the thread of the step that caused them; steps may run
 * in parallel, so implementations must be thread-safe). An exception thrown here is logged and otherwise ignored.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@FunctionalInterface
public interface PipelineListener {
    /** One event. */
    void onEvent(PipelineEvent event);
}
