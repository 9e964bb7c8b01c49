package io.tessera.testkit;

import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Plugins that misbehave in their callbacks, for testing that a host or a tool survives them (docs/security.md): a
 * start hook that runs arbitrary code, a step whose {@code name()} or {@code outputs()} runs arbitrary code, and a
 * statement that hangs. Each returns a {@link PluginJarBuilder}, so a test can add to it and build it into a plugin
 * folder beside well-behaved plugins.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class HostilePlugins {

    /** The body of a step's {@code outputs()} that declares one {@code String} output, {@code out}. */
    public static final String ONE_OUTPUT = "return List.of(Port.of(\"out\", String.class, \"\"));";

    private HostilePlugins() {
    }

    /**
     * A statement that does not return for {@code duration} and ignores interrupts, as a busy loop would, but sleeps
     * in 50 ms steps so that it does not burn a core of the build machine; a host cannot tell the two apart.
     */
    public static String hang(Duration duration) {
        return "{ long end = System.nanoTime() + " + duration.toNanos() + "L; while (System.nanoTime() < end) { "
                + "try { Thread.sleep(50); } catch (InterruptedException ignored) { } } }";
    }

    /**
     * A plugin {@code id} whose {@code Plugin.start} runs {@code startBody}, with the {@code PluginContext} as
     * {@code c} (class {@code <id>.Hooks}).
     */
    public static PluginJarBuilder hooks(String id, String startBody) {
        return PluginJarBuilder.plugin(id)
                .source(id + ".Hooks", """
                        package %s;
                        import io.tessera.api.plugin.*;
                        public final class Hooks implements Plugin {
                            @Override
                            public void start(PluginContext c) throws Exception {
                                %s
                            }
                        }
                        """.formatted(id, startBody))
                .provides("io.tessera.api.plugin.Plugin", id + ".Hooks");
    }

    /**
     * A plugin {@code id} with one step (class {@code <id>.TheStep}, config {@code record Config(int n)}) whose
     * {@code name()} runs {@code nameBody} and whose {@code outputs()} runs {@code outputsBody}; its {@code run}
     * returns {@code out = "x"}.
     */
    public static PluginJarBuilder step(String id, String nameBody, String outputsBody) {
        return PluginJarBuilder.plugin(id)
                .source(id + ".TheStep", """
                        package %s;
                        import io.tessera.api.pipeline.*;
                        import java.util.List;
                        public final class TheStep implements Step<TheStep.Config> {
                            public record Config(int n) { }
                            public String name() { %s }
                            public Class<Config> configType() { return Config.class; }
                            public Config defaultConfig() { return new Config(1); }
                            public List<Port> outputs() { %s }
                            public PortValues run(StepContext c, Config config, PortValues in) {
                                return PortValues.of("out", "x");
                            }
                        }
                        """.formatted(id, nameBody, outputsBody))
                .provides("io.tessera.api.pipeline.Step", id + ".TheStep");
    }

    /** A well-behaved plugin {@code id} with one step named {@code "<id> step"} (created without injection). */
    public static PluginJarBuilder goodStep(String id) {
        return step(id, "return \"" + id + " step\";", ONE_OUTPUT);
    }
}
