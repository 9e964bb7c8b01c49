package io.tessera.pipelines;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The outcome of a pipeline run. Closing it closes the output values handed out with
 * {@link RunOptions.Builder#keepOutputs(boolean)} (models, tensors) and the run's backend; without kept outputs
 * there is nothing to close.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class RunResult implements AutoCloseable {
    private final RunStatus status;
    private final Path runDirectory;
    private final Map<String, Map<String, Double>> metrics;
    private final String failure;
    private final double seconds;
    private final Map<String, Object> outputs;
    private final AutoCloseable resources;

    /**
     * A result (built by the engine).
     *
     * @param status       how the run ended
     * @param runDirectory the run folder
     * @param metrics      step id to its final metrics
     * @param failure      what failed, or empty
     * @param seconds      wall time of this invocation
     * @param outputs      the pipeline's {@code outputs:} when kept, else empty
     * @param resources    closed with this result
     */
    public RunResult(RunStatus status, Path runDirectory, Map<String, Map<String, Double>> metrics, String failure,
            double seconds, Map<String, Object> outputs, AutoCloseable resources) {
        this.status = Objects.requireNonNull(status, "status");
        this.runDirectory = Objects.requireNonNull(runDirectory, "runDirectory");
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        metrics.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        this.metrics = Collections.unmodifiableMap(copy);
        this.failure = failure == null ? "" : failure;
        this.seconds = seconds;
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.resources = resources;
    }

    /** How the run ended. */
    public RunStatus status() {
        return status;
    }

    /** Whether every step finished. */
    public boolean succeeded() {
        return status == RunStatus.SUCCEEDED;
    }

    /** The run folder ({@code runs/20260101T120000Z-quickstart}). */
    public Path runDirectory() {
        return runDirectory;
    }

    /** The HTML report in the run folder. */
    public Path report() {
        return runDirectory.resolve("report.html");
    }

    /** Step id to the final metrics it recorded ({@code eval -> accuracy -> 0.83}). */
    public Map<String, Map<String, Double>> metrics() {
        return metrics;
    }

    /** The value of {@code metric} of step {@code step}, if recorded. */
    public Optional<Double> metric(String step, String metric) {
        return Optional.ofNullable(metrics.getOrDefault(step, Map.of()).get(metric));
    }

    /** What failed, when the run did not succeed. */
    public Optional<String> failure() {
        return failure.isEmpty() ? Optional.empty() : Optional.of(failure);
    }

    /** Wall time of this invocation, in seconds. */
    public double seconds() {
        return seconds;
    }

    /** The pipeline's {@code outputs:} values, when kept; the caller closes this result to free them. */
    public Map<String, Object> outputs() {
        return outputs;
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the run's outputs failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "RunResult[" + status + ", " + runDirectory + (failure.isEmpty() ? "" : ", " + failure) + "]";
    }
}
