package io.tessera.host;

import static io.tessera.api.plugin.PluginState.ACTIVE;
import static io.tessera.api.plugin.PluginState.RESOLVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.PluginFiles;
import io.tessera.testkit.PluginJarBuilder;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-plugin lifecycle control of the embedding API: stop, start, restart and uninstall one plugin (issue 21). */
class PluginControlTest {

    private static final String BASE = "io.acme.base";
    private static final String APP = "io.acme.app";
    private static final String TOP = "io.acme.top";

    @TempDir
    Path plugins;

    @TempDir
    Path build;

    private static PluginJarBuilder base(String version) {
        return TestPlugins.hookPlugin(BASE, "").exports(BASE).version(version)
                .source("io.acme.base.Answer", """
                        package io.acme.base;
                        public final class Answer { public static String get() { return "%s"; } }
                        """.formatted(version));
    }

    private static PluginJarBuilder dependent(String id, Path baseJar) {
        return TestPlugins.hookPlugin(id, """
                java.util.function.Supplier<String> s = () -> "%s sees " + io.acme.base.Answer.get();
                context.services().register(java.util.function.Supplier.class, s);
                """.formatted(id)).requires(BASE, "[1.0,2.0)").compileAgainst(baseJar);
    }

    /** base ← app ← top (top requires app, app requires base). */
    private TesseraHost chain(RecordingListener events) {
        Path baseJar = base("1.0.0").buildAs(plugins.resolve("base.jar"));
        Path appJar = dependent(APP, baseJar).exports(APP).buildAs(plugins.resolve("app.jar"));
        TestPlugins.hookPlugin(TOP, "").requires(APP, "[1.0,2.0)").compileAgainst(appJar, baseJar)
                .buildAs(plugins.resolve("top.jar"));
        TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).settleTime(Duration.ZERO)
                .listener(events).build();
        host.start();
        assertThat(host.plugins()).hasSize(3).allMatch(PluginView::isActive);
        events.clear();
        return host;
    }

    private static io.tessera.api.plugin.PluginState state(TesseraHost host, String id) {
        return host.plugin(id).orElseThrow().state();
    }

    @Test
    void stopStopsTheDependentsFirstAndStartBringsThemBack() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            PluginView stopped = host.stop(BASE);

            assertThat(stopped.state()).isEqualTo(RESOLVED);
            assertThat(state(host, APP)).isEqualTo(RESOLVED);
            assertThat(state(host, TOP)).isEqualTo(RESOLVED);
            assertThat(host.extensions(Supplier.class)).isEmpty();
            assertThat(events.transitions()).containsExactly(
                    "io.acme.top:ACTIVE->STOPPING", "io.acme.top:STOPPING->RESOLVED",
                    "io.acme.app:ACTIVE->STOPPING", "io.acme.app:STOPPING->RESOLVED",
                    "io.acme.base:ACTIVE->STOPPING", "io.acme.base:STOPPING->RESOLVED");
            assertThat(host.report().problems()).as("a deliberate stop is no problem").isEmpty();

            events.clear();
            assertThat(host.start(BASE).state()).isEqualTo(ACTIVE);
            assertThat(events.transitions()).containsExactly(
                    "io.acme.base:RESOLVED->STARTING", "io.acme.base:STARTING->ACTIVE",
                    "io.acme.app:RESOLVED->STARTING", "io.acme.app:STARTING->ACTIVE",
                    "io.acme.top:RESOLVED->STARTING", "io.acme.top:STARTING->ACTIVE");
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("io.acme.app sees 1.0.0");
        }
    }

    @Test
    void startingADependentStartsTheStoppedPluginsItRequiresFirst() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            host.stop(BASE);
            events.clear();

            assertThat(host.start(APP).state()).isEqualTo(ACTIVE);
            assertThat(events.transitions()).startsWith("io.acme.base:RESOLVED->STARTING",
                    "io.acme.base:STARTING->ACTIVE", "io.acme.app:RESOLVED->STARTING", "io.acme.app:STARTING->ACTIVE");
            assertThat(state(host, BASE)).isEqualTo(ACTIVE);
        }
    }

    @Test
    void restartStopsDependentsFirstAndStartsThemAfter() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            assertThat(host.restart(APP).state()).isEqualTo(ACTIVE);

            assertThat(events.transitions()).containsExactly(
                    "io.acme.top:ACTIVE->STOPPING", "io.acme.top:STOPPING->RESOLVED",
                    "io.acme.app:ACTIVE->STOPPING", "io.acme.app:STOPPING->RESOLVED",
                    "io.acme.app:RESOLVED->STARTING", "io.acme.app:STARTING->ACTIVE",
                    "io.acme.top:RESOLVED->STARTING", "io.acme.top:STARTING->ACTIVE");
            assertThat(state(host, BASE)).isEqualTo(ACTIVE);
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("io.acme.app sees 1.0.0");
        }
    }

    @Test
    void aStoppedPluginStaysStoppedWhenWhatItRequiresIsReloaded() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            host.stop(APP);
            PluginFiles.replaceAtomically(base("1.1.0").buildInto(build), plugins.resolve("base.jar"));
            host.refresh();

            assertThat(host.plugin(BASE).orElseThrow().version()).isEqualTo("1.1.0");
            assertThat(state(host, BASE)).isEqualTo(ACTIVE);
            assertThat(state(host, APP)).isEqualTo(RESOLVED);
            assertThat(state(host, TOP)).isEqualTo(RESOLVED);
            assertThat(host.report().problems()).isEmpty();

            host.start(APP);
            assertThat(state(host, TOP)).isEqualTo(ACTIVE);
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("io.acme.app sees 1.1.0");
        }
    }

    @Test
    void uninstallReleasesTheLayerLeavesDependentsUnresolvedAndLastsUntilTheJarChanges() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            WeakReference<ClassLoader> loader = loaderOf(host);

            host.uninstall(APP);

            assertThat(host.plugin(APP)).isEmpty();
            assertThat(events.transitions()).containsSubsequence("io.acme.top:ACTIVE->STOPPING",
                    "io.acme.app:ACTIVE->STOPPING", "io.acme.app:RESOLVED->UNINSTALLED");
            assertThat(state(host, BASE)).isEqualTo(ACTIVE);
            assertThat(host.plugin(TOP).orElseThrow().isActive()).isFalse();
            assertThat(host.report().problems()).anySatisfy(p -> {
                assertThat(p.pluginId()).isEqualTo(TOP);
                assertThat(p.message()).contains("requires io.acme.app").contains("no plugin io.acme.app is installed");
            });
            Await.until("the uninstalled plugin's class loader to be collected", Duration.ofSeconds(20), () -> {
                System.gc();
                return loader.get() == null;
            });

            host.refresh();
            assertThat(host.plugin(APP)).as("the same jar stays uninstalled").isEmpty();

            // a new build in its place is installed again, and top resolves against it
            Path baseJar = plugins.resolve("base.jar");
            PluginFiles.replaceAtomically(dependent(APP, baseJar).exports(APP).version("1.0.1").buildInto(build),
                    plugins.resolve("app.jar"));
            host.refresh();
            assertThat(state(host, APP)).isEqualTo(ACTIVE);
            assertThat(state(host, TOP)).isEqualTo(ACTIVE);
        }
    }

    @Test
    void aFailedStartCanBeRetried() {
        // fails on its first start only: the counter lives in the plugin's class, which stays loaded
        TestPlugins.hookPlugin("io.acme.flaky", """
                if (io.acme.flaky.Count.next() == 1) throw new IllegalStateException("first start fails");
                """).source("io.acme.flaky.Count", """
                        package io.acme.flaky;
                        public final class Count {
                            private static int n;
                            public static synchronized int next() { return ++n; }
                        }
                        """).buildInto(plugins);
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).build()) {
            host.start();
            assertThat(state(host, "io.acme.flaky")).isEqualTo(io.tessera.api.plugin.PluginState.FAILED);
            assertThat(host.report().problems()).anySatisfy(p -> assertThat(p.message()).contains("first start"));

            assertThat(host.start("io.acme.flaky").state()).isEqualTo(ACTIVE);
            assertThat(host.report().problems()).as("the old failure is cleared").isEmpty();
        }
    }

    @Test
    void unknownIdsAreNamedWithTheIdsTheHostHas() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = chain(events)) {
            assertThatThrownBy(() -> host.stop("io.acme.nope")).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("no plugin 'io.acme.nope'").hasMessageContaining(BASE);
        }
    }

    // a separate method, so that no local variable of the caller holds the extension or its class
    private static WeakReference<ClassLoader> loaderOf(TesseraHost host) {
        return new WeakReference<>(host.extensions(Supplier.class).get(0).getClass().getClassLoader());
    }
}
