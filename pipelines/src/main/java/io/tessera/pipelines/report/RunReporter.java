package io.tessera.pipelines.report;

import java.io.IOException;
import org.apiguardian.api.API;

/**
 * Writes the human-readable report of a finished run into its run folder. The engine finds reporters with
 * {@link java.util.ServiceLoader} (module {@code io.tessera.reports} provides the HTML one) and calls each once, at the
 * end of a run; a run without any reporter on the module or class path still writes its metrics, curves and events,
 * and logs that no report was written. Implementations must be thread-safe (runs may finish at once).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface RunReporter {

    /**
     * Writes the report of {@code run}.
     *
     * @throws IOException when the report cannot be written; a succeeded run then fails, a failed one stays failed
     */
    void write(RunSummary run) throws IOException;
}
