package io.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TesseraCliTest {

    @TempDir
    Path temp;

    @Test
    void versionPrintsTesseraApiAndJavaVersions() {
        CliRun run = CliRun.run("version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^tessera \\S+$")
                .contains("plugin API " + io.tessera.api.TesseraApi.VERSION)
                .contains("java " + Runtime.version());
    }

    @Test
    void versionOptionPrintsOneLine() {
        CliRun run = CliRun.run("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).startsWith("tessera ").contains("(API 1.0.0)").doesNotContain("\n");
    }

    @Test
    void quickCommandsPrintExactlyWhatPicocliPrints() {
        for (String[] args : java.util.List.of(new String[] {"version"}, new String[] {"--version"},
                new String[] {"-V"}, new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"},
                new String[0])) {
            java.io.StringWriter quickOut = new java.io.StringWriter();
            java.io.StringWriter quickErr = new java.io.StringWriter();
            java.io.StringWriter slowOut = new java.io.StringWriter();
            java.io.StringWriter slowErr = new java.io.StringWriter();
            CliEnvironment env = new CliEnvironment(java.util.Map.of(), java.util.Optional.empty());
            int quick = QuickCommands.run(new java.io.PrintWriter(quickOut, true), new java.io.PrintWriter(quickErr,
                    true), args).orElseThrow();
            int slow = TesseraCli.executeWithPicocli(env, new java.io.PrintWriter(slowOut, true),
                    new java.io.PrintWriter(slowErr, true), args);
            String label = String.join(" ", args);
            assertThat(quick).as(label).isEqualTo(slow);
            assertThat(quickOut.toString()).as(label).isEqualTo(slowOut.toString());
            assertThat(quickErr.toString()).as(label).isEqualTo(slowErr.toString());
        }
        assertThat(QuickCommands.run(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter()), "plugins")).isEmpty();
    }

    @Test
    void missingCommandIsAUsageError() {
        CliRun run = CliRun.run();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("missing command").contains("plugins").contains("backends");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.run("plugin");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument").contains("plugin");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun run = CliRun.run("plugins", "--jsn");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--jsn");
    }

    @Test
    void pluginsDirThatDoesNotExistIsAValidationError() {
        Path missing = temp.resolve("nowhere");

        CliRun run = CliRun.run("plugins", "--plugins-dir", missing.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--plugins-dir " + missing + ": does not exist");
    }

    @Test
    void pluginsDirThatIsAFileIsAValidationError() throws IOException {
        Path file = Files.writeString(temp.resolve("plugins.txt"), "not a folder");

        CliRun run = CliRun.run("plugins", "--plugins-dir", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is not a directory");
    }

    @Test
    void emptyPluginFolderListsNothingAndSucceeds() throws IOException {
        Path empty = Files.createDirectory(temp.resolve("plugins"));

        CliRun text = CliRun.run("plugins", "--plugins-dir", empty.toString());
        CliRun json = CliRun.run("plugins", "--plugins-dir", empty.toString(), "--json");

        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("no plugins found").contains(empty.toString());
        assertThat(json.exitCode()).isZero();
        assertThat(parse(json.out()).isArray()).isTrue();
        assertThat(parse(json.out())).isEmpty();
    }

    @Test
    void backendsWithoutAnyProviderFailsAndSaysHowToAddOne() throws IOException {
        Path empty = Files.createDirectory(temp.resolve("plugins"));

        CliRun run = CliRun.run("backends", "--plugins-dir", empty.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("no tensor backend found");
        assertThat(run.err()).contains("no tensor backend was found").contains("tessera-backend-cpu");
    }

    @Test
    void backendsWithUnknownNameIsAValidationError() throws IOException {
        Path empty = Files.createDirectory(temp.resolve("plugins"));

        CliRun run = CliRun.run(java.util.Map.of("TESSERA_BACKEND", "tpu"),
                "backends", "--plugins-dir", empty.toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(parse(run.out())).isEmpty();
        assertThat(run.err()).contains("unknown backend 'tpu' (from TESSERA_BACKEND)");
    }

    static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
