package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Step;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
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
            assertThat(OpenFiles.descriptorsOf(inode)).as("the layer's class loader reads the jar").isNotEmpty();

            // take the jar out of the folder without deleting it, so the test can delete it after unload
            Path moved = Files.move(jar, outside.resolve("gone.jar"));
            host.refresh();
            assertThat(host.plugin("io.acme.gone")).isEmpty();
            assertThat(host.plugin("io.acme.stays").orElseThrow().isActive()).isTrue();

            // the jar stays readable for calls still running in the plugin; once its class loader is collected,
            // the host's cleaner closes it
            awaitCollected(loader);
            Await.until("the uninstalled jar's descriptors to close", Duration.ofSeconds(10),
                    () -> OpenFiles.descriptorsOf(inode).isEmpty(), () -> OpenFiles.descriptorsOf(inode));
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
}
