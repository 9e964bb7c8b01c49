package io.tessera.host;

import static io.tessera.api.plugin.PluginState.ACTIVE;
import static io.tessera.api.plugin.PluginState.FAILED;
import static io.tessera.api.plugin.PluginState.INSTALLED;
import static io.tessera.api.plugin.PluginState.RESOLVED;
import static io.tessera.api.plugin.PluginState.STARTING;
import static io.tessera.api.plugin.PluginState.STOPPING;
import static io.tessera.api.plugin.PluginState.UNINSTALLED;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.PluginState;
import io.tessera.api.plugin.ServiceListener;
import io.tessera.api.plugin.ServiceReference;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLifecycleTest {

    @TempDir
    Path plugins;

    private TesseraHost host(RecordingListener listener) {
        return Tessera.builder().bootPlugins(false).pluginDirectory(plugins).listener(listener)
                .startTimeout(Duration.ofSeconds(30)).stopTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void runsTheHostOnTheModulePathSoPluginLayersCanReadTheApiModule() {
        assertThat(Tessera.class.getModule().isNamed()).isTrue();
        assertThat(io.tessera.api.plugin.Plugin.class.getModule().getLayer()).isSameAs(ModuleLayer.boot());
    }

    @Test
    void injectsHostServicesAndPluginClassesIntoALayerPluginThatDoesNotOpenItsPackage() {
        TestPlugins.stepPlugin("io.acme.one", "1.2.0").buildInto(plugins);
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = host(events)) {
            host.start();

            assertThat(host.plugins()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(ACTIVE);
                assertThat(p.source()).isEqualTo(plugins.resolve("io.acme.one-1.2.0.jar").toString());
                assertThat(p.problems()).isEmpty();
            });
            Step<?> step = host.extensions(Step.class).get(0);
            assertThat(step.name()).isEqualTo("io.acme.one 1.2.0 hello");
            assertThat(step.getClass().getModule().getName()).isEqualTo("io.acme.one");
            assertThat(step.getClass().getModule().getLayer()).isNotSameAs(ModuleLayer.boot());
            assertThat(step.getClass().getModule().getDescriptor().opens()).isEmpty();
            assertThat(host.services().all(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("started io.acme.one");
        }
    }

    @Test
    void goesThroughEveryLifecycleStateWithAnEventForEachTransition() {
        TestPlugins.stepPlugin("io.acme.one", "1.0.0").buildInto(plugins);
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = host(events)) {
            host.start();
            assertThat(events.statesOf("io.acme.one")).containsExactly(INSTALLED, RESOLVED, STARTING, ACTIVE);
        }
        assertThat(events.statesOf("io.acme.one")).containsExactly(INSTALLED, RESOLVED, STARTING, ACTIVE,
                STOPPING, RESOLVED, UNINSTALLED);
        assertThat(events.events().get(0).from()).isEqualTo(UNINSTALLED);
    }

    @Test
    void startsInDependencyOrderAndStopsInReverse() throws Exception {
        Path base = PluginJarBuilder.plugin("io.acme.base")
                .source("io.acme.base.Names", """
                        package io.acme.base;
                        public final class Names { public static String of(String s) { return "base:" + s; } }
                        """)
                .exports("io.acme.base")
                .buildInto(plugins);
        TestPlugins.hookPlugin("io.acme.app", "context.services().register(java.util.function.Supplier.class, "
                        + "(java.util.function.Supplier<String>) () -> io.acme.base.Names.of(\"app\"));")
                .requires("io.acme.base", "[1.0,2.0)").compileAgainst(base)
                .buildInto(plugins);
        // 'io.acme.aaa' sorts first by name but requires the others, so it must start last
        TestPlugins.hookPlugin("io.acme.aaa", "")
                .requires("io.acme.app", "[1.0,2.0)").compileAgainst(base, plugins.resolve("io.acme.app-1.0.0.jar"))
                .buildInto(plugins);
        RecordingListener events = new RecordingListener();
        List<String> activations = new ArrayList<>();
        try (TesseraHost host = host(events)) {
            host.start();
            assertThat(host.plugins()).extracting(PluginView::state).containsOnly(ACTIVE);
            assertThat(host.services().all(Supplier.class)).extracting(Supplier::get).containsExactly("base:app");
            events.events().stream().filter(e -> e.to() == ACTIVE).forEach(e -> activations.add(e.pluginId()));
            assertThat(activations).containsExactly("io.acme.base", "io.acme.app", "io.acme.aaa");
            events.clear();
        }
        List<String> stops = events.events().stream().filter(e -> e.to() == STOPPING).map(e -> e.pluginId()).toList();
        assertThat(stops).containsExactly("io.acme.aaa", "io.acme.app", "io.acme.base");
    }

    @Test
    void marksAPluginThatThrowsInStartFailedAndStartsTheOthers() {
        TestPlugins.hookPlugin("io.acme.thrower", "throw new IllegalStateException(\"no database\");")
                .buildInto(plugins);
        TestPlugins.stepPlugin("io.acme.good", "1.0.0").buildInto(plugins);
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = host(events)) {
            host.start();
            assertThat(host.plugin("io.acme.good").orElseThrow().state()).isEqualTo(ACTIVE);
            PluginView bad = host.plugin("io.acme.thrower").orElseThrow();
            assertThat(bad.state()).isEqualTo(FAILED);
            assertThat(bad.problems()).singleElement().satisfies(p -> {
                assertThat(p.severity()).isEqualTo(Severity.ERROR);
                assertThat(p.message()).isEqualTo("plugin io.acme.thrower 1.0.0 ("
                        + plugins.resolve("io.acme.thrower-1.0.0.jar") + ") failed in start: "
                        + "IllegalStateException: no database");
            });
            assertThat(events.events()).filteredOn(e -> e.to() == FAILED).singleElement()
                    .satisfies(e -> assertThat(e.failureMessage()).hasValueSatisfying(
                            m -> assertThat(m).contains("no database")));
        }
    }

    @Test
    void marksAPluginThatHangsInStartFailedAfterTheTimeoutAndGoesOn() {
        TestPlugins.hookPlugin("io.acme.hangs", "Thread.sleep(60_000);").buildInto(plugins);
        TestPlugins.stepPlugin("io.acme.good", "1.0.0").buildInto(plugins);
        long t0 = System.nanoTime();
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .startTimeout(Duration.ofSeconds(3)).build()) {
            host.start();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(50));
            PluginView hung = host.plugin("io.acme.hangs").orElseThrow();
            assertThat(hung.state()).isEqualTo(FAILED);
            assertThat(hung.problems()).singleElement().satisfies(p -> {
                assertThat(p.message()).endsWith("did not finish starting within 3 s (it was running "
                        + "io.acme.hangs.Hooks.start); it was abandoned and everything it registered was withdrawn");
                assertThat(p.hint()).contains("thread of your own");
            });
            assertThat(host.plugin("io.acme.good").orElseThrow().state()).isEqualTo(ACTIVE);
        }
    }

    @Test
    void doesNotStartAPluginWhoseDependencyFailedToStart() {
        Path base = TestPlugins.hookPlugin("io.acme.base", "throw new RuntimeException(\"broken\");")
                .exports("io.acme.base").buildInto(plugins);
        TestPlugins.hookPlugin("io.acme.app", "").requires("io.acme.base", "[1.0,2.0)").compileAgainst(base)
                .buildInto(plugins);
        try (TesseraHost host = host(new RecordingListener())) {
            host.start();
            assertThat(host.plugin("io.acme.base").orElseThrow().state()).isEqualTo(FAILED);
            PluginView app = host.plugin("io.acme.app").orElseThrow();
            assertThat(app.state()).isEqualTo(RESOLVED);
            assertThat(app.problems()).extracting(Problem::message).singleElement().asString()
                    .contains("was not started because it requires plugin io.acme.base 1.0.0").endsWith("FAILED");
        }
    }

    @Test
    void publishesExtensionsWhenAPluginStartsAndWithdrawsThemWhenItStops() {
        TestPlugins.stepPlugin("io.acme.one", "1.0.0").buildInto(plugins);
        List<String> seen = new ArrayList<>();
        TesseraHost host = host(new RecordingListener());
        host.services().addListener(Step.class, new ServiceListener<>() {
            @Override
            public void added(ServiceReference<Step> ref) {
                seen.add("+" + ref.service().name() + " from " + ref.pluginId());
            }

            @Override
            public void removed(ServiceReference<Step> ref) {
                seen.add("-" + ref.service().name());
            }
        });
        host.start();
        assertThat(host.services().references(Step.class)).extracting(ServiceReference::pluginId)
                .containsExactly("io.acme.one");
        host.close();
        assertThat(seen).containsExactly("+io.acme.one 1.0.0 hello from io.acme.one", "-io.acme.one 1.0.0 hello");
        assertThat(host.extensions(Step.class)).isEmpty();
        assertThat(host.services().types()).isEmpty();
    }

    @Test
    void publishesExtensionsOfAnExtensionPointThatAPluginDeclares() {
        Path api = PluginJarBuilder.plugin("io.acme.text")
                .source("io.acme.text.spi.Tokenizer", """
                        package io.acme.text.spi;
                        @io.tessera.api.plugin.ExtensionPoint(name = "acme/tokenizer")
                        public interface Tokenizer { java.util.List<String> split(String s); }
                        """)
                .exports("io.acme.text.spi").uses("io.acme.text.spi.Tokenizer")
                .buildInto(plugins);
        PluginJarBuilder.plugin("io.acme.words")
                .source("io.acme.words.Words", """
                        package io.acme.words;
                        public final class Words implements io.acme.text.spi.Tokenizer {
                            public java.util.List<String> split(String s) { return java.util.List.of(s.split(" ")); }
                        }
                        """)
                .requires("io.acme.text", "[1.0,2.0)").compileAgainst(api)
                .provides("io.acme.text.spi.Tokenizer", "io.acme.words.Words")
                .buildInto(plugins);
        try (TesseraHost host = host(new RecordingListener())) {
            host.start();
            Class<?> tokenizer = host.services().types().stream()
                    .filter(t -> t.getName().equals("io.acme.text.spi.Tokenizer")).findFirst().orElseThrow();
            assertThat(tokenizer.getAnnotation(io.tessera.api.plugin.ExtensionPoint.class).name())
                    .isEqualTo("acme/tokenizer");
            assertThat(tokenizer.getModule().getName()).isEqualTo("io.acme.text");
            assertThat(host.services().references(tokenizer)).singleElement()
                    .satisfies(r -> assertThat(r.pluginId()).isEqualTo("io.acme.words"));
        }
    }

    @Test
    void keepsTwoHostsInOneJvmApart(@TempDir Path otherPlugins) {
        TestPlugins.stepPlugin("io.acme.one", "1.0.0").buildInto(plugins);
        TestPlugins.stepPlugin("io.acme.one", "2.0.0").buildInto(otherPlugins);
        TestPlugins.stepPlugin("io.acme.two", "1.0.0").buildInto(otherPlugins);
        RecordingListener firstEvents = new RecordingListener();
        try (TesseraHost first = host(firstEvents);
             TesseraHost second = Tessera.builder().bootPlugins(false).pluginDirectory(otherPlugins).build()) {
            first.start();
            second.start();
            assertThat(first.extensions(Step.class)).extracting(Step::name).containsExactly("io.acme.one 1.0.0 hello");
            assertThat(second.extensions(Step.class)).extracting(Step::name)
                    .containsExactlyInAnyOrder("io.acme.one 2.0.0 hello", "io.acme.two 1.0.0 hello");
            Class<?> firstClass = first.extensions(Step.class).get(0).getClass();
            Class<?> secondClass = second.extensions(Step.class).stream()
                    .filter(s -> s.name().startsWith("io.acme.one")).findFirst().orElseThrow().getClass();
            assertThat(firstClass.getName()).isEqualTo(secondClass.getName());
            assertThat(firstClass).isNotSameAs(secondClass);
            assertThat(first.plugins()).extracting(PluginView::id).containsExactly("io.acme.one");

            second.close();
            assertThat(first.plugin("io.acme.one").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(firstEvents.events()).allSatisfy(e -> assertThat(e.pluginId()).isEqualTo("io.acme.one"))
                    .extracting(e -> e.to()).doesNotContain(PluginState.STOPPING);
        }
    }
}
