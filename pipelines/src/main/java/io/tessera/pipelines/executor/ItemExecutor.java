package io.tessera.pipelines.executor;

import org.apiguardian.api.API;

/**
 * Runs the items of a fan-out step somewhere else than the run's JVM (a Spark cluster, ...). Provided as a service
 * ({@code provides io.tessera.pipelines.executor.ItemExecutor with ...} or {@code META-INF/services}); a step selects
 * it with {@code executor: <name>} and configures it with the map under the key of the same name.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface ItemExecutor {

    /** The name a pipeline's {@code executor:} key selects ({@code spark}); lower case. */
    String name();

    /**
     * Runs every item of {@code job} and calls {@link FanOutJob#finished(ItemOutcome)} once per item, as each
     * finishes (so a run that dies later keeps what finished). Retries an item that fails up to
     * {@link FanOutJob#retries()} times before reporting it failed. Returns when every item is reported or the job
     * is cancelled.
     *
     * @throws Exception when the executor itself cannot run (no cluster, bad settings); items already reported stay
     */
    void run(FanOutJob job) throws Exception;
}
