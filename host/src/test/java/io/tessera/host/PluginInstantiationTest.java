package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.PluginState;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the host creates a plugin's provider instances: with Guice where a class asks for injection (constructor,
 * field or method), and directly through {@link java.util.ServiceLoader} where it asks for nothing, with the same
 * results either way; and on which thread plugin code runs.
 */
class PluginInstantiationTest {

    @TempDir
    Path plugins;

    private TesseraHost host() {
        return Tessera.builder().bootPlugins(false).pluginDirectory(plugins).startTimeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void createsAPluginThatInjectsNothingWithoutGuiceAndLeavesItsPackageClosed() {
        PluginJarBuilder.plugin("io.acme.plain")
                .source("io.acme.plain.Words", """
                        package io.acme.plain;
                        public final class Words implements java.util.function.Supplier<String> {
                            public String get() { return "plain words"; }
                        }
                        """)
                .provides("java.util.function.Supplier", "io.acme.plain.Words")
                .buildInto(plugins);
        TestPlugins.stepPlugin("io.acme.injected", "1.0.0").buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();

            assertThat(host.plugins()).extracting(PluginView::state).containsOnly(PluginState.ACTIVE);
            Supplier<?> words = host.extensions(Supplier.class).stream()
                    .filter(s -> s.getClass().getName().equals("io.acme.plain.Words")).findFirst().orElseThrow();
            assertThat(words.get()).isEqualTo("plain words");
            Module guice = Injector.class.getModule();
            assertThat(words.getClass().getModule().isOpen("io.acme.plain", guice))
                    .as("a plugin Guice never touches keeps its package closed").isFalse();
            Step<?> step = host.extensions(Step.class).get(0);
            assertThat(step.getClass().getModule().isOpen("io.acme.injected", guice))
                    .as("a plugin whose classes Guice constructs is opened to it").isTrue();
        }
    }

    @Test
    void injectsTheFieldsOfAClassThatHasNoInjectConstructor() {
        PluginJarBuilder.plugin("io.acme.fields")
                .source("io.acme.fields.Named", """
                        package io.acme.fields;
                        import io.tessera.api.plugin.PluginDescriptor;
                        public class Named implements java.util.function.Supplier<String> {
                            @jakarta.inject.Inject PluginDescriptor descriptor;
                            public String get() { return "field " + descriptor.id(); }
                        }
                        """)
                .source("io.acme.fields.Sub", """
                        package io.acme.fields;
                        public final class Sub extends Named {
                            @Override public String get() { return "sub " + super.get(); }
                        }
                        """)
                .provides("java.util.function.Supplier", "io.acme.fields.Sub")
                .buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();

            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("sub field io.acme.fields");
        }
    }

    @Test
    void injectsTheMembersOfAnInstanceThatAProviderFactoryMade() {
        PluginJarBuilder.plugin("io.acme.factory")
                .source("io.acme.factory.Made", """
                        package io.acme.factory;
                        import io.tessera.api.plugin.PluginContext;
                        public final class Made implements java.util.function.Supplier<String> {
                            private String id = "not injected";
                            private Made() { }
                            public static Made provider() { return new Made(); }
                            @jakarta.inject.Inject
                            void context(PluginContext context) { id = context.descriptor().id(); }
                            public String get() { return "made for " + id; }
                        }
                        """)
                .provides("java.util.function.Supplier", "io.acme.factory.Made")
                .buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();

            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("made for io.acme.factory");
        }
    }

    @Test
    void makesOneInstanceOfAClassThatProvidesSeveralServicesWithoutGuice() {
        PluginJarBuilder.plugin("io.acme.both")
                .source("io.acme.both.Both", """
                        package io.acme.both;
                        import io.tessera.api.plugin.*;
                        public final class Both implements Plugin, java.util.function.Supplier<String> {
                            private volatile String state = "created";
                            public void start(PluginContext context) { state = "started"; }
                            public String get() { return state; }
                        }
                        """)
                .provides("io.tessera.api.plugin.Plugin", "io.acme.both.Both")
                .provides("java.util.function.Supplier", "io.acme.both.Both")
                .buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();

            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .as("the published extension is the instance whose start hook ran").containsExactly("started");
        }
    }

    @Test
    void runsEachStartHookUnderTheNameOfItsPluginWithThePluginsClassLoader() {
        for (String id : List.of("io.acme.first", "io.acme.second")) {
            TestPlugins.hookPlugin(id, """
                    Thread t = Thread.currentThread();
                    String where = t.getName() + " "
                            + (t.getContextClassLoader() == getClass().getClassLoader()) + " " + t.isInterrupted();
                    context.services().register(java.util.function.Supplier.class,
                            (java.util.function.Supplier<String>) () -> where);
                    """).buildInto(plugins);
        }
        try (TesseraHost host = host()) {
            host.start();

            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get).containsExactlyInAnyOrder(
                    "tessera-start-io.acme.first true false", "tessera-start-io.acme.second true false");
            assertThat(Thread.currentThread().getName()).doesNotStartWith("tessera-start-");
        }
    }
}
