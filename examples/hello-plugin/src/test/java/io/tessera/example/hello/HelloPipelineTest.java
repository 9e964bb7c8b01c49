package io.tessera.example.hello;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.PluginState;
import io.tessera.pipelines.ConfigKey;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.StepInfo;
import io.tessera.testkit.host.PluginTestHost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The plugin as users get it: this module's classes packaged as a plugin jar, loaded into a real host (its own module
 * layer, injection, lifecycle), and {@code hello.yaml} run through the pipeline engine. The config record lives in a
 * package the plugin does not export; the host opens it, so {@code with:} works.
 */
class HelloPipelineTest {

    @Test
    void runsTheGreetStepOfThePluginJarInAPipeline() {
        try (PluginTestHost host = PluginTestHost.start()) {
            assertThat(host.plugin().state()).isEqualTo(PluginState.ACTIVE);
            assertThat(host.problems()).isEmpty();

            StepInfo greet = host.pipelines().step("hello/greet").orElseThrow();
            assertThat(greet.config()).extracting(ConfigKey::key).containsExactly("greeting", "times");

            Path pipeline = Path.of(System.getProperty("basedir", "."), "hello.yaml");
            assertThat(host.validate(pipeline).problems()).isEmpty();
            try (RunResult run = host.run(pipeline)) {
                assertThat(run.succeeded()).as(run.failure().orElse("")).isTrue();
                assertThat(run.runDirectory().resolve("report.html")).exists();
            }
        }
    }

    @Test
    void reportsABadConfigValueWithItsPipelineKey() {
        try (PluginTestHost host = PluginTestHost.start()) {
            Path pipeline = Path.of(System.getProperty("basedir", "."), "hello.yaml");
            var report = host.pipelines().validate(pipeline, java.util.List.of("steps.greet.with.times=11"));
            assertThat(report.problems()).singleElement().satisfies(p ->
                    assertThat(p.message()).contains("times must be between 1 and 10, was 11"));
        }
    }
}
