package io.tessera.pipelines;

import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.internal.DefaultPipelines;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Validates and runs pipelines on a started host, with the steps of its active plugins and the host's core steps
 * ({@code core/train}, {@code core/evaluate}, {@code core/compare}, {@code core/export}). Obtained from
 * {@link #of(TesseraHost)}; thread-safe, several runs may go on at once.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface Pipelines {

    /**
     * Pipelines over the steps and tensor backends of a started host. The library sees nothing of the host but its
     * service registry: see {@link #over(ServiceRegistry)}.
     */
    static Pipelines of(TesseraHost host) {
        return over(host.services());
    }

    /**
     * Pipelines over the {@link io.tessera.api.pipeline.Step} and {@link io.tessera.api.tensor.TensorBackendProvider}
     * services of {@code services} (plus the core steps and the backends of the boot layer and class path); the
     * registry is read at each call, so steps of plugins started later appear.
     */
    static Pipelines over(ServiceRegistry services) {
        return new DefaultPipelines(services);
    }

    /**
     * The folders of plugin jars a pipeline file names in its {@code plugins:} key, resolved against the file's
     * folder; a host that runs the file loads them ({@code tessera run} and {@code validate} do). Empty when the file
     * has no such key or cannot be read (its validation then says why).
     */
    static List<Path> pluginFolders(Path file) {
        return io.tessera.pipelines.internal.PluginFolders.of(file);
    }

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
     * @throws io.tessera.host.BackendSelectionException when the backend named by {@link RunOptions#backend()},
     *                                   {@code TESSERA_BACKEND} or the pipeline's {@code backend:} is unknown or
     *                                   cannot run here; no run folder was created
     */
    RunResult run(Path file, RunOptions options);

    /** Validates and runs a pipeline built in Java; see {@link #run(Path, RunOptions)}. */
    RunResult run(Pipeline pipeline, RunOptions options);
}
