package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Step;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unload is real: no class of an uninstalled plugin stays reachable and none of its jars stays open. */
class UnloadTest {

    @TempDir
    Path plugins;

    @TempDir
    Path outside;

    @Test
    void releasesTheClassLoaderAndTheJarOfAnUninstalledPlugin() throws Exception {
        Path jar = TestPlugins.stepPlugin("io.acme.gone", "1.0.0").buildInto(plugins);
        TestPlugins.stepPlugin("io.acme.stays", "1.0.0").buildInto(plugins);
        Object inode = Files.readAttributes(jar, BasicFileAttributes.class).fileKey();
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            WeakReference<ClassLoader> loader = loaderOf(host, "io.acme.gone");
            assertThat(loader.get()).isNotNull();
            assertThat(openDescriptorsOf(inode)).as("the layer's class loader reads the jar").isNotEmpty();

            // take the jar out of the folder without deleting it, so the test can delete it after unload
            Path moved = Files.move(jar, outside.resolve("gone.jar"));
            host.refresh();
            assertThat(host.plugin("io.acme.gone")).isEmpty();
            assertThat(host.plugin("io.acme.stays").orElseThrow().isActive()).isTrue();

            assertThat(openDescriptorsOf(inode)).as("open descriptors of the uninstalled jar").isEmpty();
            awaitCollected(loader);
            Files.delete(moved);
            assertThat(moved).doesNotExist();
        }
    }

    @Test
    void releasesEveryPluginLayerWhenTheHostCloses() {
        TestPlugins.stepPlugin("io.acme.one", "1.0.0").buildInto(plugins);
        TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).build();
        host.start();
        WeakReference<ClassLoader> loader = loaderOf(host, "io.acme.one");
        host.close();
        awaitCollected(loader);
    }

    // a separate method, so that no local variable of the caller holds the step or its class
    private static WeakReference<ClassLoader> loaderOf(TesseraHost host, String id) {
        Step<?> step = host.extensions(Step.class).stream().filter(s -> s.name().startsWith(id + " "))
                .findFirst().orElseThrow();
        return new WeakReference<>(step.getClass().getClassLoader());
    }

    private static void awaitCollected(WeakReference<ClassLoader> loader) {
        Await.until("the plugin's class loader to be garbage-collected", Duration.ofSeconds(20), () -> {
            System.gc();
            // a little pressure makes collectors that defer class unloading do it
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024];
            }
            return loader.get() == null;
        });
    }

    /** The entries of /proc/self/fd that point at the file with this key; empty where /proc does not exist. */
    private static List<Path> openDescriptorsOf(Object fileKey) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        List<Path> open = new ArrayList<>();
        if (!Files.isDirectory(fds) || fileKey == null) {
            return open;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(fds)) {
            for (Path fd : stream) {
                try {
                    if (fileKey.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) {
                        open.add(fd);
                    }
                } catch (IOException | SecurityException e) {
                    // closed while listing, or not a file
                }
            }
        }
        return open;
    }
}
