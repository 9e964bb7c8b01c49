package io.tessera.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.problem.Problem;
import io.tessera.host.TesseraHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation before any compute: every problem at once, each at its file, line and column. */
class PipelineValidationTest {

    /** The same five mistakes as examples/pipelines/five-mistakes.yaml, without its comments. */
    static final String FIVE_MISTAKES = """
            name: five-mistakes
            backend: tpu
            seed: 7
            steps:
              data:
                uses: datasets/idz
              train:
                uses: core/train
                with: { model: cnn-small, training: { epochs: 0 } }
                inputs: { train: data.train }
              eval:
                uses: core/evaluate
                inputs: { model: train.model, test: train.weights }
              rank_a:
                uses: core/compare
                inputs: { metrics: [eval.metrics, rank_b.best] }
              rank_b:
                uses: core/compare
                inputs: { metrics: [rank_a.best] }
            """;

    @TempDir
    Path dir;

    private TesseraHost host;

    @BeforeEach
    void startHost() {
        host = TestSteps.host();
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    private ValidationReport validate(String yaml, String... overrides) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, yaml);
        return Pipelines.of(host).validate(file, List.of(overrides));
    }

    @Test
    void reportsFiveDifferentMistakesEachAtItsLineAndColumn() throws Exception {
        ValidationReport report = validate(FIVE_MISTAKES);
        String f = dir.resolve("p.yaml").toString();
        assertThat(report.problems()).extracting(Problem::describe).containsExactly(
                f + ":2:10: unknown backend 'tpu' (did you mean 'cpu'?); use one of: auto, cpu, gpu",
                f + ":6:11: step 'data' uses 'datasets/idz' but no active plugin provides it (did you mean"
                        + " 'datasets/idx'?); run 'tessera steps' for the list, and load the plugin's folder with "
                        + "--plugins-dir, TESSERA_PLUGINS or the pipeline's plugins: key",
                f + ":9:51: 'epochs' is 0 but must be in [1, 100000]",
                f + ":13:41: input 'test' of step 'eval' takes an ImageDataset but train.weights is a Path",
                f + ":16:39: steps form a cycle: rank_a -> rank_b -> rank_a (each reads the output of the one"
                        + " before); a pipeline must be a DAG, so remove one of these inputs");
    }

    @Test
    void theExampleFileWithFiveMistakesHasFiveProblems() {
        Path example = Path.of("..", "examples", "pipelines", "five-mistakes.yaml");
        ValidationReport report = Pipelines.of(host).validate(example);
        assertThat(report.problems()).hasSize(5);
        assertThat(report.problems()).allMatch(p -> p.line() > 0 && p.column() > 0);
    }

    @Test
    void yamlSyntaxErrorIsLocated() throws Exception {
        ValidationReport report = validate("name: x\nsteps:\n  a: { uses: test/source\n  b: 1\n");
        assertThat(report.problems()).hasSize(1);
        assertThat(report.problems().get(0).message()).startsWith("YAML syntax error")
                .contains("{ } map is not closed", "opens at line 3, column 6", "hint: close it with '}'");
        assertThat(report.problems().get(0).line()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aMisindentedKeyIsExplainedInWordsWithAHint() throws Exception {
        // the message this used to be: "while parsing a block mapping; expected <block end>, but found
        // '<block mapping start>'"
        ValidationReport report = validate("name: x\nsteps:\n  a:\n    uses: test/source\n      with: {}\n");
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.column()).isGreaterThan(1);
            assertThat(p.message()).startsWith("YAML syntax error: ").contains("hint: ")
                    .doesNotContain("<block");
        });
    }

    @Test
    void tabsAndUnquotedColonsGetTheirOwnHints() throws Exception {
        assertThat(validate("name: x\nsteps:\n\ta: { uses: test/source }\n").problems()).singleElement()
                .satisfies(p -> assertThat(p.describe()).contains(":3:1: YAML syntax error: a tab character")
                        .contains("hint: indent with spaces only"));
        assertThat(validate("name: x\nsteps:\n  a: { uses: test/source }\n  b: note: here\n").problems())
                .singleElement().satisfies(p -> assertThat(p.describe()).contains(":4:").contains("a ':' where")
                        .contains("must be quoted"));
    }

    @Test
    void duplicateKeysAreRefusedAtTheSecondOne() throws Exception {
        ValidationReport report = validate("""
                name: x
                steps:
                  a: { uses: test/source }
                  a: { uses: test/source }
                """);
        assertThat(report.problems()).extracting(Problem::describe).containsExactly(
                dir.resolve("p.yaml") + ":4:3: key 'a' appears twice in this map (first at line 3); remove one (the"
                        + " last one would win)");
    }

    @Test
    void unknownAndMistypedConfigKeysAreReportedWithSuggestions() throws Exception {
        ValidationReport report = validate("""
                name: keys
                steps:
                  s: { uses: test/source, with: { valeu: 3, label: c } }
                  t: { uses: test/source, with: { value: high } }
                """);
        assertThat(report.problems()).extracting(Problem::message).containsExactly(
                "step 'test/source' has no config key 'valeu' (did you mean 'value'?); its keys are: value, label",
                "'label' must be one of a, b, found 'c'",
                "'value' must be a number, found the string 'high'");
        assertThat(report.problems()).extracting(Problem::line).containsExactly(3, 3, 4);
    }

    @Test
    void missingRequiredInputAndUnknownInputNamesAreReported() throws Exception {
        ValidationReport report = validate("""
                name: inputs
                steps:
                  x: { uses: test/source }
                  sum: { uses: test/add, inputs: { a: x.value, c: x.value } }
                  other: { uses: test/add, inputs: { a: y.value, b: x.valeu } }
                """);
        assertThat(report.problems()).extracting(Problem::message).containsExactly(
                "step 'sum' (test/add) needs input 'b' (Double: second); add inputs: { b: <step>.<output> }",
                "step 'sum' (test/add) has no input 'c'; its inputs are: a, b",
                "'y.value' refers to step 'y', which this pipeline does not have",
                "step 'x' (test/source) has no output 'valeu' (did you mean 'value'?); its outputs are: value");
    }

    @Test
    void unknownTopLevelAndStepKeysAreReported() throws Exception {
        ValidationReport report = validate("""
                name: top
                sed: 3
                steps:
                  x: { use: test/source }
                """);
        assertThat(report.problems()).extracting(Problem::message).contains(
                "unknown key 'sed' (did you mean 'seed'?); a pipeline has: name, description, backend, seed, plugins,"
                        + " steps, outputs",
                "step 'x' has unknown key 'use' (did you mean 'uses'?); a step has: uses, with, inputs,"
                        + " description, seed, matrix, retries, executor, max_parallel, spark");
    }

    @Test
    void overridesApplyBeforeValidationAndAreLocatedAsSuch() throws Exception {
        String yaml = "name: o\nsteps:\n  x: { uses: test/source }\n";
        assertThat(validate(yaml, "steps.x.with.value=5").isValid()).isTrue();
        ValidationReport bad = validate(yaml, "steps.x.with.value=5000");
        assertThat(bad.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("--set steps.x.with.value=5000");
            assertThat(p.describe()).isEqualTo("--set steps.x.with.value=5000: steps.x.with.value: 'value' is 5000"
                    + " but must be in [-1000, 1000]");
        });
    }

    @Test
    void aJavaBuiltPipelineIsValidatedLikeAFile() {
        Pipeline p = Pipeline.builder("java").step("x", "test/source", s -> s.with("value", 2.5))
                .step("sum", "test/add", s -> s.input("a", "x.value").input("b", "x.valu"))
                .build();
        ValidationReport report = Pipelines.of(host).validate(p);
        assertThat(report.problems()).extracting(Problem::describe).containsExactly(
                "pipeline 'java': steps.sum.inputs.b: step 'x' (test/source) has no output 'valu' (did you mean"
                        + " 'value'?); its outputs are: value");
        assertThatThrownBy(() -> Pipelines.of(host).run(p, RunOptions.builder().outputRoot(dir).build()))
                .isInstanceOf(PipelineValidationException.class).hasMessageContaining("no output 'valu'");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void aNestedTrainingBlockIsCheckedKeyByKeyAtItsLines() throws Exception {
        String yaml = """
                name: nested
                steps:
                  train:
                    uses: core/train
                    with:
                      model: mlp
                      training: { epocs: 2, optimizer: { type: adamm, lr: 0 }, early_stop: { patience: -1 } }
                """;
        String f = dir.resolve("p.yaml").toString();
        assertThat(validate(yaml).problems()).extracting(Problem::describe).containsExactly(
                f + ":3:3: step 'train' (core/train) needs input 'train' (ImageDataset: the training images); add"
                        + " inputs: { train: <step>.<output> }",
                f + ":7:19: step 'core/train' has no config key 'epocs' in 'training' (did you mean 'epochs'?); the"
                        + " keys are: epochs, batch_size, optimizer, schedule, checkpoint_every, shuffle, max_batches,"
                        + " early_stop",
                f + ":7:48: 'type' must be one of adam, adamw, sgd, found 'adamm' (did you mean 'adam'?)",
                f + ":7:59: 'lr' is 0 but must be in (0, 10]",
                f + ":7:88: 'patience' is -1 but must be >= 0");
        // a check of the nested record itself points at the key it names
        String crossField = yaml.replace("{ epocs: 2, optimizer: { type: adamm, lr: 0 }, early_stop: { patience: -1 }"
                + " }", "{ epochs: 2, schedule: { type: warmup-cosine, warmup_epochs: 2 } }");
        assertThat(validate(crossField).problems()).extracting(Problem::path)
                .contains("steps.train.with.training.epochs");
        assertThat(validate(crossField).problems()).extracting(Problem::describe)
                .anyMatch(d -> d.contains("warmup_epochs (2) must be below epochs (2) for the warmup-cosine schedule"));
        // --set reaches into the block
        assertThat(validate(crossField, "steps.train.with.training.epochs=3",
                "steps.train.inputs.train=x.y").problems()).extracting(Problem::describe)
                .noneMatch(d -> d.contains("warmup"));
    }

    @Test
    void stepSchemaComesFromTheConfigRecord() {
        StepInfo train = Pipelines.of(host).step("core/train").orElseThrow();
        ConfigKey batch = train.config().stream().filter(k -> k.key().equals("training.batch_size")).findFirst()
                .orElseThrow();
        assertThat(batch).isEqualTo(new ConfigKey("training.batch_size", "integer", "64", "in [1, 65536]",
                "examples per optimizer step"));
        ConfigKey lr = train.config().stream().filter(k -> k.key().equals("training.optimizer.lr")).findFirst()
                .orElseThrow();
        assertThat(lr.constraint()).isEqualTo("in (0, 10]");
        assertThat(lr.defaultValue()).isEqualTo("0.001");
        ConfigKey optimizer = train.config().stream().filter(k -> k.key().equals("training.optimizer.type"))
                .findFirst().orElseThrow();
        assertThat(optimizer.constraint()).isEqualTo("one of adam, adamw, sgd");
        assertThat(optimizer.defaultValue()).isEqualTo("adam");
        // the nested block itself is listed before its keys, as a map
        assertThat(train.config()).extracting(ConfigKey::key).containsSubsequence("model", "hidden", "training",
                "training.epochs", "training.optimizer", "training.optimizer.type", "training.schedule.type",
                "training.early_stop.patience");
        assertThat(Pipelines.of(host).steps()).extracting(StepInfo::name)
                .contains("core/train", "core/evaluate", "core/compare", "core/export", "test/source");
        assertThat(Pipelines.of(host).step("core/compare").orElseThrow().config())
                .extracting(ConfigKey::key, ConfigKey::type, ConfigKey::defaultValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("keys", "list of string", "[]"),
                        org.assertj.core.groups.Tuple.tuple("sort_by", "string", "accuracy"));
    }

    // issue 17: a 10 MB one-line value took 21 s and 1.1 GB to be refused
    @Test
    void aTenMegabyteOneLineValueIsRefusedAtOnceNamingTheFileAndTheLimit() throws Exception {
        Path file = dir.resolve("huge.yaml");
        try (java.io.Writer w = Files.newBufferedWriter(file)) {
            w.write("name: ");
            for (int i = 0; i < 10 * 1024; i++) {
                w.write("x".repeat(1024));
            }
            w.write("\nsteps: {}\n");
        }
        ValidationReport report = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(5), () -> Pipelines.of(host).validate(file, List.of()));
        assertThat(report.problems()).hasSize(1);
        assertThat(report.problems().get(0).file()).isEqualTo(file.toString());
        assertThat(report.problems().get(0).message()).contains("10485777 bytes").contains("limit of 1048576");
        assertThatThrownBy(() -> Pipelines.of(host).run(file, RunOptions.builder().outputRoot(dir.resolve("runs"))
                .build())).isInstanceOf(PipelineValidationException.class).hasMessageContaining("limit of 1048576");
        assertThat(dir.resolve("runs")).doesNotExist();
        // the same limit holds for a --set value
        ValidationReport set = validate("name: p\nsteps: {}\n", "name=" + "y".repeat(2 << 20));
        assertThat(set.problems()).anyMatch(p -> p.message().contains("limit of 1048576"));
    }
}
