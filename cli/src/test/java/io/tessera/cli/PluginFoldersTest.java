package io.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.PluginJarBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin folders without flags: {@code TESSERA_PLUGINS} and a pipeline's {@code plugins:} key. */
class PluginFoldersTest {

    @TempDir
    Path dir;

    private Path echoPluginIn(String folder) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve(folder));
        PluginJarBuilder.plugin("io.acme.echo")
                .source("io.acme.echo.EchoConfig", "package io.acme.echo; public record EchoConfig(String text) { }")
                .source("io.acme.echo.EchoStep", """
                        package io.acme.echo;
                        import io.tessera.api.pipeline.*;
                        import java.util.List;
                        public final class EchoStep implements Step<EchoConfig> {
                            public String name() { return "acme/echo"; }
                            public String description() { return "echoes its text"; }
                            public Class<EchoConfig> configType() { return EchoConfig.class; }
                            public EchoConfig defaultConfig() { return new EchoConfig("hi"); }
                            public List<Port> outputs() { return List.of(Port.of("text", String.class, "")); }
                            public PortValues run(StepContext c, EchoConfig config, PortValues in) {
                                return PortValues.of("text", config.text());
                            }
                        }
                        """)
                .provides("io.tessera.api.pipeline.Step", "io.acme.echo.EchoStep")
                .buildInto(plugins);
        return plugins;
    }

    private Path pipeline(String pluginsKey) throws Exception {
        return Files.writeString(dir.resolve("echo.yaml"), "name: echo\n" + pluginsKey
                + "steps:\n  say: { uses: acme/echo, with: { text: hello } }\n");
    }

    @Test
    void loadsTheFoldersOfTesseraPlugins() throws Exception {
        Path plugins = echoPluginIn("env-plugins");
        Path file = pipeline("");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun run = CliRun.run(Map.of("TESSERA_PLUGINS", empty + File.pathSeparator + plugins), "validate",
                file.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        CliRun without = CliRun.run("validate", file.toString());
        assertThat(without.exitCode()).isEqualTo(2);
        assertThat(without.err()).contains("uses 'acme/echo' but no active plugin provides it")
                .contains("--plugins-dir, TESSERA_PLUGINS or the pipeline's plugins: key");
    }

    @Test
    void loadsTheFoldersAPipelineNamesInItsPluginsKeyRelativeToTheFile() throws Exception {
        echoPluginIn("my-plugins");
        Path file = pipeline("plugins: [my-plugins]\n");
        CliRun validate = CliRun.run("validate", file.toString());
        assertThat(validate.exitCode()).as(validate.err()).isZero();
        CliRun run = CliRun.run("run", file.toString(), "--out", dir.resolve("runs").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        // run.json records where the run came from: versions, command line, each plugin with its jar's SHA-256
        Path runDir;
        try (var runs = Files.list(dir.resolve("runs"))) {
            runDir = runs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        var provenance = TesseraCliTest.parse(Files.readString(runDir.resolve("run.json"))).get("provenance");
        assertThat(provenance.get("java").asText()).startsWith(System.getProperty("java.runtime.version"));
        assertThat(provenance.get("tessera").asText()).isNotBlank();
        assertThat(provenance.get("commandLine").toString()).contains("run", file.toString());
        Path jar;
        try (var jars = Files.list(dir.resolve("my-plugins"))) {
            jar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        var plugin = java.util.stream.StreamSupport.stream(provenance.get("plugins").spliterator(), false)
                .filter(p -> p.get("source").asText().equals(jar.toString())).findFirst().orElseThrow();
        assertThat(plugin.get("sha256").asText()).isEqualTo(io.tessera.host.PluginLock.sha256(jar));
    }

    @Test
    void refusesAFolderThatDoesNotExistWithExitCodeTwo() throws Exception {
        Path file = pipeline("plugins: [nowhere]\n");
        CliRun run = CliRun.run("validate", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file + ": plugins: folder " + dir.resolve("nowhere") + ": does not exist");

        CliRun env = CliRun.run(Map.of("TESSERA_PLUGINS", dir.resolve("gone").toString()), "plugins");
        assertThat(env.exitCode()).isEqualTo(2);
        assertThat(env.err()).contains("TESSERA_PLUGINS entry " + dir.resolve("gone") + ": does not exist");
    }

    @Test
    void reportsAPluginsKeyThatIsNotAListOfFolders() throws Exception {
        Path file = pipeline("plugins: { a: b }\n");
        CliRun run = CliRun.run("validate", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file + ":2:10: 'plugins' must list folders of plugin jars");
    }
}
