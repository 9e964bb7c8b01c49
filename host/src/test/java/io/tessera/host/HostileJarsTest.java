package io.tessera.host;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.PluginState;
import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import io.tessera.testkit.HostilePlugins;
import io.tessera.testkit.PluginJarBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or careless plugin jars (issue 17, docs/security.md): reserved module names, manifest bombs, oversized
 * manifest values, backend names that collide, and the plugin lock. Each jar lies beside a good plugin, which must
 * still load.
 */
class HostileJarsTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    private TesseraHost host() {
        return Tessera.builder().bootPlugins(false).pluginDirectory(plugins).pluginLock(null).build();
    }

    private static Path good(Path dir) {
        return HostilePlugins.hooks("io.acme.good", "").buildInto(dir);
    }

    private static List<Problem> problemsOf(TesseraHost host, String id) {
        return host.plugin(id).orElseThrow().problems();
    }

    @Test
    void aPluginJarNamedLikeTheApiModuleIsRefusedAndBlamedAloneWhileOtherPluginsLoad() {
        refusesReservedModule("io.tessera.api");
    }

    @Test
    void aPluginJarNamedLikeAModuleTheRuntimeReadsIsRefusedAndBlamedAloneWhileOtherPluginsLoad() {
        refusesReservedModule("jakarta.inject");
    }

    private void refusesReservedModule(String reserved) {
        Path evil = PluginJarBuilder.plugin(reserved).withoutApiRequires()
                .source("io.evil.Nothing", "package io.evil; public final class Nothing { }")
                .buildInto(plugins);
        good(plugins);
        HostilePlugins.hooks("io.acme.other", "").buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();
            assertThat(host.plugin("io.acme.good").orElseThrow().state()).isEqualTo(PluginState.ACTIVE);
            assertThat(host.plugin("io.acme.other").orElseThrow().state()).isEqualTo(PluginState.ACTIVE);
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.severity()).isEqualTo(Severity.ERROR);
                assertThat(p.source()).isEqualTo(evil.toString());
                assertThat(p.pluginId()).isEqualTo(evil.getFileName().toString());
                assertThat(p.message()).contains(evil.toString(), "declares module " + reserved, "reserved");
            });
        }
    }

    /**
     * Rewrites {@code jar} with a manifest of {@code size} bytes (deflated to a few KB per MB), as a zip bomb's
     * manifest would be; the other entries are kept.
     */
    private static Path withHugeManifest(Path jar, Path out, int size) throws IOException {
        try (ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\r\nTessera-Api: [1.0,2.0)\r\nX-Padding: ".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            for (int written = 0; written < size; written += chunk.length) {
                zip.write(chunk);
            }
            zip.closeEntry();
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                in.getInputStream(entry).transferTo(zip);
                zip.closeEntry();
            }
        }
        return out;
    }

    @Test
    void aManifestThatInflatesFarBeyondTheLimitIsRefusedAtOnceWithOneProblem() throws IOException {
        Path built = HostilePlugins.hooks("io.acme.bomb", "").buildInto(work);
        Path bomb = withHugeManifest(built, plugins.resolve("io.acme.bomb-1.0.0.jar"), 64 << 20);
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        good(plugins);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (TesseraHost host = host()) {
                host.start();
                assertThat(host.plugin("io.acme.good").orElseThrow().isActive()).isTrue();
                assertThat(host.report().problems()).singleElement().satisfies(p -> {
                    assertThat(p.source()).isEqualTo(bomb.toString());
                    assertThat(p.message()).contains("was refused", "MANIFEST.MF", "bytes uncompressed",
                            "at most 1048576");
                    assertThat(p.message().length()).isLessThan(500);
                });
            }
        });
    }

    @Test
    void anOversizedManifestValueIsQuotedClippedInOneShortProblem() {
        String huge = "1".repeat(100_000);
        PluginJarBuilder.plugin("io.acme.longversion").manifestAttribute(PluginDescriptor.VERSION, huge)
                .buildInto(plugins);
        good(plugins);
        try (TesseraHost host = host()) {
            host.start();
            assertThat(host.plugin("io.acme.good").orElseThrow().isActive()).isTrue();
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.message()).contains("Tessera-Plugin-Version is 100000 characters long (at most 256)",
                        "… (100000 chars)");
                assertThat(p.message().length()).isLessThan(600);
            });
        }
    }

    @Test
    void thirtyThousandRequirementsGiveOneProblemSayingHowMany() {
        String requires = IntStream.range(0, 30_000).mapToObj(i -> "io.d" + i)
                .collect(Collectors.joining(","));
        Path jar = HostilePlugins.hooks("io.acme.needy", "")
                .manifestAttribute(PluginDescriptor.REQUIRES, requires).buildInto(plugins);
        good(plugins);
        try (TesseraHost host = host()) {
            host.start();
            assertThat(host.plugin("io.acme.good").orElseThrow().isActive()).isTrue();
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo(jar.toString());
                assertThat(p.message()).contains("Tessera-Requires lists 30000 plugins (at most 256)");
                assertThat(p.message().length()).isLessThan(600);
            });
        }
    }

    /** A backend provider, as a plugin would ship it, that claims a name and fails to create its backend. */
    private static PluginJarBuilder backendPlugin(String id, String name, int priority) {
        return PluginJarBuilder.plugin(id)
                .source(id + ".Provider", """
                        package %s;
                        import io.tessera.api.tensor.*;
                        import java.util.Set;
                        public final class Provider implements TensorBackendProvider {
                            public String name() { return "%s"; }
                            public int priority() { return %d; }
                            public Set<String> capabilities() { return Set.of(); }
                            public Availability availability() { return Availability.available("claims to work"); }
                            public TensorBackend create() { throw new IllegalStateException("no kernels here"); }
                        }
                        """.formatted(id, name, priority))
                .provides("io.tessera.api.tensor.TensorBackendProvider", id + ".Provider");
    }

    private record BuiltIn(String name) implements TensorBackendProvider {
        @Override
        public int priority() {
            return 10;
        }

        @Override
        public Set<String> capabilities() {
            return Set.of();
        }

        @Override
        public Availability availability() {
            return Availability.available("the application's own");
        }

        @Override
        public TensorBackend create() {
            throw new UnsupportedOperationException("selection only");
        }
    }

    @Test
    void aPluginBackendNamedLikeTheBuiltInOneIsRefusedWithAWarningNamingBoth() {
        backendPlugin("io.acme.fakecpu", "cpu", 1000).buildInto(plugins);
        try (TesseraHost host = host()) {
            host.start();
            host.services().register(TensorBackendProvider.class, new BuiltIn("cpu"));
            BackendSelection selection = BackendSelection.discover(host);
            BackendSelection.Choice choice = selection.select(BackendRequest.auto());
            assertThat(choice.provider()).isInstanceOf(BuiltIn.class);
            assertThat(selection.select(BackendRequest.named("cpu", "test")).provider()).isInstanceOf(BuiltIn.class);
            assertThat(selection.warnings()).singleElement().asString()
                    .contains("two tensor backends are named 'cpu'", "plugin io.acme.fakecpu", "io.tessera.host",
                            "refused");
            assertThat(selection.candidates()).filteredOn(c -> c.origin().equals("plugin io.acme.fakecpu"))
                    .singleElement().satisfies(c -> {
                        assertThat(c.available()).isFalse();
                        assertThat(c.reason()).contains("already taken");
                    });
        }
    }

    @Test
    void thePluginLockLoadsListedJarsAndRefusesOthersWithOneErrorEach() throws IOException {
        Path goodJar = good(plugins);
        Path lockFile = work.resolve("plugins.lock");
        PluginLock.Listing listing = PluginLock.list(List.of(plugins));
        assertThat(listing.problems()).isEmpty();
        Files.writeString(lockFile, PluginLock.of(listing.entries()).format());
        assertThat(Files.readString(lockFile)).contains("io.acme.good 1.0.0 sha256:" + PluginLock.sha256(goodJar)
                + " io.acme.good-1.0.0.jar");
        Path stranger = HostilePlugins.hooks("io.acme.stranger", "").buildInto(plugins);

        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).pluginLock(lockFile)
                .build()) {
            host.start();
            PluginView view = host.plugin("io.acme.good").orElseThrow();
            assertThat(view.isActive()).isTrue();
            assertThat(view.sha256()).isEqualTo(PluginLock.sha256(goodJar));
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.severity()).isEqualTo(Severity.ERROR);
                assertThat(p.source()).isEqualTo(stranger.toString());
                assertThat(p.message()).contains("was not loaded", "io.acme.stranger-1.0.0.jar (sha256:",
                        "is not in the plugin lock " + lockFile);
                assertThat(p.hint()).contains("tessera plugins lock --plugins-dir " + plugins, "--output " + lockFile);
            });
        }
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .pluginLock(work.resolve("missing.lock")).build()) {
            host.start();
            assertThat(host.plugins()).noneMatch(PluginView::isActive);
            assertThat(host.report().problems()).hasSize(2).allSatisfy(p -> assertThat(p.message())
                    .contains("the plugin lock " + work.resolve("missing.lock") + " cannot be read"));
        }
    }

    @Test
    void aMalformedLockFileIsRefusedNamingTheLine() throws IOException {
        Path lockFile = work.resolve("bad.lock");
        Files.writeString(lockFile, "# comment\nio.acme.good 1.0.0 md5:abc io.acme.good-1.0.0.jar\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PluginLock.read(lockFile))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(lockFile + ":2: expected");
    }

    static void write(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }
}
