package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Checkpoints;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.training.pipeline.EpochLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The {@link StepContext} the engine gives one step of one run. */
final class RunStepContext implements StepContext {
    private final String step;
    private final Path workDirectory;
    private final Path runDirectory;
    private final System.Logger logger;
    private final ServiceRegistry services;
    private final Supplier<TensorBackend> backend;
    private final long seed;
    private final RunRecord record;
    private final Consumer<PipelineEvent> events;
    private final BooleanSupplier cancelled;
    private final StepCheckpoints checkpoints;

    RunStepContext(String step, Path workDirectory, Path runDirectory, System.Logger logger, ServiceRegistry services,
            Supplier<TensorBackend> backend, long seed, RunRecord record, Consumer<PipelineEvent> events,
            BooleanSupplier cancelled, Path checkpointDir) {
        this.step = step;
        this.workDirectory = workDirectory;
        this.runDirectory = runDirectory;
        this.logger = logger;
        this.services = services;
        this.backend = backend;
        this.seed = seed;
        this.record = record;
        this.events = events;
        this.cancelled = cancelled;
        this.checkpoints = new StepCheckpoints(checkpointDir,
                (position, folder) -> events.accept(new PipelineEvent.CheckpointSaved(step, position, folder)),
                skipped -> {
                    logger.log(System.Logger.Level.WARNING, "checkpoint " + skipped.folder() + " is corrupt ("
                            + skipped.reason() + "); skipped it, moved it to " + skipped.movedTo()
                            + ", and continue from the previous intact checkpoint, if any");
                    events.accept(new PipelineEvent.CheckpointSkipped(step, skipped.folder(), skipped.reason(),
                            skipped.movedTo()));
                });
    }

    @Override
    public String stepName() {
        return step;
    }

    @Override
    public Path workDirectory() {
        return workDirectory;
    }

    /** The run folder; core steps put exported weights in its {@code weights/}. */
    Path runDirectory() {
        return runDirectory;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public ServiceRegistry services() {
        return services;
    }

    @Override
    public void progress(long done, long total, String message) {
        events.accept(new PipelineEvent.StepProgress(step, done, total, message == null ? "" : message));
    }

    @Override
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public TensorBackend backend() {
        return backend.get();
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public void metric(String name, double value) {
        record.metric(step, name, value);
    }

    @Override
    public void timing(String name, double value) {
        record.timing(step, name, value);
    }

    /** The run's record of training epochs ({@link EpochLog}): the run record and an {@code epoch} event. */
    private void epochEnd(int epoch, int epochs, Map<String, Double> metrics) {
        record.epoch(step, epoch, metrics);
        events.accept(new PipelineEvent.EpochFinished(step, epoch, epochs,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics))));
    }

    @Override
    public void series(String series, long x, double value) {
        record.series(step, series, x, value);
    }

    @Override
    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /** Offers the training module's {@link EpochLog}, so the trainer's metrics listener records epochs here. */
    @Override
    public <T> Optional<T> service(Class<T> type) {
        if (type == EpochLog.class) {
            return Optional.of(type.cast((EpochLog) this::epochEnd));
        }
        return Optional.empty();
    }
}
