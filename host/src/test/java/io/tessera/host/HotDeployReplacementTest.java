package io.tessera.host;

import static io.tessera.api.plugin.PluginState.ACTIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.PluginJarBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot deploy detects every replacement of a plugin jar, including one that keeps the old size and modification time,
 * and a call running in a plugin while it is replaced finishes on the old revision (issue 23).
 */
class HotDeployReplacementTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ID = "io.acme.twin";

    @TempDir
    Path plugins;

    @TempDir
    Path build;

    /** A plugin whose start hook registers a {@code Supplier} that reports the plugin's version. */
    private static PluginJarBuilder twin(String version) {
        return TestPlugins.hookPlugin(ID, """
                java.util.function.Supplier<String> s = () -> "version " + context.descriptor().version();
                context.services().register(java.util.function.Supplier.class, s);
                """).version(version);
    }

    /**
     * Two builds of one plugin that differ only in their version (1.0.1 and 1.0.9) and have the same size: entries
     * stored uncompressed with one fixed time, as {@code jar --no-compress --date=...} makes them.
     */
    private Path[] sameSizeTwins() throws IOException {
        Path first = stored(twin("1.0.1").buildInto(build.resolve("a")), build.resolve("twin-1.0.1.jar"));
        Path second = stored(twin("1.0.9").buildInto(build.resolve("b")), build.resolve("twin-1.0.9.jar"));
        assertThat(Files.size(second)).as("the two builds have the same size").isEqualTo(Files.size(first));
        assertThat(Files.mismatch(first, second)).as("but not the same bytes").isNotEqualTo(-1L);
        return new Path[] {first, second};
    }

    private static Path stored(Path jar, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                copy.setCrc(crc.getValue());
                copy.setTime(946_684_800_000L);
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        return target;
    }

    private static String version(TesseraHost host) {
        return host.plugin(ID).map(PluginView::version).orElse("(none)");
    }

    @Test
    void refreshLoadsAReplacementWithTheOldSizeAndTimeMovedIntoPlace() throws IOException {
        Path[] twins = sameSizeTwins();
        Path deployed = Files.copy(twins[0], plugins.resolve("twin.jar"));
        FileTime oldTime = Files.getLastModifiedTime(deployed);
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            assertThat(version(host)).isEqualTo("1.0.1");

            // mv of a copy that kept the old time (cp -p, rsync -t, touch -r): a new inode, same size and time
            Path tmp = Files.copy(twins[1], plugins.resolve(".twin.jar.part"));
            Files.setLastModifiedTime(tmp, oldTime);
            Files.move(tmp, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertThat(Files.getLastModifiedTime(deployed)).isEqualTo(oldTime);

            host.refresh();
            assertThat(version(host)).isEqualTo("1.0.9");
            assertThat(host.plugin(ID).orElseThrow().state()).isEqualTo(ACTIVE);
        }
    }

    @Test
    void refreshLoadsAJarRewrittenInPlaceWithTheOldTime() throws IOException {
        Path[] twins = sameSizeTwins();
        Path deployed = Files.copy(twins[0], plugins.resolve("twin.jar"));
        FileTime oldTime = Files.getLastModifiedTime(deployed);
        Object inode = Files.readAttributes(deployed, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            assertThat(version(host)).isEqualTo("1.0.1");

            // cp -p over an existing file: the same inode, truncated and written, then the old time put back
            try (InputStream in = Files.newInputStream(twins[1]);
                    OutputStream out = Files.newOutputStream(deployed, StandardOpenOption.TRUNCATE_EXISTING)) {
                in.transferTo(out);
            }
            Files.setLastModifiedTime(deployed, oldTime);
            assertThat(Files.readAttributes(deployed, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                    .isEqualTo(inode);

            host.refresh();
            assertThat(version(host)).isEqualTo("1.0.9");
        }
    }

    @Test
    void theWatcherLoadsAReplacementWithTheOldSizeAndTime() throws IOException {
        Path[] twins = sameSizeTwins();
        Path deployed = Files.copy(twins[0], plugins.resolve("twin.jar"));
        FileTime oldTime = Files.getLastModifiedTime(deployed);
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).watch(true)
                .settleTime(Duration.ofMillis(100)).build()) {
            host.start();
            assertThat(version(host)).isEqualTo("1.0.1");
            Path tmp = Files.copy(twins[1], plugins.resolve(".twin.jar.part"));
            Files.setLastModifiedTime(tmp, oldTime);
            Files.move(tmp, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            Await.until("1.0.9 to become ACTIVE", WAIT, () -> version(host).equals("1.0.9")
                    && host.plugin(ID).orElseThrow().state() == ACTIVE, host::plugins);
        }
    }

    @Test
    void touchingOrChmoddingAnUnchangedJarReloadsNothing() throws IOException {
        Path deployed = twin("1.0.0").buildAs(plugins.resolve("twin.jar"));
        RecordingListener events = new RecordingListener();
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).listener(events).build()) {
            host.start();
            events.clear();
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(deployed));
            perms.add(PosixFilePermission.GROUP_READ);
            perms.add(PosixFilePermission.OTHERS_READ);
            Files.setPosixFilePermissions(deployed, perms);
            Files.setLastModifiedTime(deployed, Files.getLastModifiedTime(deployed));
            host.refresh();
            assertThat(events.transitions()).as("transitions after chmod and touch of the same bytes").isEmpty();
            assertThat(host.plugin(ID).orElseThrow().state()).isEqualTo(ACTIVE);
        }
    }

    /**
     * A call that is still running when its plugin is replaced needs a class its plugin has not loaded yet: the old
     * revision stays readable until that call returns, so it completes instead of failing with NoClassDefFoundError.
     */
    @Test
    void aCallInFlightDuringAReloadFinishesOnTheOldRevision() throws Exception {
        Path deployed = slowFunction("1.0.0").buildAs(plugins.resolve("slow.jar"));
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            @SuppressWarnings("unchecked")
            Function<String, String> f = host.extensions(Function.class).get(0);
            CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> f.apply("x"));

            Thread.sleep(200);
            Path v2 = slowFunction("2.0.0").buildInto(build);
            io.tessera.testkit.PluginFiles.replaceAtomically(v2, deployed);
            host.refresh();
            assertThat(host.plugin("io.acme.slow").orElseThrow().version()).isEqualTo("2.0.0");

            assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo("1.0.0 made x late");
            @SuppressWarnings("unchecked")
            Function<String, String> now = host.extensions(Function.class).get(0);
            assertThat(now.apply("y")).isEqualTo("2.0.0 made y late");
        }
    }

    /** A Function extension that sleeps one second, then uses a class of its plugin that nothing loaded before. */
    static PluginJarBuilder slowFunction(String version) {
        return TestPlugins.hookPlugin("io.acme.slow", """
                String v = context.descriptor().version().toString();
                java.util.function.Function<String, String> f = in -> {
                    try { Thread.sleep(1000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                    return new io.acme.slow.Late(v).made(in);
                };
                context.services().register(java.util.function.Function.class, f);
                """).version(version)
                .source("io.acme.slow.Late", """
                        package io.acme.slow;
                        public final class Late {
                            private final String version;
                            public Late(String version) { this.version = version; }
                            public String made(String in) { return version + " made " + in + " late"; }
                        }
                        """);
    }
}
