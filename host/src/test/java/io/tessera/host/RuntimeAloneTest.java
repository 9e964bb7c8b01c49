package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.PluginJarBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedding application runs on the runtime alone: a child JVM whose module path holds only the runtime and its
 * own dependencies (as Maven resolves them, runtime scope) plus the application module. No pipelines, reports, CLI,
 * YAML, JSON or chart library is there; plugins still load in their layers and contribute extensions.
 */
class RuntimeAloneTest {

    @TempDir
    Path dir;

    @Test
    void anEmbedderLoadsPluginsWithOnlyTheRuntimeOnItsModulePath() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPlugins.stepPlugin("io.acme.one", "1.2.0").buildInto(plugins);

        List<Path> runtime = runtimeModulePath();
        Path app = PluginJarBuilder.plugin("io.acme.embedder").withoutPluginManifest()
                .moduleRequires("io.tessera.host")
                .compileAgainst(runtime.toArray(Path[]::new))
                .source("io.acme.embedder.Main", """
                        package io.acme.embedder;
                        import io.tessera.api.pipeline.Step;
                        import io.tessera.host.Tessera;
                        import io.tessera.host.TesseraHost;
                        import java.nio.file.Path;
                        public final class Main {
                            public static void main(String[] args) {
                                try (TesseraHost host = Tessera.builder().bootPlugins(false)
                                        .pluginDirectory(Path.of(args[0])).build()) {
                                    host.start();
                                    host.plugins().forEach(p -> System.out.println("plugin " + p.id() + " "
                                            + p.version() + " " + p.state()));
                                    host.extensions(Step.class).forEach(s -> System.out.println("step " + s.name()));
                                }
                                ModuleLayer.boot().modules().stream().map(Module::getName).sorted()
                                        .forEach(m -> System.out.println("module " + m));
                                Tessera.class.getModule().getDescriptor().requires()
                                        .forEach(r -> System.out.println("requires " + r.name()));
                            }
                        }
                        """)
                .buildInto(Files.createDirectories(dir.resolve("app")));

        List<String> modulePath = new ArrayList<>();
        runtime.forEach(p -> modulePath.add(p.toString()));
        modulePath.add(app.toString());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--module-path", String.join(File.pathSeparator, modulePath),
                "--module", "io.acme.embedder/io.acme.embedder.Main", plugins.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();

        List<String> lines = output.lines().toList();
        assertThat(lines).as(output).contains("plugin io.acme.one 1.2.0 ACTIVE", "step io.acme.one 1.2.0 hello",
                "module io.tessera.host", "module io.tessera.api");
        List<String> modules = lines.stream().filter(l -> l.startsWith("module ")).map(l -> l.substring(7)).toList();
        assertThat(modules).as(output).noneMatch(m -> m.startsWith("io.tessera.pipelines")
                || m.startsWith("io.tessera.reports") || m.startsWith("io.tessera.cli")
                || m.startsWith("com.fasterxml.jackson") || m.startsWith("info.picocli") || m.contains("xchart")
                || m.startsWith("org.yaml"));
        // java.desktop may be in the boot layer anyway (service binding of java.base's ToolProvider brings the JDK's
        // tools, and jdk.jpackage requires it); the runtime itself must not need it
        List<String> requires = lines.stream().filter(l -> l.startsWith("requires ")).map(l -> l.substring(9))
                .toList();
        assertThat(requires).as(output).contains("io.tessera.api", "jakarta.inject")
                .noneMatch(m -> m.startsWith("com.fasterxml.jackson") || m.startsWith("info.picocli")
                        || m.contains("xchart") || m.equals("java.desktop") || m.startsWith("io.tessera.pipelines"));
    }

    /** The runtime's classes and the jars of its runtime-scope dependencies, as the build wrote them. */
    private static List<Path> runtimeModulePath() throws Exception {
        List<Path> path = new ArrayList<>();
        path.add(Path.of(System.getProperty("tessera.runtime.classes")));
        String deps = Files.readString(Path.of(System.getProperty("tessera.runtime.modulePath"))).strip();
        Arrays.stream(deps.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).forEach(path::add);
        return path;
    }
}
