package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.PluginState;
import io.tessera.pipelines.RunResult;
import io.tessera.testkit.host.PluginTestHost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The plugin as the host loads it: this module's classes packaged as a plugin jar in a plugin folder, started by a
 * real host, and {@code pipelines/sample.yaml} run through the pipeline engine.
 */
class ScalePipelineTest {

    private static final Path SAMPLE = Path.of(System.getProperty("basedir", "."), "pipelines", "sample.yaml");

    @Test
    void runsTheSamplePipelineInARealHost() {
        try (PluginTestHost host = PluginTestHost.start()) {
            assertThat(host.plugin().state()).isEqualTo(PluginState.ACTIVE);
            assertThat(host.problems()).isEmpty();
            assertThat(host.validate(SAMPLE).problems()).isEmpty();
            try (RunResult run = host.run(SAMPLE)) {
                assertThat(run.succeeded()).as(run.failure().orElse("")).isTrue();
                assertThat(run.metric("scale", "sum")).contains(12.0);
            }
        }
    }
}
