package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Step;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pipeline that passed validation: steps with their built configs and resolved inputs, in a topological order.
 *
 * @param name    the pipeline name
 * @param backend the requested backend ({@code auto}, {@code cpu}, ...)
 * @param seed    the pipeline seed
 * @param steps   every step, each after the steps it reads from
 * @param outputs output name to reference
 * @param source  the file or description it came from
 */
record ValidatedPipeline(String name, String backend, long seed, List<StepNode> steps, Map<String, Ref> outputs,
                         String source) {

    /** A reference {@code step.output}. */
    record Ref(String step, String output) {
        @Override
        public String toString() {
            return step + "." + output;
        }
    }

    /**
     * One step.
     *
     * @param id     the step id in the pipeline
     * @param uses   the step type name
     * @param step   the step implementation
     * @param schema its config schema
     * @param config the validated config
     * @param inputs port name to references; a port of type {@code List} may have several
     * @param deps   ids of the steps it reads from
     * @param seed   the step's own {@code seed:}, or null: derived from the pipeline seed and the id
     * @param fanOut its items when it has a {@code matrix:}, else null
     */
    record StepNode(String id, String uses, Step<?> step, ConfigSchema schema, Record config,
                    Map<String, List<Ref>> inputs, Set<String> deps, Long seed, FanOut fanOut) {
    }

    StepNode step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
