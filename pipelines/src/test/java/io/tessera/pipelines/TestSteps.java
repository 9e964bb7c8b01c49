package io.tessera.pipelines;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Steps written against the public API that need no tensors, registered by the test as an embedding application
 * would: a number source, an adder, a checkpointing counter, a step that fails, and a stand-in for datasets/idx.
 */
final class TestSteps {
    private TestSteps() {
    }

    /** A started host (no plugins found on the test's module path) with these steps registered. */
    static TesseraHost host() {
        TesseraHost host = Tessera.builder().build();
        host.start();
        host.services().register(Step.class, new Source());
        host.services().register(Step.class, new Add());
        host.services().register(Step.class, new Count());
        host.services().register(Step.class, new Fail());
        host.services().register(Step.class, new FakeDatasets());
        host.services().register(Step.class, new Rendezvous());
        host.services().register(Step.class, new Trial());
        return host;
    }

    /** {@code test/source}: outputs {@code value}. */
    static final class Source implements Step<Source.Config> {
        public record Config(@Description("the number to output") @Range(min = -1000, max = 1000) double value,
                             @Description("a label") @OneOf({"a", "b"}) String label) {
        }

        public String name() {
            return "test/source";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(1, "a");
        }

        public List<Port> outputs() {
            return List.of(Port.of("value", Double.class, "the number"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) {
            ctx.metric("value", c.value());
            return PortValues.of("value", c.value());
        }
    }

    /** {@code test/add}: {@code sum = a + b}. */
    static final class Add implements Step<Add.Config> {
        public record Config(int scale) {
        }

        public String name() {
            return "test/add";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(1);
        }

        public List<Port> inputs() {
            return List.of(Port.of("a", Double.class, "first"), Port.of("b", Double.class, "second"));
        }

        public List<Port> outputs() {
            return List.of(Port.of("sum", Double.class, "a + b"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) {
            double sum = c.scale() * (in.get("a", Double.class) + in.get("b", Double.class));
            ctx.metric("sum", sum);
            return PortValues.of("sum", sum);
        }
    }

    /**
     * {@code test/count}: counts to {@code to}, saving a checkpoint every step; on resume it continues from the last
     * checkpoint. Records how many units it computed in this run as the metric {@code computed} of a side file.
     */
    static final class Count implements Step<Count.Config> {
        public record Config(@Range(min = 1) int to) {
        }

        public String name() {
            return "test/count";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(5);
        }

        public List<Port> outputs() {
            return List.of(Port.of("total", Long.class, "sum of 1..to"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
            long i = 0;
            long sum = 0;
            Optional<Path> last = ctx.checkpoints().latest();
            if (last.isPresent()) {
                String[] s = Files.readString(last.get().resolve("state.txt")).split(" ");
                i = Long.parseLong(s[0]);
                sum = Long.parseLong(s[1]);
                // a resumed step reports its history again, so the run's curves are whole
                for (long k = 1; k <= i; k++) {
                    ctx.series("sum", k, k * (k + 1) / 2);
                }
            }
            long computed = 0;
            while (i < c.to()) {
                if (ctx.cancelled()) {
                    throw new java.util.concurrent.CancellationException("cancelled at " + i);
                }
                i++;
                sum += i;
                computed++;
                ctx.series("sum", i, sum);
                ctx.progress(i, c.to(), "at " + i);
                long pos = i;
                long s = sum;
                ctx.checkpoints().save(pos, dir -> Files.writeString(dir.resolve("state.txt"), pos + " " + s));
            }
            ctx.service(io.tessera.training.pipeline.EpochLog.class).orElseThrow()
                    .epochEnd(1, 1, Map.of("sum", (double) sum));
            ctx.metric("total", sum);
            Files.writeString(ctx.workDirectory().resolve("computed.txt"), Long.toString(computed));
            return PortValues.of("total", sum);
        }
    }

    /** {@code test/fail}: throws. */
    static final class Fail implements Step<Fail.Config> {
        public record Config(String message) {
        }

        public String name() {
            return "test/fail";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config("boom");
        }

        public List<Port> inputs() {
            return List.of(Port.optional("after", Double.class, "runs after this value"));
        }

        public List<Port> outputs() {
            return List.of(Port.of("never", Double.class, "never produced"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) {
            throw new IllegalStateException(c.message());
        }
    }

    /** {@code test/rendezvous}: waits until {@code parties} rendezvous steps run at the same time. */
    static final class Rendezvous implements Step<Rendezvous.Config> {
        static volatile CountDownLatch latch = new CountDownLatch(2);

        public record Config(int id) {
        }

        public String name() {
            return "test/rendezvous";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(0);
        }

        public List<Port> outputs() {
            return List.of(Port.of("value", Double.class, "the id"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
            latch.countDown();
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other step never ran alongside this one");
            }
            return PortValues.of("value", (double) c.id());
        }
    }

    /** A stand-in for {@code datasets/idx} with its ports, so suggestions and type checks have something real. */
    static final class FakeDatasets implements Step<FakeDatasets.Config> {
        public record Config(String dir, String sample, int limit) {
        }

        public String name() {
            return "datasets/idx";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config("", "fashion-mnist", 0);
        }

        public List<Port> outputs() {
            return List.of(Port.of("train", ImageDataset.class, "training images"),
                    Port.of("test", ImageDataset.class, "test images"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) {
            throw new UnsupportedOperationException("a stand-in for validation tests");
        }
    }

    /**
     * {@code test/trial}: one item of a sweep. Its metric {@code score} is {@code x * base} plus its seed's last three
     * digits / 1000, so the item's config, input and seed all show; {@code seed} is the step seed. It counts its runs
     * in {@code runs.txt} of its work folder, and fails its first {@code fail_times} runs when {@code x == fail_x}.
     */
    static final class Trial implements Step<Trial.Config> {
        public record Config(@Description("the swept value") @Range(min = -100, max = 100) double x,
                             @Description("which x fails") double failX,
                             @Description("how many first runs fail") int failTimes) {
        }

        public String name() {
            return "test/trial";
        }

        public Class<Config> configType() {
            return Config.class;
        }

        public Config defaultConfig() {
            return new Config(1, Double.NaN, 0);
        }

        public List<Port> inputs() {
            return List.of(Port.optional("base", Double.class, "multiplies x"));
        }

        public List<Port> outputs() {
            return List.of(Port.of("metrics", io.tessera.api.pipeline.Metrics.class, "score and seed"),
                    Port.of("value", Double.class, "the score"));
        }

        public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
            Path runs = ctx.workDirectory().resolve("runs.txt");
            int n = (Files.exists(runs) ? Integer.parseInt(Files.readString(runs).strip()) : 0) + 1;
            Files.writeString(runs, Integer.toString(n));
            if (c.x() == c.failX() && n <= c.failTimes()) {
                throw new IllegalStateException("planned failure " + n + " of x=" + c.x());
            }
            double base = in.values().containsKey("base") ? in.get("base", Double.class) : 1.0;
            double score = c.x() * base + Math.floorMod(ctx.seed(), 1000) / 1000.0;
            ctx.service(io.tessera.training.pipeline.EpochLog.class).orElseThrow()
                    .epochEnd(1, 1, Map.of("score", score));
            ctx.metric("score", score);
            ctx.metric("seed", ctx.seed());
            return PortValues.of("metrics", new io.tessera.api.pipeline.Metrics(ctx.stepName(),
                    Map.of("score", score)), "value", score);
        }
    }
}
