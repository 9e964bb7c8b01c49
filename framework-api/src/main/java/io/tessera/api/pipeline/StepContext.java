package io.tessera.api.pipeline;

import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.TensorBackend;
import java.nio.file.Path;
import java.util.Optional;
import org.apiguardian.api.API;

/** What the pipeline engine gives a {@link Step} while it runs. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface StepContext {

    /** The name this step has in the pipeline ({@code train}), not the step type's name. */
    String stepName();

    /** A folder of the run reserved for this step's files (weights, plots); it exists. */
    Path workDirectory();

    /** A logger for the step; its lines go to the run's log. */
    System.Logger logger();

    /** The host's service registry, for extensions the step needs (datasets, backends, ...). */
    ServiceRegistry services();

    /**
     * Reports progress for the progress bar.
     *
     * @param done    units done so far
     * @param total   total units, or {@code -1} if unknown
     * @param message a short status, e.g. {@code epoch 2/3 loss 0.41}
     */
    void progress(long done, long total, String message);

    /** Whether the run was cancelled; long steps check it between units of work and return early. */
    boolean cancelled();

    /**
     * The tensor backend of the run (chosen from {@code --backend}, {@code TESSERA_BACKEND} or the pipeline's
     * {@code backend:}); shared by every step of the run, closed by the engine.
     *
     * @throws IllegalStateException when no backend could be selected, with the reason
     */
    default TensorBackend backend() {
        throw new IllegalStateException("this step context offers no tensor backend");
    }

    /**
     * The seed of this step: derived from the pipeline's {@code seed} and the step's name, so that two steps of a run
     * draw independent numbers and a rerun with the same seed draws the same ones.
     */
    default long seed() {
        return 0;
    }

    /** Records a final metric of this step ({@code accuracy}); it goes to {@code metrics.json} and the report. */
    default void metric(String name, double value) {
    }

    /**
     * Records a measurement that depends on the machine and its load, such as a step time ({@code ms_per_step}) or a
     * throughput ({@code images_per_s}). Unlike {@link #metric}, it stays out of {@code metrics.json}, so equal runs
     * still give equal files; it goes to {@code run.json} and the report's timings.
     */
    default void timing(String name, double value) {
    }

    /** Records one point of a curve ({@code series} {@code batch_loss} at optimizer step {@code x}) for the report. */
    default void series(String series, long x, double value) {
    }

    /** This step's checkpoints in the run folder, for resuming a killed run. */
    default Checkpoints checkpoints() {
        return Checkpoints.none();
    }

    /**
     * A service the engine offers this step beyond the ones above, by type: how a library that runs inside steps
     * reaches a part of the run the API does not define. The training module's {@code EpochLog} (per-epoch metrics
     * for the run's events, {@code metrics.json} and training curves) is one: the pipeline engine offers it and the
     * training loop's listeners use it, while this interface knows neither.
     *
     * @return the service, or empty when this engine offers none of {@code type}
     */
    default <T> Optional<T> service(Class<T> type) {
        return Optional.empty();
    }
}
