package io.tessera.pipelines;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apiguardian.api.API;

/**
 * A pipeline: named steps wired into a DAG, as a YAML file describes it. Build one in Java and it runs exactly like
 * the equivalent YAML file:
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder("quickstart").backend("cpu").seed(7)
 *         .step("data", "datasets/idx", s -> s.with("sample", "fashion-mnist"))
 *         .step("train", "core/train", s -> s.with("epochs", 2).input("train", "data.train"))
 *         .step("eval", "core/evaluate", s -> s.input("model", "train.model").input("test", "data.test"))
 *         .build();
 * RunResult result = Pipelines.of(host).run(p, RunOptions.defaults());
 * }</pre>
 *
 * @param name    the pipeline's name (letters, digits, {@code . _ -}); it names the run folders
 * @param backend {@code cpu}, {@code gpu} or {@code auto} (any other name of an installed backend works too)
 * @param seed    the seed every step's randomness derives from
 * @param steps   step id to step, in file order
 * @param outputs names for step outputs handed to the caller ({@code model: train.model}); may be empty
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record Pipeline(String name, String backend, long seed, Map<String, PipelineStep> steps,
                       Map<String, String> outputs) {

    public Pipeline {
        Objects.requireNonNull(name, "name");
        backend = backend == null ? "auto" : backend;
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** A builder for a pipeline called {@code name}; backend {@code auto}, seed 0. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Pipeline}. */
    public static final class Builder {
        private final String name;
        private String backend = "auto";
        private long seed;
        private final Map<String, PipelineStep> steps = new LinkedHashMap<>();
        private final Map<String, String> outputs = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The backend: {@code cpu}, {@code gpu} or {@code auto}. */
        public Builder backend(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** The seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adds step {@code id} using {@code uses}, configured by {@code configure}. */
        public Builder step(String id, String uses, UnaryOperator<PipelineStep.Builder> configure) {
            steps.put(Objects.requireNonNull(id, "id"), configure.apply(PipelineStep.uses(uses)).build());
            return this;
        }

        /** Adds step {@code id} with the step's default config and no inputs. */
        public Builder step(String id, String uses) {
            return step(id, uses, s -> s);
        }

        /** Adds a built step. */
        public Builder step(String id, PipelineStep step) {
            steps.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(step, "step"));
            return this;
        }

        /** Hands output {@code reference} ({@code train.model}) to the caller as {@code name}. */
        public Builder output(String name, String reference) {
            outputs.put(name, reference);
            return this;
        }

        /** The pipeline (validated only when run or passed to {@link Pipelines#validate(Pipeline)}). */
        public Pipeline build() {
            return new Pipeline(name, backend, seed, steps, outputs);
        }
    }
}
