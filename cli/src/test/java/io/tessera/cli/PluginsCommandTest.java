package io.tessera.cli;

import static io.tessera.cli.TesseraCliTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.testkit.PluginJarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsCommandTest {

    @TempDir
    Path plugins;

    private static Path goodPlugin(Path dir) {
        return PluginJarBuilder.plugin("io.acme.good").version("1.2.0")
                .source("io.acme.good.GoodPlugin", """
                        package io.acme.good;
                        public final class GoodPlugin implements io.tessera.api.plugin.Plugin { }
                        """)
                .provides("io.tessera.api.plugin.Plugin", "io.acme.good.GoodPlugin")
                .buildInto(dir);
    }

    private static Path pluginWithMissingDependency(Path dir) {
        return PluginJarBuilder.plugin("io.acme.needy")
                .source("io.acme.needy.NeedyPlugin", """
                        package io.acme.needy;
                        public final class NeedyPlugin implements io.tessera.api.plugin.Plugin { }
                        """)
                .provides("io.tessera.api.plugin.Plugin", "io.acme.needy.NeedyPlugin")
                .manifestRequires("io.acme.missing", "[1.0,2.0)")
                .buildInto(dir);
    }

    private static JsonNode entry(JsonNode array, String id) {
        for (JsonNode node : array) {
            if (node.get("id").asText().equals(id)) {
                return node;
            }
        }
        throw new AssertionError("no entry with id " + id + " in " + array);
    }

    @Test
    void listsAnActivePluginWithItsJarAsSourceAndSucceeds() {
        Path jar = goodPlugin(plugins);

        CliRun run = CliRun.run("plugins", "--plugins-dir", plugins.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^io\\.acme\\.good\\s+1\\.2\\.0\\s+ACTIVE\\s+" + jar + "$")
                .contains("1 plugin: 1 active; 0 errors, 0 warnings");
    }

    @Test
    void jsonHasTheContractKeysForEveryPlugin() {
        Path jar = goodPlugin(plugins);

        CliRun run = CliRun.run("plugins", "--plugins-dir", plugins.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode array = parse(run.out());
        assertThat(array).hasSize(1);
        JsonNode good = array.get(0);
        List<String> keys = new ArrayList<>();
        good.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("id", "version", "state", "source", "problems");
        assertThat(good.get("id").asText()).isEqualTo("io.acme.good");
        assertThat(good.get("version").asText()).isEqualTo("1.2.0");
        assertThat(good.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(good.get("source").asText()).isEqualTo(jar.toString());
        assertThat(good.get("problems").isArray()).isTrue();
        assertThat(good.get("problems")).isEmpty();
    }

    @Test
    void badPluginsGetAClearProblemEachWhileGoodOnesStayActiveAndExitCodeIsOne() throws IOException {
        goodPlugin(plugins);
        pluginWithMissingDependency(plugins);
        Files.write(plugins.resolve("corrupt.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'});

        CliRun json = CliRun.run("plugins", "--plugins-dir", plugins.toString(), "--json");
        CliRun text = CliRun.run("plugins", "--plugins-dir", plugins.toString());

        assertThat(json.exitCode()).isEqualTo(1);
        JsonNode array = parse(json.out());
        assertThat(entry(array, "io.acme.good").get("state").asText()).isEqualTo("ACTIVE");
        JsonNode needy = entry(array, "io.acme.needy");
        assertThat(needy.get("state").asText()).isNotEqualTo("ACTIVE");
        assertThat(needy.get("problems")).anySatisfy(problem -> {
            assertThat(problem.get("severity").asText()).isEqualTo("ERROR");
            assertThat(problem.get("plugin").asText()).isEqualTo("io.acme.needy");
            assertThat(problem.get("source").asText()).isEqualTo(needy.get("source").asText());
            assertThat(problem.get("message").asText()).contains("io.acme.missing");
        });
        JsonNode corrupt = entry(array, "corrupt.jar");
        assertThat(corrupt.get("state").asText()).isEqualTo("FAILED");
        assertThat(corrupt.get("problems")).anySatisfy(problem ->
                assertThat(problem.get("severity").asText()).isEqualTo("ERROR"));

        assertThat(text.exitCode()).isEqualTo(1);
        assertThat(text.out()).containsPattern("(?m)^io\\.acme\\.good\\s+1\\.2\\.0\\s+ACTIVE")
                .containsPattern("(?m)^    ERROR: .*io\\.acme\\.missing")
                .contains("3 plugins: 1 installed, 1 active, 1 failed; 2 errors, 0 warnings");
    }

    @Test
    void withoutPluginsDirUsesThePluginsFolderOfTheDistribution() throws IOException {
        Path home = plugins.resolve("tessera");
        Path jar = goodPlugin(Files.createDirectories(home.resolve("plugins")));

        CliRun run = CliRun.runFromHome(home, "plugins", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(entry(parse(run.out()), "io.acme.good").get("source").asText()).isEqualTo(jar.toString());
    }

    @Test
    void pluginsDirIsRepeatable() throws IOException {
        Path first = Files.createDirectory(plugins.resolve("first"));
        Path second = Files.createDirectory(plugins.resolve("second"));
        goodPlugin(first);
        PluginJarBuilder.plugin("io.acme.other")
                .source("io.acme.other.OtherPlugin", """
                        package io.acme.other;
                        public final class OtherPlugin implements io.tessera.api.plugin.Plugin { }
                        """)
                .provides("io.tessera.api.plugin.Plugin", "io.acme.other.OtherPlugin")
                .buildInto(second);

        CliRun run = CliRun.run("plugins", "--plugins-dir", first.toString(), "--plugins-dir", second.toString(),
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(entry(parse(run.out()), "io.acme.good").get("state").asText()).isEqualTo("ACTIVE");
        assertThat(entry(parse(run.out()), "io.acme.other").get("state").asText()).isEqualTo("ACTIVE");
    }
}
