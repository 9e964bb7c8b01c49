package io.tessera.example.hello;

import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import jakarta.inject.Inject;
import java.util.List;

/** {@code hello/greet}: turns an optional {@code name} input into a {@code message} output. */
public final class GreetStep implements Step<GreetConfig> {

    private final Greeter greeter;

    /** Used by the Tessera host, which injects the plugin's {@link Greeter}. */
    @Inject
    public GreetStep(Greeter greeter) {
        this.greeter = greeter;
    }

    /**
     * For plain {@link java.util.ServiceLoader} use outside a Tessera host (javac requires a provider class to have a
     * no-argument constructor or this method); the host uses the {@code @Inject} constructor instead.
     */
    public static GreetStep provider() {
        return new GreetStep(new Greeter("(io.tessera.example.hello)"));
    }

    @Override
    public String name() {
        return "hello/greet";
    }

    @Override
    public String description() {
        return "greets a name, to show how a plugin provides a step";
    }

    @Override
    public Class<GreetConfig> configType() {
        return GreetConfig.class;
    }

    @Override
    public GreetConfig defaultConfig() {
        return new GreetConfig("Hello", 1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.optional("name", String.class, "who to greet; 'world' if absent"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("message", String.class, "the greeting"));
    }

    @Override
    public PortValues run(StepContext context, GreetConfig config, PortValues inputs) {
        String name = inputs.find("name", String.class).orElse("world");
        String message = greeter.greet(config.greeting(), name, config.times());
        context.logger().log(System.Logger.Level.INFO, message);
        return PortValues.of("message", message);
    }
}
