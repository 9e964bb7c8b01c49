package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.PluginFiles;
import io.tessera.testkit.PluginJarBuilder;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads a plugin and a dependent of it many times, v1 and v2 alternating, and checks that nothing accumulates: the
 * replaced revisions' class loaders are collected and their jars closed. The default suite runs 50 reloads;
 * {@code bench/hot-deploy-soak.sh N} runs N and prints the metrics table every 50 reloads with latency percentiles
 * (docs/benchmarks.md, "Hot deploy soak").
 */
class HotDeploySoakTest {

    @TempDir
    Path plugins;

    @TempDir
    Path build;

    private static PluginJarBuilder base(String version) {
        return TestPlugins.hookPlugin("io.acme.base", "").exports("io.acme.base").version(version)
                .source("io.acme.base.Answer", """
                        package io.acme.base;
                        public final class Answer { public static String get() { return "%s"; } }
                        """.formatted(version));
    }

    @Test
    void reloadsLeaveNoLoaderNoDescriptorAndNoThreadBehind() {
        int reloads = Integer.getInteger("tessera.soak.reloads", 50);
        boolean print = Boolean.getBoolean("tessera.soak.print");
        Path v1 = base("1.0.0").buildInto(build.resolve("v1"));
        Path v2 = base("1.1.0").buildInto(build.resolve("v2"));
        Path deployed = PluginFiles.replaceAtomically(v1, plugins.resolve("base.jar"));
        TestPlugins.hookPlugin("io.acme.app", "context.services().register(java.util.function.Supplier.class, "
                        + "(java.util.function.Supplier<String>) () -> \"app sees \" + io.acme.base.Answer.get());")
                .requires("io.acme.base", "[1.0,2.0)").compileAgainst(v1).buildAs(plugins.resolve("app.jar"));

        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        long[] latencies = new long[reloads];
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins)
                .settleTime(Duration.ZERO).build()) {
            host.start();
            Snapshot before = Snapshot.take(loaders, plugins);
            if (print) {
                System.out.println(Snapshot.HEADER);
                System.out.println(before.row(0, latencies, 0));
            }
            for (int i = 1; i <= reloads; i++) {
                loaders.add(loaderOfApp(host));
                String version = i % 2 == 1 ? "1.1.0" : "1.0.0";
                PluginFiles.replaceAtomically(i % 2 == 1 ? v2 : v1, deployed);
                long t0 = System.nanoTime();
                host.refresh();
                latencies[i - 1] = System.nanoTime() - t0;
                assertThat(answer(host)).as("reload %d", i).isEqualTo("app sees " + version);
                if (print && i % 50 == 0) {
                    System.out.println(Snapshot.take(loaders, plugins).row(i, latencies, i));
                }
            }
            // every replaced revision (base and the restarted app) becomes collectable, and its jar gets closed
            Await.until("the replaced revisions' class loaders to be collected", Duration.ofSeconds(30), () -> {
                System.gc();
                return Snapshot.liveLoaders(loaders) == 0;
            }, () -> Snapshot.liveLoaders(loaders) + " of " + loaders.size() + " still live");
            Await.until("the replaced jars to be closed", Duration.ofSeconds(10),
                    () -> OpenFiles.descriptorsInto(plugins).size() <= before.descriptors(),
                    () -> OpenFiles.descriptorsInto(plugins));
            Snapshot after = Snapshot.take(loaders, plugins);
            if (print) {
                System.out.println(after.row(reloads, latencies, reloads));
            }
            assertThat(after.threads()).as("live threads").isLessThanOrEqualTo(before.threads() + 2);
        }
    }

    private static String answer(TesseraHost host) {
        return host.extensions(Supplier.class).stream().map(s -> String.valueOf(s.get()))
                .filter(s -> s.startsWith("app sees")).findFirst().orElse("(no app)");
    }

    private static WeakReference<ClassLoader> loaderOfApp(TesseraHost host) {
        Object app = host.extensions(Supplier.class).stream().filter(s -> String.valueOf(s.get()).startsWith("app"))
                .findFirst().orElseThrow();
        return new WeakReference<>(app.getClass().getClassLoader());
    }

    /** The metrics of one row of the soak table. */
    private record Snapshot(int liveLoaders, int descriptors, int threads, long heapMb) {
        static final String HEADER = "| reloads | live replaced loaders | open plugin descriptors | threads | heap MB"
                + " | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|";

        static Snapshot take(List<WeakReference<ClassLoader>> loaders, Path plugins) {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return new Snapshot(liveLoaders(loaders), OpenFiles.descriptorsInto(plugins).size(),
                    Thread.activeCount(), (rt.totalMemory() - rt.freeMemory()) >> 20);
        }

        static int liveLoaders(List<WeakReference<ClassLoader>> loaders) {
            int live = 0;
            for (WeakReference<ClassLoader> l : loaders) {
                live += l.get() == null ? 0 : 1;
            }
            return live;
        }

        String row(int reloads, long[] latencies, int n) {
            long[] done = Arrays.copyOf(latencies, n);
            Arrays.sort(done);
            return String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %s | %s | %s | %s |", reloads,
                    liveLoaders, descriptors, threads, heapMb, pct(done, 0.5), pct(done, 0.9),
                    pct(done, 0.99), pct(done, 1.0));
        }

        private static String pct(long[] sorted, double q) {
            if (sorted.length == 0) {
                return "-";
            }
            int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
            return String.format(Locale.ROOT, "%.1f", sorted[Math.max(0, i)] / 1e6);
        }
    }
}
