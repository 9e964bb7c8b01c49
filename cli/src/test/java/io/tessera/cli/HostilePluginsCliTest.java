package io.tessera.cli;

import static io.tessera.cli.TesseraCliTest.parse;
import static io.tessera.testkit.HostilePlugins.hooks;
import static io.tessera.testkit.HostilePlugins.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.testkit.HostilePlugins;
import io.tessera.testkit.PluginJarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against hostile plugins (issue 17, docs/security.md): each jar lies beside a good plugin in the
 * folder given with {@code --plugins-dir}, as in the reproductions.
 */
class HostilePluginsCliTest {

    /** Does not return for 5 s and ignores interrupts (a hang that does not burn a core of the build machine). */
    private static final String HANG = HostilePlugins.hang(Duration.ofSeconds(5));

    /** Short plugin timeouts, so that the hostile plugins cost the tests little time. */
    private static final Map<String, String> FAST = Map.of(PluginDirectoryOptions.TIMEOUT_ENV, "700ms");

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    private static final String OUTPUTS = HostilePlugins.ONE_OUTPUT;

    private static JsonNode entry(JsonNode array, String id) {
        for (JsonNode node : array) {
            if (node.get("id").asText().equals(id)) {
                return node;
            }
        }
        throw new AssertionError("no entry " + id + " in " + array);
    }

    @Test
    void pluginOutputOnSystemOutGoesToStderrAndTheJsonStillParses() {
        hooks("io.acme.chatty", "System.out.println(\"hello\");").buildInto(plugins);
        hooks("io.acme.good", "").buildInto(plugins);
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = TesseraCli.runWithStandardStreams(new CliEnvironment(Map.of(), Optional.empty()),
                    "plugins", "--plugins-dir", plugins.toString(), "--json");
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stderr).isZero();
        assertThat(stdout).doesNotContain("hello");
        assertThat(stderr).contains("hello");
        JsonNode array = parse(stdout);
        assertThat(entry(array, "io.acme.chatty").get("state").asText()).isEqualTo("ACTIVE");
        assertThat(entry(array, "io.acme.good").get("state").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void aHangingOrThrowingPluginEventListenerDoesNotHangOrBreakTheJson() {
        hooks("io.acme.loop", "c.onPluginEvent(e -> " + HANG + ");").buildInto(plugins);
        hooks("io.acme.thrower", "c.onPluginEvent(e -> { throw new AssertionError(\"boom\"); });").buildInto(plugins);
        hooks("io.acme.good", "").buildInto(plugins);
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CliRun.run(FAST, "plugins", "--plugins-dir", plugins.toString(), "--json"));
        JsonNode array = parse(run.out());
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(entry(array, "io.acme.good").get("state").asText()).isEqualTo("ACTIVE");
        assertThat(entry(array, "io.acme.loop").get("problems").toString())
                .contains("plugin-event listener", "did not return within 700 ms");
        assertThat(entry(array, "io.acme.thrower").get("problems").toString())
                .contains("plugin-event listener", "threw AssertionError: boom");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE); // the hung listener is an ERROR
    }

    @Test
    void stepsAndValidateListTheGoodStepsWhenOneStepNameHangsAndAnotherStepsOutputsThrow() throws IOException {
        step("io.acme.loopname", HANG + " return \"never\";", OUTPUTS).buildInto(plugins);
        step("io.acme.badoutputs", "return \"acme/bad\";", "throw new IllegalStateException(\"no outputs\");")
                .buildInto(plugins);
        step("io.acme.good", "return \"acme/good\";", OUTPUTS).buildInto(plugins);

        CliRun steps = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CliRun.run(FAST, "steps", "--plugins-dir", plugins.toString(), "--json"));
        assertThat(steps.exitCode()).as(steps.err()).isZero();
        List<String> names = new ArrayList<>();
        parse(steps.out()).forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).contains("acme/good", "core/train").doesNotContain("acme/bad", "never");

        Path pipeline = Files.writeString(work.resolve("p.yaml"),
                "name: ok\nsteps:\n  cmp: { uses: core/compare, inputs: { metrics: [] } }\n");
        CliRun validate = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CliRun.run(FAST, "validate", pipeline.toString(), "--plugins-dir", plugins.toString()));
        assertThat(validate.exitCode()).as(validate.err()).isZero();

        CliRun listing = CliRun.run(FAST, "plugins", "--plugins-dir", plugins.toString(), "--json");
        JsonNode array = parse(listing.out());
        assertThat(entry(array, "io.acme.loopname").get("problems").toString())
                .contains("calling name() of its step io.acme.loopname.TheStep");
        assertThat(entry(array, "io.acme.badoutputs").get("problems").toString())
                .contains("failed in outputs(): IllegalStateException: no outputs");
    }

    @Test
    void pluginsLockWritesTheLockAndTheLockRefusesJarsNotInIt() throws IOException {
        hooks("io.acme.good", "").buildInto(plugins);
        Path lock = work.resolve("tessera-plugins.lock");
        CliRun written = CliRun.run("plugins", "lock", "--plugins-dir", plugins.toString(), "--output", lock.toString());
        assertThat(written.exitCode()).as(written.err()).isZero();
        assertThat(written.err()).contains("wrote 1 jar(s) of 1 plugin(s) to " + lock);
        assertThat(Files.readString(lock)).containsPattern("(?m)^io\\.acme\\.good 1\\.0\\.0 sha256:[0-9a-f]{64} "
                + "io\\.acme\\.good-1\\.0\\.0\\.jar$");

        hooks("io.acme.stranger", "").buildInto(plugins);
        CliRun run = CliRun.run(Map.of("TESSERA_PLUGIN_LOCK", lock.toString()), "plugins", "--plugins-dir",
                plugins.toString(), "--json");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        JsonNode array = parse(run.out());
        assertThat(entry(array, "io.acme.good").get("state").asText()).isEqualTo("ACTIVE");
        JsonNode stranger = entry(array, "io.acme.stranger-1.0.0.jar");
        assertThat(stranger.get("state").asText()).isEqualTo("FAILED");
        assertThat(stranger.get("problems")).singleElement().satisfies(p -> {
            assertThat(p.get("severity").asText()).isEqualTo("ERROR");
            assertThat(p.get("message").asText()).contains("is not in the plugin lock " + lock);
            assertThat(p.get("hint").asText()).contains("tessera plugins lock");
        });
    }

    @Test
    void aBackendWhoseCreateFailsFailsOnlyTheRunsThatSelectItWithAClearMessage() throws IOException {
        PluginJarBuilder.plugin("io.acme.evil")
                .source("io.acme.evil.Provider", """
                        package io.acme.evil;
                        import io.tessera.api.tensor.*;
                        import java.util.Set;
                        public final class Provider implements TensorBackendProvider {
                            public String name() { return "evil"; }
                            public int priority() { return 0; }
                            public Set<String> capabilities() { return Set.of(); }
                            public Availability availability() { return Availability.available("claims to work"); }
                            public TensorBackend create() { throw new IllegalStateException("no kernels here"); }
                        }
                        """)
                .provides("io.tessera.api.tensor.TensorBackendProvider", "io.acme.evil.Provider")
                .buildInto(plugins);
        PluginJarBuilder.plugin("io.acme.tensors")
                .source("io.acme.tensors.TensorStep", """
                        package io.acme.tensors;
                        import io.tessera.api.pipeline.*;
                        import java.util.List;
                        public final class TensorStep implements Step<TensorStep.Config> {
                            public record Config(int n) { }
                            public String name() { return "acme/tensors"; }
                            public Class<Config> configType() { return Config.class; }
                            public Config defaultConfig() { return new Config(1); }
                            public List<Port> outputs() { return List.of(Port.of("out", String.class, "")); }
                            public PortValues run(StepContext c, Config config, PortValues in) {
                                return PortValues.of("out", String.valueOf(c.backend()));
                            }
                        }
                        """)
                .source("io.acme.tensors.PlainStep", """
                        package io.acme.tensors;
                        import io.tessera.api.pipeline.*;
                        import java.util.List;
                        public final class PlainStep implements Step<PlainStep.Config> {
                            public record Config(int n) { }
                            public String name() { return "acme/plain"; }
                            public Class<Config> configType() { return Config.class; }
                            public Config defaultConfig() { return new Config(1); }
                            public List<Port> outputs() { return List.of(Port.of("out", String.class, "")); }
                            public PortValues run(StepContext c, Config config, PortValues in) {
                                return PortValues.of("out", "no tensors");
                            }
                        }
                        """)
                .provides("io.tessera.api.pipeline.Step", "io.acme.tensors.TensorStep")
                .provides("io.tessera.api.pipeline.Step", "io.acme.tensors.PlainStep")
                .buildInto(plugins);
        // a run whose steps need no tensors is not affected by the broken backend, even when it is selected
        Path quiet = Files.writeString(work.resolve("quiet.yaml"),
                "name: quiet\nbackend: evil\nsteps:\n  p: { uses: acme/plain }\n");
        CliRun fine = CliRun.run("run", quiet.toString(), "--plugins-dir", plugins.toString(), "--out",
                work.resolve("runs").toString());
        assertThat(fine.exitCode()).as(fine.err()).isZero();
        // a run that selects it fails, saying which backend, from where, and what to do
        Path uses = Files.writeString(work.resolve("uses.yaml"),
                "name: uses\nbackend: evil\nsteps:\n  t: { uses: acme/tensors }\n");
        CliRun broken = CliRun.run("run", uses.toString(), "--plugins-dir", plugins.toString(), "--out",
                work.resolve("runs").toString());
        assertThat(broken.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(broken.err()).contains("tensor backend 'evil' (plugin io.acme.evil) failed to start: "
                + "java.lang.IllegalStateException: no kernels here", "choose another backend with --backend");
    }

    // ------------------------------------------------------------------ the real process (System.exit, hooks)

    /** Runs {@code tessera args} in a child JVM on the test's module path; returns exit code and stderr. */
    private static CliRun process(Duration limit, String... args) throws Exception {
        String modulePath = System.getProperty("jdk.module.path");
        assertThat(modulePath).as("the tests run on the module path").isNotBlank();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-D" + ExitGuard.GRACE_PROPERTY + "=500", "--module-path", modulePath,
                "--module", "io.tessera.cli/io.tessera.cli.TesseraCli"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // read both streams fully on threads of their own, so a full pipe never blocks the child
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = new Thread(() -> copy(p.getInputStream(), out));
        Thread e = new Thread(() -> copy(p.getErrorStream(), err));
        o.start();
        e.start();
        boolean ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        o.join(5000);
        e.join(5000);
        assertThat(ended).as("the process ended within " + limit + "; stderr: " + err).isTrue();
        return new CliRun(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    @Test
    void aPluginThatCallsSystemExitIsNamedOnStderr() throws Exception {
        Path jar = hooks("io.acme.quitter", "System.exit(3);").buildInto(plugins);
        hooks("io.acme.good", "").buildInto(plugins);
        CliRun run = process(Duration.ofSeconds(60), "plugins", "--plugins-dir", plugins.toString(), "--json");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("tessera: plugin io.acme.quitter 1.0.0 (" + jar + ") called System.exit from "
                + "io.acme.quitter@1.0.0/io.acme.quitter.Hooks.start(Hooks.java:", "on thread 'tessera-start-io.acme.quitter'",
                "docs/security.md");
    }

    @Test
    void aPluginShutdownHookThatSleepsDoesNotKeepTheCommandFromExiting() throws Exception {
        hooks("io.acme.hook", """
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try { Thread.sleep(600_000); } catch (InterruptedException e) { }
                }, "acme-sleepy-hook"));
                """).buildInto(plugins);
        long t0 = System.nanoTime();
        CliRun run = process(Duration.ofSeconds(60), "plugins", "--plugins-dir", plugins.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(entry(parse(run.out()), "io.acme.hook").get("state").asText()).isEqualTo("ACTIVE");
        assertThat(run.err()).contains("did not finish exiting within 500 ms", "halting with exit code 0",
                "thread 'acme-sleepy-hook'", "in module io.acme.hook");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    }
}
