package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.problem.Problem;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.testkit.InputFuzzer;
import io.tessera.testkit.PluginJarBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: plugin manifests and pipeline YAML, fuzzed from valid files (see {@link InputFuzzer}). A manifest is parsed
 * or refused with an {@link IOException} (the JDK's manifest syntax) or an {@link IllegalArgumentException} (the
 * descriptor's documented refusal); a host given a plugin jar with a mutated manifest starts, and the jar is either
 * loaded or reported with a problem that names it; a pipeline file is validated into a report, never an exception.
 */
class ManifestAndPipelineFuzzTest {
    @TempDir
    Path dir;

    static final String CURRENT = "Manifest-Version: 1.0\r\nCreated-By: tessera-maven-plugin\r\n"
            + "Tessera-Api: [1.0,2.0)\r\nTessera-Requires: io.acme.base;version=\"[1.2,2.0)\","
            + " io.acme.util;version=\"[0.1,1.0)\"\r\n\r\n";
    static final String LEGACY = "Manifest-Version: 1.0\r\nTessera-Plugin-Id: io.acme.hello\r\n"
            + "Tessera-Plugin-Version: 1.2.3\r\nTessera-Api: [1.0,2.0)\r\nTessera-Requires: io.acme.base;ver\r\n"
            + " sion=\"[1.0,2.0)\"\r\n\r\nName: io/acme/hello/\r\nSealed: true\r\n\r\n";

    @Test
    void manifestsAreParsedOrRefusedWithTheDocumentedExceptions() {
        InputFuzzer.Report report = InputFuzzer.of("manifest", ".MF", List.of(
                        CURRENT.getBytes(StandardCharsets.UTF_8), LEGACY.getBytes(StandardCharsets.UTF_8)))
                .reader(file -> {
                    Manifest m;
                    try (InputStream in = Files.newInputStream(file)) {
                        m = new Manifest(in);
                    } catch (IOException e) {
                        throw new IOException(file + ": " + e.getMessage(), e);
                    }
                    if (PluginDescriptor.isPlugin(m) && PluginDescriptor.isLegacy(m)) {
                        PluginDescriptor.fromManifest(m);
                    }
                })
                .accept(IOException.class).accept(IllegalArgumentException.class).requireFileName(false)
                .iterations(300).timeout(Duration.ofSeconds(60)).run(dir);
        System.out.println(report);
        assertThat(report.cases()).isEqualTo(600);
    }

    /** {@code jar} with its manifest replaced by {@code manifest} (raw bytes, written first as the JDK expects). */
    static void withManifest(Path jar, byte[] manifest, Path out) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                OutputStream os = Files.newOutputStream(out);
                JarOutputStream zip = new JarOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write(manifest);
            zip.closeEntry();
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.getName().equals("META-INF/MANIFEST.MF")) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
            }
        }
    }

    @Test
    void aHostGivenAJarWithAMutatedManifestStartsAndNamesTheJarWhenItRefusesIt() throws IOException {
        Path built = PluginJarBuilder.plugin("io.acme.fuzzed").version("1.0.0").buildInto(dir.resolve("built"));
        byte[] manifest;
        try (JarInputStream in = new JarInputStream(Files.newInputStream(built))) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            in.getManifest().write(out);
            manifest = out.toByteArray();
        }
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = plugins.resolve("io.acme.fuzzed-1.0.0.jar");
        InputFuzzer.Report report = InputFuzzer.of("plugin-manifest", ".MF", List.of(manifest))
                .reader(file -> {
                    withManifest(built, Files.readAllBytes(file), jar);
                    try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).build()) {
                        host.start();
                        boolean loaded = host.plugin("io.acme.fuzzed").isPresent();
                        List<Problem> problems = host.report().problems();
                        boolean named = problems.stream().anyMatch(p -> (p.source() + p.message())
                                .contains(jar.getFileName().toString()));
                        if (!loaded && !named) {
                            throw new AssertionError("the jar was neither loaded nor named in a problem: "
                                    + problems);
                        }
                        for (Problem p : problems) {
                            if (p.message().length() > 10_000) {
                                throw new AssertionError("a problem of " + p.message().length() + " characters");
                            }
                        }
                    }
                })
                .iterations(25).timeout(Duration.ofSeconds(120)).run(dir.resolve("cases"));
        System.out.println(report);
    }

    static final String COUNTING = """
            name: counting
            seed: 3
            backend: auto
            steps:
              x: &src { uses: test/source }
              count:
                uses: test/count
                with: { to: 6 }
              sum: { uses: test/add, inputs: { a: x.value, b: x.value } }
            outputs: { total: sum.value }
            """;

    @Test
    void pipelineFilesAreValidatedIntoAReportNeverAnException() throws IOException {
        Files.createDirectories(dir.resolve("cases"));
        try (TesseraHost host = TestSteps.host()) {
            Pipelines pipelines = Pipelines.of(host);
            InputFuzzer.Report report = InputFuzzer.of("pipeline", ".yaml", List.of(
                            COUNTING.getBytes(StandardCharsets.UTF_8),
                            PipelineValidationTest.FIVE_MISTAKES.getBytes(StandardCharsets.UTF_8)))
                    .reader(file -> {
                        ValidationReport r = pipelines.validate(file, List.of());
                        for (Problem p : r.problems()) {
                            if (!p.file().equals(file.toString())) {
                                throw new AssertionError("a problem located in " + p.file() + ": " + p.describe());
                            }
                            if (p.message().length() > 10_000) {
                                throw new AssertionError("a problem of " + p.message().length() + " characters");
                            }
                        }
                    })
                    .iterations(100).timeout(Duration.ofSeconds(90)).run(dir.resolve("cases"));
            System.out.println(report);
            assertThat(report.cases()).isEqualTo(200);
        }
    }
}
