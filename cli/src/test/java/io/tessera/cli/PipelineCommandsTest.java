package io.tessera.cli;

import static io.tessera.cli.TesseraCliTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera validate}, {@code steps}, {@code describe} and the validation side of {@code run}. */
class PipelineCommandsTest {

    @TempDir
    Path dir;

    @Test
    void validatePrintsFiveLocatedProblemsAndExitsWithTwo() {
        Path file = Path.of("..", "examples", "pipelines", "five-mistakes.yaml");
        CliRun run = CliRun.run("validate", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().filter(l -> l.startsWith(file + ":"))).hasSize(5);
        assertThat(run.err()).contains(file + ":4:10: unknown backend 'tpu'")
                .contains(file + ":11:51: 'epochs' is 0 but must be in [1, 100000]")
                .contains("5 problem(s) in " + file);
    }

    @Test
    void runWithAnUnknownBackendExitsWithTwoAndLeavesNoRunFolder() throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "name: ok\nsteps:\n  cmp: { uses: core/compare, inputs: { metrics: [] } }\n");
        Path runs = dir.resolve("runs");

        CliRun run = CliRun.run("run", file.toString(), "--out", runs.toString(), "--backend", "nosuch");
        CliRun fromEnvironment = CliRun.run(java.util.Map.of("TESSERA_BACKEND", "nosuch"),
                "run", file.toString(), "--out", runs.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("unknown backend 'nosuch' (from --backend)")
                .contains("available backends: ").contains("nothing was run");
        assertThat(fromEnvironment.exitCode()).as(fromEnvironment.err()).isEqualTo(2);
        assertThat(fromEnvironment.err()).contains("unknown backend 'nosuch' (from TESSERA_BACKEND)");
        assertThat(runs).doesNotExist();
    }

    @Test
    void validateAcceptsAGoodPipelineAndReportsJson() throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "name: ok\nsteps:\n  cmp: { uses: core/compare, inputs: { metrics: [] } }\n");
        CliRun ok = CliRun.run("validate", file.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains(file + ": valid");

        Files.writeString(file, "name: bad\nsteps:\n  t: { uses: core/trian }\n");
        CliRun bad = CliRun.run("validate", file.toString(), "--json");
        assertThat(bad.exitCode()).isEqualTo(2);
        JsonNode doc = parse(bad.out());
        assertThat(doc.get("valid").asBoolean()).isFalse();
        JsonNode p = doc.get("problems").get(0);
        assertThat(p.get("severity").asText()).isEqualTo("ERROR");
        assertThat(p.get("file").asText()).isEqualTo(file.toString());
        assertThat(p.get("line").asInt()).isEqualTo(3);
        assertThat(p.get("column").asInt()).isEqualTo(14);
        assertThat(p.get("message").asText()).contains("(did you mean 'core/train'?)");
    }

    @Test
    void runRefusesAnInvalidPipelineWithoutCreatingARunFolder() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: bad\nbackend: tpu\nsteps:\n  t: { uses: core/train, with: { training: { epochs: -1 } } }\n");
        CliRun run = CliRun.run("run", file.toString(), "--out", dir.resolve("runs").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file + ":2:10: unknown backend 'tpu'")
                .contains(file + ":4:54: 'epochs' is -1 but must be in [1, 100000]")
                .contains(file + ":4:3: step 't' (core/train) needs input 'train'")
                .contains("nothing was run");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void stepsListsTheCoreStepsAsTextAndJson() {
        CliRun text = CliRun.run("steps");
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).containsPattern("(?m)^core/train\\s+core\\s+train, val\\? -> model, weights, metrics$");
        CliRun json = CliRun.run("steps", "--json");
        JsonNode steps = parse(json.out());
        JsonNode train = null;
        for (JsonNode s : steps) {
            if (s.get("name").asText().equals("core/train")) {
                train = s;
            }
        }
        assertThat(train).isNotNull();
        assertThat(train.get("inputs").get(0).get("type").asText()).isEqualTo("io.tessera.api.data.ImageDataset");
        assertThat(train.get("config").get(0).get("key").asText()).isEqualTo("model");
        assertThat(train.get("config").get(0).get("constraint").asText()).isEqualTo("one of cnn-small, mlp");
    }

    @Test
    void describePrintsTheConfigSchemaAndSuggestsForTypos() {
        CliRun run = CliRun.run("describe", "core/train");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^  training\\.batch_size\\s+integer\\s+64\\s+in \\[1, 65536\\];"
                + " examples per optimizer step$").contains("  val (optional): ImageDataset");
        CliRun typo = CliRun.run("describe", "core/evalute");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("no step 'core/evalute' (did you mean 'core/evaluate'?)");
    }
}
