package io.tessera.cli;

import static io.tessera.cli.TesseraCliTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera backends} over fake backend providers that plugin jars built by the test kit contribute. */
class BackendsCommandTest {

    @TempDir
    Path plugins;

    /** A plugin whose only extension is a TensorBackendProvider that describes itself and computes nothing. */
    private static void backendPlugin(Path dir, String id, String name, int priority, String availability) {
        String cls = "FakeBackendProvider";
        PluginJarBuilder.plugin(id)
                .source(id + "." + cls, """
                        package %s;
                        import io.tessera.api.tensor.Availability;
                        import io.tessera.api.tensor.TensorBackend;
                        import io.tessera.api.tensor.TensorBackendProvider;
                        import java.util.Set;
                        public final class %s implements TensorBackendProvider {
                            public String name() { return "%s"; }
                            public int priority() { return %d; }
                            public Set<String> capabilities() { return Set.of("float32", "test-double"); }
                            public Availability availability() { return %s; }
                            public TensorBackend create() {
                                throw new IllegalStateException("test double: computes nothing");
                            }
                        }
                        """.formatted(id, cls, name, priority, availability))
                .provides("io.tessera.api.tensor.TensorBackendProvider", id + "." + cls)
                .buildInto(dir);
    }

    @BeforeEach
    void twoBackendPlugins() {
        backendPlugin(plugins, "io.acme.slow", "slow", 7, "Availability.available(\"always, a test double\")");
        backendPlugin(plugins, "io.acme.fast", "fast", 100,
                "Availability.unavailable(\"no fast device; plug one in\")");
    }

    @Test
    void listsEveryProviderAndSelectsTheHighestPriorityAvailableOne() {
        CliRun run = CliRun.run("backends", "--plugins-dir", plugins.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .containsPattern("(?m)^fast\\s+100\\s+no\\s+plugin io\\.acme\\.fast\\s+float32, test-double$")
                .contains("    no fast device; plug one in")
                .containsPattern("(?m)^slow\\s+7\\s+yes\\s+plugin io\\.acme\\.slow")
                .contains("selected: slow (the highest-priority available backend of 2 found; passed over: fast"
                        + " (priority 100) is unavailable: no fast device; plug one in)");
    }

    @Test
    void jsonHasTheContractKeysInSelectionOrder() {
        CliRun run = CliRun.run("backends", "--plugins-dir", plugins.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode array = parse(run.out());
        assertThat(array).hasSize(2);
        JsonNode fast = array.get(0);
        List<String> keys = new ArrayList<>();
        fast.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).startsWith("name", "priority", "available", "reason", "capabilities");
        assertThat(fast.get("name").asText()).isEqualTo("fast");
        assertThat(fast.get("priority").asInt()).isEqualTo(100);
        assertThat(fast.get("available").asBoolean()).isFalse();
        assertThat(fast.get("reason").asText()).isEqualTo("no fast device; plug one in");
        assertThat(fast.get("capabilities")).extracting(JsonNode::asText).containsExactly("float32", "test-double");
        assertThat(array.get(1).get("name").asText()).isEqualTo("slow");
        assertThat(array.get(1).get("available").asBoolean()).isTrue();
    }

    @Test
    void environmentVariableNamesTheBackend() {
        CliRun run = CliRun.run(Map.of("TESSERA_BACKEND", "slow"), "backends", "--plugins-dir", plugins.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("selected: slow (named by TESSERA_BACKEND)");
    }

    @Test
    void namedBackendThatIsUnavailableFailsWithTheReasonInsteadOfFallingBack() {
        CliRun run = CliRun.run(Map.of("TESSERA_BACKEND", "slow"),
                "backends", "--plugins-dir", plugins.toString(), "--backend", "fast");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("selected:");
        assertThat(run.err()).contains("backend 'fast' (from --backend) is not available here")
                .contains("no fast device; plug one in")
                .contains("available instead: slow");
    }

    @Test
    void unknownBackendNameIsAValidationErrorListingTheKnownOnes() {
        CliRun run = CliRun.run("backends", "--plugins-dir", plugins.toString(), "--backend", "tpu");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown backend 'tpu' (from --backend); known backends: fast, slow");
    }
}
