package io.tessera.host;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import static io.tessera.testkit.HostilePlugins.goodStep;
import static io.tessera.testkit.HostilePlugins.hooks;
import static io.tessera.testkit.HostilePlugins.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.PluginState;
import io.tessera.testkit.HostilePlugins;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin callbacks are foreign code (issue 17, docs/security.md): each reproduction is a hostile plugin beside a good
 * one, in a real host. Listeners and step metadata that hang or throw never hang the host, never reach the embedder
 * as a raw exception, and are reported on the plugin that owns them.
 *
 * <p>The hostile code "hangs" by sleeping in a loop that ignores interrupts for a few seconds, as a busy loop would,
 * but without burning a core of the build machine; the host cannot tell the two apart.
 */
class HostileCallbacksTest {

    /** A statement that does not return for 6 s and ignores interrupts. */
    static final String HANG = HostilePlugins.hang(Duration.ofSeconds(6));

    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path plugins;

    @AfterEach
    void forgetProperty() {
        System.clearProperty("tessera.test.withdrawn-listener-called");
    }

    private TesseraHost host() {
        return Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .startTimeout(Duration.ofSeconds(2)).stopTimeout(Duration.ofSeconds(2))
                .callbackTimeout(Duration.ofMillis(400)).build();
    }

    private static String messages(PluginView view) {
        return String.join("\n", view.problems().stream().map(Problem::describe).toList());
    }

    @Test
    void aPluginEventListenerThatHangsIsAbandonedReportedAndUnsubscribed() {
        hooks("io.acme.loop", "c.onPluginEvent(e -> " + HANG + ");").buildInto(plugins);
        goodStep("io.acme.good").buildInto(plugins);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (TesseraHost host = host()) {
                host.start();
                assertThat(host.plugin("io.acme.good").orElseThrow().state()).isEqualTo(PluginState.ACTIVE);
                PluginView loop = host.plugin("io.acme.loop").orElseThrow();
                assertThat(loop.problems()).as(messages(loop)).singleElement().satisfies(p -> {
                    assertThat(p.severity()).isEqualTo(Severity.ERROR);
                    assertThat(p.message()).contains("plugin io.acme.loop", "plugin-event listener",
                            "did not return within 400 ms", "will not be called again");
                });
                // unsubscribed: more transitions do not call it again (each call would time out and be reported)
                host.restart("io.acme.good");
                assertThat(host.plugin("io.acme.loop").orElseThrow().problems()).hasSize(1);
            }
        });
    }

    @Test
    void aPluginEventListenerThatThrowsAnErrorIsCaughtAndReportedOnce() {
        hooks("io.acme.thrower", "c.onPluginEvent(e -> { throw new AssertionError(\"boom on \" + e.to()); });")
                .buildInto(plugins);
        goodStep("io.acme.good").buildInto(plugins);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (TesseraHost host = host()) {
                host.start();
                host.restart("io.acme.good");
                assertThat(host.plugins()).extracting(PluginView::state).containsOnly(PluginState.ACTIVE);
                PluginView thrower = host.plugin("io.acme.thrower").orElseThrow();
                assertThat(thrower.problems()).as(messages(thrower)).singleElement().satisfies(p -> {
                    assertThat(p.severity()).isEqualTo(Severity.WARNING);
                    assertThat(p.message()).contains("plugin io.acme.thrower", "plugin-event listener",
                            "threw AssertionError: boom on");
                });
            }
        });
    }

    @Test
    void aServiceListenerThatHangsInStartIsDisabledAndDoesNotHangLaterRegistrations() {
        // the reproduction: the listener is called for the steps already registered, from inside addListener
        goodStep("io.acme.good").buildInto(plugins);
        hooks("io.acme.watcher", "c.services().addListener(io.tessera.api.pipeline.Step.class, r -> " + HANG + ");")
                .buildInto(plugins);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (TesseraHost host = host()) {
                host.start();
                PluginView watcher = host.plugin("io.acme.watcher").orElseThrow();
                assertThat(watcher.problems()).as(messages(watcher)).anySatisfy(p -> assertThat(p.message())
                        .contains("plugin io.acme.watcher", "service listener", "did not return within 400 ms"));
                int reported = watcher.problems().size();
                // the good plugin's step is registered again: the disabled listener is not called (no hang, no report)
                host.restart("io.acme.good");
                assertThat(host.extensions(Step.class)).hasSize(1);
                assertThat(host.plugin("io.acme.watcher").orElseThrow().problems()).hasSize(reported);
            }
        });
    }

    @Test
    void whenAStartTimesOutTheListenersItRegisteredAreWithdrawn() {
        hooks("io.acme.slow", """
                c.services().addListener(java.util.function.Supplier.class,
                        r -> System.setProperty("tessera.test.withdrawn-listener-called", "yes"));
                """ + HANG).buildInto(plugins);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (TesseraHost host = host()) {
                host.start();
                PluginView slow = host.plugin("io.acme.slow").orElseThrow();
                assertThat(slow.state()).isEqualTo(PluginState.FAILED);
                assertThat(messages(slow)).contains("did not finish starting within 2 s",
                        "everything it registered was withdrawn");
                Supplier<String> s = () -> "x";
                host.services().register(Supplier.class, s);
                assertThat(System.getProperty("tessera.test.withdrawn-listener-called")).isNull();
            }
        });
    }

    @Test
    void aStepWhoseNameHangsOrWhoseOutputsThrowFailsItsPluginAndNoOtherStep() {
        step("io.acme.loopname", HANG + " return \"never\";", HostilePlugins.ONE_OUTPUT)
                .buildInto(plugins);
        step("io.acme.badoutputs", "return \"bad\";", "throw new IllegalStateException(\"no outputs today\");")
                .buildInto(plugins);
        goodStep("io.acme.good").buildInto(plugins);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (TesseraHost host = host()) {
                host.start();
                assertThat(host.plugin("io.acme.good").orElseThrow().isActive()).isTrue();
                // every step in the registry answers its metadata: listing them cannot hang or throw
                List<Step> steps = host.extensions(Step.class);
                assertThat(steps).extracting(Step::name).containsExactly("io.acme.good step");
                PluginView loop = host.plugin("io.acme.loopname").orElseThrow();
                assertThat(loop.state()).isEqualTo(PluginState.FAILED);
                assertThat(messages(loop)).contains("did not finish starting within 2 s",
                        "calling name() of its step io.acme.loopname.TheStep");
                PluginView bad = host.plugin("io.acme.badoutputs").orElseThrow();
                assertThat(bad.state()).isEqualTo(PluginState.FAILED);
                assertThat(messages(bad)).contains("its step io.acme.badoutputs.TheStep failed in outputs(): "
                        + "IllegalStateException: no outputs today");
            }
        });
    }

    @Test
    void aNonDaemonThreadThatSurvivesItsPluginIsReportedOnStopAndAtClose() throws Exception {
        hooks("io.acme.spawner", """
                Thread t = new Thread(() -> {
                    try { Thread.sleep(30_000); } catch (InterruptedException e) { }
                }, "acme-worker");
                t.setDaemon(false);
                t.start();
                """).buildInto(plugins);
        try {
            TesseraHost host = host();
            try {
                host.start();
                PluginView stopped = host.stop("io.acme.spawner");
                assertThat(stopped.problems()).as(messages(stopped)).anySatisfy(p -> {
                    assertThat(p.severity()).isEqualTo(Severity.ERROR);
                    assertThat(p.message()).contains("plugin io.acme.spawner", "non-daemon thread 'acme-worker'",
                            "the JVM cannot exit while it runs");
                });
                host.start("io.acme.spawner");
            } finally {
                host.close();
            }
            // the records are gone after close, the problem is not: an embedder can see why the JVM does not exit
            assertThat(host.report().problems()).anySatisfy(p -> assertThat(p.message())
                    .contains("plugin io.acme.spawner", "non-daemon thread 'acme-worker'"));
        } finally {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("acme-worker")) {
                    t.interrupt();
                }
            }
        }
    }
}
