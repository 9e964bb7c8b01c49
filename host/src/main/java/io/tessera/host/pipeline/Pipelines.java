package io.tessera.host.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Validates and runs pipelines on a started host, with the steps of its active plugins and the host's core steps
 * ({@code core/train}, {@code core/evaluate}, {@code core/compare}, {@code core/export}). Obtained from
 * {@code TesseraHost.pipelines()}; thread-safe, several runs may go on at once.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface Pipelines {

    /** Every step type available now, sorted by name. */
    List<StepInfo> steps();

    /** The step type called {@code name}, if available. */
    Optional<StepInfo> step(String name);

    /** Validates a YAML pipeline file with {@code overrides} ({@code path=value}) applied; reads nothing else. */
    ValidationReport validate(Path file, List<String> overrides);

    /** Validates a YAML pipeline file. */
    default ValidationReport validate(Path file) {
        return validate(file, List.of());
    }

    /** Validates a pipeline built in Java. */
    ValidationReport validate(Pipeline pipeline);

    /**
     * Validates and runs a YAML pipeline file into a new run folder under {@link RunOptions#outputRoot()}, or
     * continues {@link RunOptions#resume()}.
     *
     * @throws PipelineValidationException when it has problems; nothing ran
     * @throws IllegalArgumentException    when the resume folder is not a resumable run of this pipeline
     */
    RunResult run(Path file, RunOptions options);

    /** Validates and runs a pipeline built in Java; see {@link #run(Path, RunOptions)}. */
    RunResult run(Pipeline pipeline, RunOptions options);
}
