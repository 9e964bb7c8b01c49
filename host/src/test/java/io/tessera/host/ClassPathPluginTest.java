package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.PluginState;
import io.tessera.api.problem.Severity;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin jar on the class path is reported with where to put it, not ignored in silence. */
class ClassPathPluginTest {

    @TempDir
    Path dir;

    @Test
    void reportsAPluginJarOnTheClassPathAsAnErrorOfThatPlugin() {
        Path jar = TestPlugins.hookPlugin("io.cp", "").version("1.3.0").buildInto(dir);
        String classPath = System.getProperty("java.class.path");
        // what 'java -cp app.jar:io.cp-1.3.0.jar' shows the host: the property, read at start
        System.setProperty("java.class.path", classPath + File.pathSeparator + jar);
        try (TesseraHost host = Tessera.builder().build()) {
            host.start();
            PluginView p = host.plugin("io.cp").orElseThrow();
            assertThat(p.state()).isEqualTo(PluginState.FAILED);
            assertThat(p.version()).isEqualTo("1.3.0");
            assertThat(p.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.severity()).isEqualTo(Severity.ERROR);
                assertThat(problem.message()).isEqualTo("plugin io.cp 1.3.0 (" + jar + ") is on the class path, "
                        + "where the host does not load plugins: it needs a module of its own");
                assertThat(problem.hint()).contains("module path").contains("--plugins-dir, TESSERA_PLUGINS");
            });
        } finally {
            System.setProperty("java.class.path", classPath);
        }
    }
}
