package io.tessera.api.pipeline;

import io.tessera.api.plugin.ExtensionPoint;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A pipeline step: a named operation with a typed configuration, declared inputs and outputs. A plugin provides
 * steps with {@code provides io.tessera.api.pipeline.Step with my.pkg.TrainStep;}; a pipeline uses one by name
 * ({@code uses: fdconv/train-classifier}).
 *
 * <p>The configuration is a record. Its components are the keys of the step's {@code with:} block, its compact
 * constructor validates values (throw {@link IllegalArgumentException} naming the field and the accepted values), and
 * {@link #defaultConfig()} supplies the values a pipeline may omit. The host derives the step's schema from the
 * record components.
 *
 * <pre>{@code
 * public record GreetConfig(String greeting, int times) {
 *     public GreetConfig {
 *         if (times < 1) throw new IllegalArgumentException("times must be >= 1, was " + times);
 *     }
 * }
 * public final class GreetStep implements Step<GreetConfig> {
 *     public String name() { return "hello/greet"; }
 *     public Class<GreetConfig> configType() { return GreetConfig.class; }
 *     public GreetConfig defaultConfig() { return new GreetConfig("Hello", 1); }
 *     public List<Port> inputs() { return List.of(Port.optional("name", String.class, "who to greet")); }
 *     public List<Port> outputs() { return List.of(Port.of("message", String.class, "the greeting")); }
 *     public PortValues run(StepContext ctx, GreetConfig config, PortValues in) {
 *         String who = in.find("name", String.class).orElse("world");
 *         return PortValues.of("message", (config.greeting() + ", " + who + "! ").repeat(config.times()).trim());
 *     }
 * }
 * }</pre>
 *
 * <p>Implementations are stateless between runs (one instance serves every pipeline of the host) and thread-safe.
 *
 * @param <C> the config record type
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@ExtensionPoint(name = "core/step", description = "a named pipeline operation with a typed record config")
public interface Step<C extends Record> {

    /** The name pipelines use, {@code <plugin short name>/<step>}, e.g. {@code fdconv/train-classifier}. */
    String name();

    /** One sentence on what the step does, for {@code tessera steps}. */
    default String description() {
        return "";
    }

    /** The record type of the step's configuration. */
    Class<C> configType();

    /** The configuration a pipeline gets when its {@code with:} block is empty; fields given there override it. */
    C defaultConfig();

    /** The values the step consumes, by name. */
    default List<Port> inputs() {
        return List.of();
    }

    /** The values the step produces, by name. */
    List<Port> outputs();

    /**
     * Runs the step. The engine checks before the call that every required input is present with the declared type,
     * and after it that every declared output was produced with its type.
     *
     * @param context run-time services: working folder, logger, progress, cancellation
     * @param config  the validated configuration
     * @param inputs  the input values, keyed by input port name
     * @return the output values, keyed by output port name
     * @throws Exception any failure; the engine reports it with the step's name and stops the run
     */
    PortValues run(StepContext context, C config, PortValues inputs) throws Exception;
}
