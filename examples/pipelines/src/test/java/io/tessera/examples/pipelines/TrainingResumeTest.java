package io.tessera.examples.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipeline;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * core/train stopped right after a mid-epoch checkpoint and resumed ends with exactly the metrics of an
 * uninterrupted run with the same seed: weights, optimizer state, position and running sums all come back.
 */
class TrainingResumeTest {

    @TempDir
    Path runs;

    /** Two epochs of the reference CNN on 200 sample images, checkpoints every 3 optimizer steps (8 per epoch). */
    static Pipeline smallTraining(String optimizer) {
        return Pipeline.builder("resume").backend("cpu").seed(11)
                .step("data", "datasets/idx", s -> s.with("sample", "fashion-mnist").with("limit", 200))
                .step("train", "core/train", s -> s.with("model", "cnn-small")
                        .with("training", Map.of("epochs", 2, "batch_size", 25, "checkpoint_every", 3,
                                "optimizer", Map.of("type", optimizer, "lr", 0.003),
                                "schedule", Map.of("type", "step", "step_size", 1, "gamma", 0.5)))
                        .input("train", "data.train").input("val", "data.test"))
                .step("eval", "core/evaluate", s -> s.input("model", "train.model").input("test", "data.test"))
                .build();
    }

    @Test
    void resumedTrainingEndsWithTheMetricsOfAnUninterruptedRun() throws Exception {
        try (TesseraHost host = TestHosts.started()) {
            Pipeline p = smallTraining("adam");
            RunResult whole = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).build());
            assertThat(whole.succeeded()).as(whole.failure().orElse("")).isTrue();

            AtomicBoolean stop = new AtomicBoolean();
            RunResult stopped = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).cancelWhen(stop::get)
                    .listener(e -> {
                        // step 12 is in the middle of the second epoch
                        if (e instanceof PipelineEvent.CheckpointSaved c && c.position() == 12) {
                            stop.set(true);
                        }
                    }).build());
            assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(stopped.runDirectory().resolve("INCOMPLETE")).exists();

            RunResult resumed = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs)
                    .resume(stopped.runDirectory()).build());
            assertThat(resumed.succeeded()).as(resumed.failure().orElse("")).isTrue();
            assertThat(resumed.metrics()).isEqualTo(whole.metrics());
            assertThat(Files.readString(resumed.runDirectory().resolve("metrics.json")))
                    .isEqualTo(Files.readString(whole.runDirectory().resolve("metrics.json")));
            assertThat(Files.readString(resumed.runDirectory().resolve("logs/train.log")))
                    .contains("resuming from checkpoint").contains("batch 4 (optimizer step 12)");
        }
    }

    @Test
    void aLossThatTurnsNaNStopsTheRunWithAClearMessage() throws Exception {
        try (TesseraHost host = TestHosts.started()) {
            host.services().register(Step.class, new CorruptImages());
            Pipeline p = Pipeline.builder("nan").backend("cpu")
                    .step("data", "test/corrupt-images")
                    .step("train", "core/train", s -> s.with("model", "mlp")
                            .with("training", Map.of("batch_size", 8, "shuffle", false)).input("train", "data.train"))
                    .build();
            RunResult r = Pipelines.of(host).run(p, RunOptions.builder().outputRoot(runs).build());
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.failure().orElseThrow()).contains("step 'train' (core/train) failed: training diverged:"
                    + " the loss became NaN at epoch 1, batch 3 (optimizer step 3)").contains("lower 'lr'");
            assertThat(r.runDirectory().resolve("INCOMPLETE")).exists();
        }
    }

    /** {@code test/corrupt-images}: 32 images of 4×4 pixels; image 20 holds a NaN pixel (batch 3 of 8). */
    static final class CorruptImages implements Step<CorruptImages.Config> {
        public record Config(int size) {
        }

        public String name() {
            return "test/corrupt-images";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(32);
        }

        public List<Port> outputs() {
            return List.of(Port.of("train", ImageDataset.class, "images"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) {
            ImageDataset ds = new ImageDataset() {
                public int size() {
                    return c.size();
                }

                public int channels() {
                    return 1;
                }

                public int height() {
                    return 4;
                }

                public int width() {
                    return 4;
                }

                public List<String> classNames() {
                    return List.of("a", "b");
                }

                public int label(int index) {
                    return index % 2;
                }

                public void copyPixels(int index, float[] dst, int offset) {
                    for (int i = 0; i < 16; i++) {
                        dst[offset + i] = index == 20 && i == 3 ? Float.NaN : (index * 7 + i) % 5 / 5f;
                    }
                }
            };
            return PortValues.of("train", ds);
        }
    }
}
