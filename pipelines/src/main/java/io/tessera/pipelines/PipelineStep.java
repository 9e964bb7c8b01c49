package io.tessera.pipelines;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One step of a {@link Pipeline}: which step type it uses, its config and where its inputs come from.
 *
 * @param uses   the step type, e.g. {@code core/train} ({@code tessera steps} lists them)
 * @param with   config keys and values (numbers, strings, booleans, lists); keys left out take the step's defaults
 * @param inputs input port name to one or more references {@code <step>.<output>}
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record PipelineStep(String uses, Map<String, Object> with, Map<String, List<String>> inputs) {

    public PipelineStep {
        Objects.requireNonNull(uses, "uses");
        with = Collections.unmodifiableMap(new LinkedHashMap<>(with));
        Map<String, List<String>> copy = new LinkedHashMap<>();
        inputs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        inputs = Collections.unmodifiableMap(copy);
    }

    /** A builder for a step that uses {@code uses}. */
    public static Builder uses(String uses) {
        return new Builder(uses);
    }

    /** Builds a {@link PipelineStep}. */
    public static final class Builder {
        private final String uses;
        private final Map<String, Object> with = new LinkedHashMap<>();
        private final Map<String, List<String>> inputs = new LinkedHashMap<>();

        private Builder(String uses) {
            this.uses = Objects.requireNonNull(uses, "uses");
        }

        /** Sets config key {@code key} (as in YAML, e.g. {@code batch_size}). */
        public Builder with(String key, Object value) {
            with.put(key, value);
            return this;
        }

        /** Wires input {@code port} to {@code reference} ({@code data.train}); repeat for a list input. */
        public Builder input(String port, String reference) {
            inputs.computeIfAbsent(port, k -> new ArrayList<>()).add(reference);
            return this;
        }

        /** The step. */
        public PipelineStep build() {
            return new PipelineStep(uses, with, inputs);
        }
    }
}
