package io.tessera.pipelines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apiguardian.api.API;

/**
 * How to run a pipeline.
 *
 * @param backend      the backend to use, overriding {@code TESSERA_BACKEND} and the pipeline's {@code backend:};
 *                     empty to not override
 * @param outputRoot   where run folders are created ({@code runs} by default)
 * @param resume       an incomplete run folder to continue, or empty for a new run
 * @param overrides    {@code path=value} settings applied to the pipeline before validation, e.g.
 *                     {@code steps.train.with.training.epochs=5}
 * @param listeners    receive the run's events
 * @param parallelism  how many independent steps may run at once (at least 1)
 * @param cancel       polled between units of work; when it returns true the run stops as {@link RunStatus#CANCELLED}
 * @param keepOutputs  whether to hand the pipeline's {@code outputs:} values to the caller in
 *                     {@link RunResult#outputs()} (then close the result); otherwise every value is closed at the end
 * @param environment  environment variables consulted ({@code TESSERA_BACKEND})
 * @param provenance   what the caller knows of where the run comes from (Tessera version, Java runtime, command line,
 *                     every plugin's id, version and jar SHA-256), written as is under {@code provenance} in
 *                     {@code run.json}; empty to write none. Values are JSON-able: strings, numbers, lists, maps.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record RunOptions(Optional<String> backend, Path outputRoot, Optional<Path> resume, List<String> overrides,
                         List<PipelineListener> listeners, int parallelism, BooleanSupplier cancel,
                         boolean keepOutputs, Map<String, String> environment, Map<String, Object> provenance) {

    public RunOptions {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(outputRoot, "outputRoot");
        Objects.requireNonNull(resume, "resume");
        overrides = List.copyOf(overrides);
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(cancel, "cancel");
        environment = Map.copyOf(environment);
        provenance = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(provenance));
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
        }
    }

    /** Defaults: backend from the environment or the pipeline, run folders under {@code runs/}, 2 steps at once. */
    public static RunOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RunOptions}. */
    public static final class Builder {
        private String backend;
        private Path outputRoot = Path.of("runs");
        private Path resume;
        private Map<String, Object> provenance = Map.of();
        private final List<String> overrides = new ArrayList<>();
        private final List<PipelineListener> listeners = new ArrayList<>();
        private int parallelism = 2;
        private BooleanSupplier cancel = () -> false;
        private boolean keepOutputs;
        private Map<String, String> environment = System.getenv();

        private Builder() {
        }

        /** The backend ({@code cpu}, {@code gpu}, {@code auto}), overriding the environment and the pipeline. */
        public Builder backend(String backend) {
            this.backend = backend;
            return this;
        }

        /** Where run folders are created. */
        public Builder outputRoot(Path outputRoot) {
            this.outputRoot = Objects.requireNonNull(outputRoot, "outputRoot");
            return this;
        }

        /** Continues the incomplete run in {@code runDirectory}. */
        public Builder resume(Path runDirectory) {
            this.resume = runDirectory;
            return this;
        }

        /** Adds an override {@code path=value}, e.g. {@code steps.train.with.training.epochs=5}. */
        public Builder set(String override) {
            overrides.add(Objects.requireNonNull(override, "override"));
            return this;
        }

        /** Adds a listener. */
        public Builder listener(PipelineListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** How many independent steps may run at once. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** A condition polled during the run; when true, the run stops as cancelled. */
        public Builder cancelWhen(BooleanSupplier cancel) {
            this.cancel = Objects.requireNonNull(cancel, "cancel");
            return this;
        }

        /** Whether to hand the pipeline's {@code outputs:} to the caller. */
        public Builder keepOutputs(boolean keep) {
            this.keepOutputs = keep;
            return this;
        }

        /** The environment variables to consult instead of the process's. */
        /** Provenance to record in {@code run.json} (see {@link RunOptions#provenance()}). */
        public Builder provenance(Map<String, Object> provenance) {
            this.provenance = Objects.requireNonNull(provenance, "provenance");
            return this;
        }

        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The options. */
        public RunOptions build() {
            return new RunOptions(Optional.ofNullable(backend).filter(b -> !b.isBlank()), outputRoot,
                    Optional.ofNullable(resume), overrides, listeners, parallelism, cancel, keepOutputs,
                    environment, provenance);
        }
    }
}
