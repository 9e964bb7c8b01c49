package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.pipeline.Step;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipeline;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import io.tessera.pipelines.ValidationReport;
import io.tessera.plugin.d2nwg.GenerateStep;
import io.tessera.plugin.d2nwg.TrainDiffusionStep;
import io.tessera.plugin.d2nwg.TrainVaeStep;
import io.tessera.plugin.d2nwg.ZooStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d2nwg-zoo.yaml}: it validates without the data folders, and a small zoo on the bundled Fashion-MNIST and MNIST
 * samples runs end to end (zoo, VAE, diffusion, generation on held-out tasks) with the comparison, the fine-tuning
 * curves and the PCA figure in the report.
 */
class D2nwgPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path runs;

    static TesseraHost host() {
        TesseraHost host = TestHosts.started();
        for (Step<?> s : List.of(new ZooStep(), new TrainVaeStep(), new TrainDiffusionStep(), new GenerateStep())) {
            if (Pipelines.of(host).step(s.name()).isEmpty()) {
                host.services().register(Step.class, s);
            }
        }
        return host;
    }

    private static Path pipeline() {
        return TestHosts.examples().resolve("d2nwg-zoo.yaml");
    }

    /** The small zoo of the default suite: the bundled samples, 6 tasks per dataset, short trainings. */
    static List<String> small() {
        return List.of("steps.fashion.with.dir=''", "steps.mnist.with.dir=''",
                "steps.zoo.with.tasks=6", "steps.zoo.with.held_out=2", "steps.zoo.with.seeds=2",
                "steps.zoo.with.steps=60", "steps.zoo.with.checkpoint_every=4",
                "steps.vae.with.steps=150", "steps.vae.with.recon_check=4", "steps.vae.with.checkpoint_every=50",
                "steps.diffusion.with.steps=150", "steps.diffusion.with.batch_size=16",
                "steps.diffusion.with.checkpoint_every=50",
                "steps.generate.with.samples=3", "steps.generate.with.ddim_steps=20",
                "steps.generate.with.zoo_baseline=4");
    }

    @Test
    void validatesWithoutTheDataFolders() {
        try (TesseraHost host = host()) {
            ValidationReport report = Pipelines.of(host).validate(pipeline(),
                    List.of("steps.fashion.with.dir=/nonexistent", "steps.mnist.with.dir=/nonexistent"));
            assertThat(report.problems()).as(report.describe()).isEmpty();
            ValidationReport bad = Pipelines.of(host).validate(pipeline(), List.of("steps.generate.with.sampler=ddpn"));
            assertThat(bad.describe()).contains("did you mean 'ddpm'?");
            ValidationReport steps = Pipelines.of(host).validate(pipeline(),
                    List.of("steps.generate.with.report_steps=[0, 50]"));
            assertThat(steps.describe()).contains("report_steps lists 50");
        }
    }

    @Test
    void smallZooOnTheBundledSamplesRunsEndToEnd() throws Exception {
        RunResult result;
        try (TesseraHost host = host()) {
            RunOptions.Builder options = RunOptions.builder().outputRoot(runs);
            small().forEach(options::set);
            result = Pipelines.of(host).run(pipeline(), options.build());
        }
        assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
        Path dir = result.runDirectory();
        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        JsonNode zoo = metrics.at("/steps/zoo/metrics");
        assertThat(zoo.get("zoo_models").asInt()).isEqualTo(2 * 6 * 2);
        assertThat(zoo.get("zoo_mean_accuracy").asDouble()).as("zoo models learn their tasks").isGreaterThan(0.5);
        JsonNode gen = metrics.at("/steps/generate/metrics");
        for (String k : List.of("generated_best_acc", "generated_mean_acc", "random_init_acc",
                "average_zoo_weights_acc", "zoo_models_acc", "generated_acc_k0", "generated_acc_k5",
                "generated_acc_k20", "random_acc_k0", "random_acc_k5", "random_acc_k20")) {
            assertThat(gen.get(k).asDouble()).as(k).isBetween(0.0, 1.0);
        }
        assertThat(gen.get("generated_best_acc").asDouble()).isGreaterThanOrEqualTo(
                gen.get("generated_mean_acc").asDouble());
        assertThat(gen.get("held_out_tasks").asInt()).isEqualTo(4);
        JsonNode comparison = JSON.readTree(dir.resolve("steps/generate/comparison.json").toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        comparison.get("rows").forEach(r -> rows.put(r.get("name").asText(), r.get("values")));
        assertThat(rows).containsKeys("generated (fine-tuned)", "random init (fine-tuned)", "generated best-of-n",
                "average zoo weights");
        assertThat(Files.readString(dir.resolve("steps/generate/pca.svg"))).contains("<svg").contains("generated");
        JsonNode curves = JSON.readTree(dir.resolve("curves.json").toFile());
        assertThat(curves.toString()).contains("finetune_acc_generated").contains("finetune_acc_random");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("pca.svg").contains("finetune_acc_generated").contains("generated best-of-n");
        JsonNode run = JSON.readTree(dir.resolve("run.json").toFile());
        assertThat(run.at("/steps/zoo/timings/models_per_min").asDouble()).isPositive();
        assertThat(run.at("/steps/generate/timings/generated_vectors_per_s").asDouble()).isPositive();
    }

    /**
     * The zoo (trained on two threads), VAE and diffusion steps stopped after a zoo checkpoint, resumed and stopped
     * again after a diffusion checkpoint, then resumed to the end: the same metrics.json as an uninterrupted run.
     */
    @Test
    void zooVaeAndDiffusionResumeToTheMetricsOfAnUninterruptedRun() throws Exception {
        Pipeline p = Pipeline.builder("d2nwg-resume").backend("cpu").seed(5)
                .step("data", "datasets/idx", s -> s.with("sample", "mnist"))
                .step("zoo", "d2nwg/zoo", s -> s.with("tasks", 4).with("held_out", 1).with("seeds", 2)
                        .with("steps", 20).with("workers", 2).with("checkpoint_every", 3)
                        .input("train", "data.train").input("test", "data.test"))
                .step("vae", "d2nwg/train-vae", s -> s.with("steps", 30).with("checkpoint_every", 10)
                        .with("recon_check", 2).input("zoo", "zoo.zoo"))
                .step("diffusion", "d2nwg/train-diffusion", s -> s.with("steps", 40).with("batch_size", 8)
                        .with("timesteps", 100).with("beta_start", 1e-4).with("beta_end", 0.02)
                        .with("checkpoint_every", 20).input("zoo", "zoo.zoo").input("vae", "vae.vae"))
                .build();
        try (TesseraHost host = host()) {
            RunResult whole = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).build());
            assertThat(whole.succeeded()).as(whole.failure().orElse("")).isTrue();
            RunResult first = stopAt(host, p, null, "zoo", 3);
            RunResult second = stopAt(host, p, first.runDirectory(), "diffusion", 20);
            RunResult last = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs)
                    .resume(second.runDirectory()).build());
            assertThat(last.succeeded()).as(last.failure().orElse("")).isTrue();
            assertThat(Files.readString(last.runDirectory().resolve("metrics.json")))
                    .isEqualTo(Files.readString(whole.runDirectory().resolve("metrics.json")));
            assertThat(Files.readString(last.runDirectory().resolve("logs/zoo.log"))).contains("resumed with");
        }
    }

    private RunResult stopAt(TesseraHost host, Pipeline p, Path resume, String step, long position) {
        AtomicBoolean stop = new AtomicBoolean();
        RunOptions.Builder o = RunOptions.builder().outputRoot(runs).cancelWhen(stop::get).listener(e -> {
            if (e instanceof PipelineEvent.CheckpointSaved c && c.step().equals(step) && c.position() >= position) {
                stop.set(true);
            }
        });
        if (resume != null) {
            o.resume(resume);
        }
        RunResult r = Pipelines.of(host).run(p, o.build());
        assertThat(r.status()).as(r.failure().orElse("")).isEqualTo(RunStatus.CANCELLED);
        return r;
    }
}
