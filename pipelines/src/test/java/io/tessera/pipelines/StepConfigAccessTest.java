package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.PluginState;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Step configs in packages a plugin neither exports nor opens: the host opens them for folder plugins. */
class StepConfigAccessTest {

    @TempDir
    Path dir;

    private static PluginJarBuilder countPlugin() {
        // no injection anywhere: nothing else makes the host open the plugin's packages
        return PluginJarBuilder.plugin("io.acme.count")
                .source("io.acme.count.internal.CountConfig", """
                        package io.acme.count.internal;
                        public record CountConfig(int n, String word) {
                            public CountConfig {
                                if (n < 1) throw new IllegalArgumentException("n must be at least 1, was " + n);
                            }
                        }
                        """)
                .source("io.acme.count.internal.CountStep", """
                        package io.acme.count.internal;
                        import io.tessera.api.pipeline.*;
                        import java.util.List;
                        public final class CountStep implements Step<CountConfig> {
                            public String name() { return "acme/count"; }
                            public String description() { return "repeats a word"; }
                            public Class<CountConfig> configType() { return CountConfig.class; }
                            public CountConfig defaultConfig() { return new CountConfig(1, "tick"); }
                            public List<Port> outputs() { return List.of(Port.of("text", String.class, "")); }
                            public PortValues run(StepContext c, CountConfig config, PortValues in) {
                                return PortValues.of("text", (config.word() + " ").repeat(config.n()).trim());
                            }
                        }
                        """)
                .provides("io.tessera.api.pipeline.Step", "io.acme.count.internal.CountStep");
    }

    @Test
    void readsAndSetsAConfigRecordInAPackageThePluginDoesNotExport() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        countPlugin().buildInto(plugins);
        Path pipeline = Files.writeString(dir.resolve("count.yaml"), """
                name: count
                steps:
                  count: { uses: acme/count, with: { n: 3, word: tock } }
                outputs:
                  text: count.text
                """);
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).build()) {
            host.start();
            assertThat(host.plugin("io.acme.count").orElseThrow().state()).isEqualTo(PluginState.ACTIVE);
            StepInfo info = Pipelines.of(host).step("acme/count").orElseThrow();
            assertThat(info.config()).extracting(ConfigKey::key).containsExactly("n", "word");
            assertThat(Pipelines.of(host).validate(pipeline).problems()).isEmpty();
            try (RunResult run = Pipelines.of(host).run(pipeline, RunOptions.builder()
                    .outputRoot(dir.resolve("runs")).keepOutputs(true).build())) {
                assertThat(run.succeeded()).as(run.failure().orElse("")).isTrue();
                assertThat(run.outputs()).containsEntry("text", "tock tock tock");
            }
        }
    }
}
