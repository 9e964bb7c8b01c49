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
import io.tessera.api.plugin.PluginEvent;
import io.tessera.api.problem.Problem;
import io.tessera.testkit.PluginFiles;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotDeployTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path plugins;

    @TempDir
    Path build;

    private TesseraHost watchingHost(RecordingListener events, Duration settle) {
        return Tessera.builder().bootPlugins(false).pluginDirectory(plugins).watch(true).settleTime(settle)
                .listener(events).build();
    }

    private static Optional<io.tessera.api.plugin.PluginState> state(TesseraHost host, String id) {
        return host.plugin(id).map(PluginView::state);
    }

    private static boolean is(TesseraHost host, String id, io.tessera.api.plugin.PluginState s) {
        return host.plugin(id).map(p -> p.state() == s).orElse(false);
    }

    private static PluginJarBuilder base(String answer) {
        return TestPlugins.hookPlugin("io.acme.base", "").exports("io.acme.base")
                .source("io.acme.base.Answer", """
                        package io.acme.base;
                        public final class Answer { public static String get() { return "%s"; } }
                        """.formatted(answer));
    }

    private static PluginJarBuilder app(Path baseJar) {
        return TestPlugins.hookPlugin("io.acme.app", "context.services().register(java.util.function.Supplier.class, "
                        + "(java.util.function.Supplier<String>) () -> \"app sees \" + io.acme.base.Answer.get());")
                .requires("io.acme.base", "[1.0,2.0)").compileAgainst(baseJar);
    }

    @Test
    void installsAJarDroppedIntoAWatchedFolder() {
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = watchingHost(events, Duration.ofMillis(100))) {
            host.start();
            assertThat(host.plugins()).isEmpty();

            TestPlugins.stepPlugin("io.acme.late", "1.0.0").buildInto(plugins);

            Await.until("io.acme.late to become ACTIVE", WAIT, () -> is(host, "io.acme.late", ACTIVE)
                    && events.statesOf("io.acme.late").contains(ACTIVE), host::plugins);
            assertThat(host.extensions(Step.class)).extracting(Step::name).containsExactly("io.acme.late 1.0.0 hello");
            assertThat(events.statesOf("io.acme.late")).containsExactly(INSTALLED, RESOLVED, STARTING, ACTIVE);
        }
    }

    @Test
    void picksUpAPluginFolderCreatedAfterTheHostStarted() throws Exception {
        Path later = plugins.resolve("not-yet");
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(later).watch(true)
                .settleTime(Duration.ofMillis(100)).build()) {
            host.start();
            Files.createDirectories(later);
            TestPlugins.stepPlugin("io.acme.late", "1.0.0").buildInto(later);
            Await.until("io.acme.late to become ACTIVE", WAIT, () -> is(host, "io.acme.late", ACTIVE),
                    host::plugins);
        }
    }

    @Test
    void updatesAReplacedJarAndRestartsItsDependents() {
        Path baseJar = base("42").buildAs(plugins.resolve("base.jar"));
        app(baseJar).buildAs(plugins.resolve("app.jar"));
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = watchingHost(events, Duration.ofMillis(100))) {
            host.start();
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get).containsExactly("app sees 42");
            Class<?> oldAnswer = host.extensions(Supplier.class).get(0).getClass();
            events.clear();

            Path newBase = base("43").version("1.1.0").buildInto(build);
            PluginFiles.replaceAtomically(newBase, plugins.resolve("base.jar"));

            Await.until("the app to see the new base", WAIT, () -> host.extensions(Supplier.class).stream()
                    .anyMatch(s -> s.get().equals("app sees 43")), host::plugins);
            // extensions are published before the ACTIVE event is delivered: wait for the event too
            Await.until("the restarted app's ACTIVE event", WAIT,
                    () -> events.transitions().contains("io.acme.app:STARTING->ACTIVE"), events::transitions);
            assertThat(host.plugin("io.acme.base").orElseThrow().version()).isEqualTo("1.1.0");
            assertThat(host.extensions(Supplier.class)).hasSize(1);
            assertThat(host.extensions(Supplier.class).get(0).getClass()).isNotSameAs(oldAnswer);
            // dependents stop first and start last
            assertThat(events.transitions()).containsSubsequence(
                    "io.acme.app:ACTIVE->STOPPING", "io.acme.base:ACTIVE->STOPPING",
                    "io.acme.base:RESOLVED->UNINSTALLED",
                    "io.acme.base:STARTING->ACTIVE", "io.acme.app:STARTING->ACTIVE");
            assertThat(events.statesOf("io.acme.app")).containsExactly(STOPPING, RESOLVED, UNINSTALLED, INSTALLED,
                    RESOLVED, STARTING, ACTIVE);
        }
    }

    @Test
    void uninstallsARemovedJarAndResolvesItsDependentAgainWhenItComesBack() throws Exception {
        Path baseJar = base("42").buildAs(plugins.resolve("base.jar"));
        app(baseJar).buildAs(plugins.resolve("app.jar"));
        Path spare = Files.copy(baseJar, build.resolve("base.jar"));
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = watchingHost(events, Duration.ofMillis(100))) {
            host.start();
            assertThat(host.plugins()).extracting(PluginView::state).containsOnly(ACTIVE);

            Files.delete(baseJar);

            Await.until("io.acme.base to be gone", WAIT, () -> host.plugin("io.acme.base").isEmpty(), host::plugins);
            Await.until("io.acme.app to wait for its dependency", WAIT, () -> is(host, "io.acme.app", INSTALLED));
            assertThat(events.statesOf("io.acme.base")).endsWith(STOPPING, RESOLVED, UNINSTALLED);
            assertThat(host.plugin("io.acme.app").orElseThrow().problems()).extracting(Problem::message)
                    .containsExactly("plugin io.acme.app 1.0.0 (" + plugins.resolve("app.jar") + ") requires "
                            + "io.acme.base [1.0,2.0) but no plugin io.acme.base is installed");
            assertThat(host.extensions(Supplier.class)).isEmpty();

            PluginFiles.replaceAtomically(spare, plugins.resolve("base.jar"));

            Await.until("io.acme.app to be ACTIVE again", WAIT, () -> is(host, "io.acme.app", ACTIVE),
                    host::plugins);
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get).containsExactly("app sees 42");
            assertThat(host.report().problems()).isEmpty();
        }
    }

    @Test
    void doesNotLoadAJarWhileItIsStillBeingCopied() {
        Path jar = TestPlugins.stepPlugin("io.acme.slow", "1.0.0").buildInto(build);
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = watchingHost(events, Duration.ofMillis(400))) {
            host.start();

            PluginFiles.slowCopy(jar, plugins.resolve("io.acme.slow-1.0.0.jar"), 6, Duration.ofMillis(150));

            Await.until("io.acme.slow to become ACTIVE", WAIT, () -> is(host, "io.acme.slow", ACTIVE)
                    && events.statesOf("io.acme.slow").contains(ACTIVE), host::plugins);
            List<PluginEvent> all = events.events();
            assertThat(all).extracting(PluginEvent::to).doesNotContain(FAILED);
            assertThat(events.statesOf("io.acme.slow")).containsExactly(INSTALLED, RESOLVED, STARTING, ACTIVE);
            assertThat(host.report().problems()).isEmpty();
        }
    }

    @Test
    void refreshAppliesFolderChangesWithoutAWatcher() throws Exception {
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            Path jar = TestPlugins.stepPlugin("io.acme.one", "1.0.0").buildInto(plugins);
            assertThat(host.plugins()).isEmpty();
            host.refresh();
            assertThat(state(host, "io.acme.one")).contains(ACTIVE);
            Files.delete(jar);
            host.refresh();
            assertThat(host.plugins()).isEmpty();
        }
    }
}
