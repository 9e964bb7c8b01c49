package io.tessera.host;

import io.tessera.testkit.PluginJarBuilder;

/** Sources of the small plugins the host tests load; each is compiled into a real jar by the test kit. */
final class TestPlugins {

    private TestPlugins() {
    }

    /** The Java package of a plugin: its id. */
    static String pkg(String id) {
        return id;
    }

    /**
     * A plugin with a step named {@code "<id> <version> <greeting>"}, built by constructor injection from the
     * plugin's descriptor and a helper class of its own, and a start hook that registers a {@code Supplier} saying
     * {@code "started <id>"}. Its package is not opened: the host must open it to Guice itself.
     */
    static PluginJarBuilder stepPlugin(String id, String version) {
        String p = pkg(id);
        return PluginJarBuilder.plugin(id).version(version)
                .source(p + ".Helper", """
                        package %s;
                        @jakarta.inject.Singleton
                        public final class Helper {
                            private final String word;
                            @jakarta.inject.Inject
                            public Helper(io.tessera.api.plugin.PluginContext context) { this("hello"); }
                            Helper(String word) { this.word = word; }
                            public String hello() { return word; }
                        }
                        """.formatted(p))
                .source(p + ".TheStep", """
                        package %s;
                        import io.tessera.api.pipeline.*;
                        import io.tessera.api.plugin.PluginDescriptor;
                        import jakarta.inject.Inject;
                        import java.util.List;
                        public final class TheStep implements Step<TheStep.Config> {
                            public record Config(int n) { }
                            private final String name;
                            @Inject
                            public TheStep(PluginDescriptor descriptor, Helper helper) {
                                this.name = descriptor.id() + " " + descriptor.version() + " " + helper.hello();
                            }
                            public static TheStep provider() {
                                throw new UnsupportedOperationException("the host injects this class");
                            }
                            public String name() { return name; }
                            public Class<Config> configType() { return Config.class; }
                            public Config defaultConfig() { return new Config(1); }
                            public List<Port> outputs() { return List.of(Port.of("out", String.class, "")); }
                            public PortValues run(StepContext c, Config config, PortValues in) {
                                return PortValues.of("out", name);
                            }
                        }
                        """.formatted(p))
                .source(p + ".Hooks", """
                        package %s;
                        import io.tessera.api.plugin.*;
                        import java.util.function.Supplier;
                        public final class Hooks implements Plugin {
                            public void start(PluginContext context) {
                                String id = context.descriptor().id();
                                Supplier<String> s = () -> "started " + id;
                                context.services().register(Supplier.class, s);
                            }
                        }
                        """.formatted(p))
                .provides("io.tessera.api.pipeline.Step", p + ".TheStep")
                .provides("io.tessera.api.plugin.Plugin", p + ".Hooks");
    }

    /** A plugin whose start hook runs {@code body} (Java statements, with {@code context} in scope). */
    static PluginJarBuilder hookPlugin(String id, String body) {
        String p = pkg(id);
        return PluginJarBuilder.plugin(id)
                .source(p + ".Hooks", """
                        package %s;
                        import io.tessera.api.plugin.*;
                        public final class Hooks implements Plugin {
                            public void start(PluginContext context) throws Exception {
                                %s
                            }
                        }
                        """.formatted(p, body))
                .provides("io.tessera.api.plugin.Plugin", p + ".Hooks");
    }
}
