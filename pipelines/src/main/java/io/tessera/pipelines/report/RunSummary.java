package io.tessera.pipelines.report;

import io.tessera.pipelines.RunStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What a {@link RunReporter} gets of a finished run: where its files are, how it went, and what its steps recorded.
 * Maps keep the pipeline's step order.
 *
 * @param runDirectory     the run folder
 * @param reportFile       where the report's main file goes ({@code report.html})
 * @param assetsDirectory  where its pictures go ({@code report/})
 * @param resolvedPipeline the resolved pipeline the run folder keeps ({@code pipeline.yaml})
 * @param pipeline         the pipeline's name
 * @param source           where the pipeline came from (a file, or {@code pipeline 'x'} for one built in Java)
 * @param seed             the run's seed
 * @param backend          the tensor backend the run used
 * @param status           how the run ended
 * @param failure          why it failed or was cancelled; empty when it succeeded
 * @param started          when it started
 * @param seconds          its wall time
 * @param steps            the step ids, in pipeline order
 * @param uses             step id → the step type it uses
 * @param stepDirectories  step id → the step's work folder (comparison.json, confusion.json and figures live there)
 * @param metrics          step id → its final metrics ({@code accuracy}, {@code class_accuracy/Coat}, ...)
 * @param series           step id → metric → optimizer step → value
 * @param epochs           step id → epoch → metric → value
 * @param stepSeconds      step id → wall time of the steps that ran
 * @param stepStatuses     step id → how the step ended
 * @param timings          step id → measurements the step reported (ms per step, images per second, ...)
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record RunSummary(Path runDirectory, Path reportFile, Path assetsDirectory, Path resolvedPipeline,
                         String pipeline, String source, long seed, String backend, RunStatus status, String failure,
                         Instant started, double seconds, List<String> steps, Map<String, String> uses,
                         Map<String, Path> stepDirectories, Map<String, Map<String, Double>> metrics,
                         Map<String, Map<String, NavigableMap<Long, Double>>> series,
                         Map<String, NavigableMap<Integer, Map<String, Double>>> epochs,
                         Map<String, Double> stepSeconds, Map<String, String> stepStatuses,
                         Map<String, Map<String, Double>> timings) {

    /** Checks that nothing is null; the collections are the caller's snapshots, not copied. */
    public RunSummary {
        Objects.requireNonNull(runDirectory, "runDirectory");
        Objects.requireNonNull(reportFile, "reportFile");
        Objects.requireNonNull(assetsDirectory, "assetsDirectory");
        Objects.requireNonNull(resolvedPipeline, "resolvedPipeline");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(steps, "steps");
        Objects.requireNonNull(uses, "uses");
        Objects.requireNonNull(stepDirectories, "stepDirectories");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(epochs, "epochs");
        Objects.requireNonNull(stepSeconds, "stepSeconds");
        Objects.requireNonNull(stepStatuses, "stepStatuses");
        Objects.requireNonNull(timings, "timings");
    }

    /** The final metrics of {@code step}; empty when it recorded none. */
    public Map<String, Double> metricsOf(String step) {
        return metrics.getOrDefault(step, Map.of());
    }
}
