package io.tessera.plugin.d2nwg;

import io.tessera.api.optim.Adam;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code d2nwg/train-vae}: trains the stage-1 {@link MlpVae} on the zoo's padded weight vectors with
 * the exact loss (spec §3) and Adam with betas (0.5, 0.9), checkpointed and resumable. It reports the loss parts and
 * the check of spec §7.2: the test accuracy of reconstructed weights on their own tasks beside the originals'.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainVaeStep implements Step<TrainVaeStep.Config> {

    /**
     * Configuration of {@code d2nwg/train-vae}.
     *
     * @param hidden          H, the hidden width
     * @param latent          Z, the latent size
     * @param dIn             D_in, the padded vector length (0: the vector length rounded up to a multiple of 8)
     * @param steps           Adam steps
     * @param batchSize       vectors per step
     * @param lr              learning rate
     * @param beta1           Adam β1
     * @param beta2           Adam β2
     * @param klWeight        weight of the KL term
     * @param mseWeight       weight of the mean-squared term
     * @param checkpointEvery steps between checkpoints
     * @param reconCheck      zoo models whose reconstructions are evaluated (0: none)
     * @param seed            seed; -1 derives it from the pipeline's seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("hidden width H of the MLP-VAE") @Range(min = 1, max = 65_536) int hidden,
            @Description("latent size Z") @Range(min = 1, max = 65_536) int latent,
            @Description("D_in: weight vectors are zero-padded to it; 0 rounds the length up to a multiple of 8")
            @Range(min = 0) int dIn,
            @Description("Adam steps") @Range(min = 1, max = 10_000_000) int steps,
            @Description("weight vectors per step") @Range(min = 1, max = 65_536) int batchSize,
            @Description("learning rate (official 1.115e-3)") @Range(min = 0, minExclusive = true, max = 10) double lr,
            @Description("Adam beta1 (official 0.5)") @Range(min = 0, max = 1, maxExclusive = true) double beta1,
            @Description("Adam beta2 (official 0.9)") @Range(min = 0, max = 1, maxExclusive = true) double beta2,
            @Description("weight of the KL term (official 1e-6)") @Range(min = 0) double klWeight,
            @Description("weight of the mean-squared reconstruction term (official 1000)") @Range(min = 0)
            double mseWeight,
            @Description("optimizer steps between checkpoints") @Range(min = 1) int checkpointEvery,
            @Description("zoo models whose reconstructed weights are evaluated on their tasks; 0 skips the check")
            @Range(min = 0) int reconCheck,
            @Description("seed of the initial weights and batches; -1 derives it from the pipeline seed")
            @Range(min = -1) long seed) {
    }

    @Override
    public String name() {
        return "d2nwg/train-vae";
    }

    @Override
    public String description() {
        return "trains the stage-1 VAE on the zoo's weight vectors (exact D2NWG loss), resumable";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(128, 16, 0, 2000, 64, 1e-3, 0.5, 0.9, MlpVae.KL_WEIGHT, MlpVae.MSE_WEIGHT, 500, 16, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("zoo", Zoo.class, "the model zoo"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("vae", TrainedVae.class, "the trained VAE"),
                Port.of("metrics", Metrics.class, "final loss parts and the reconstruction check"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Zoo zoo = in.get("zoo", Zoo.class);
        TensorBackend be = ctx.backend();
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        int len = zoo.vectorLength();
        int dIn = c.dIn() == 0 ? (len + 7) / 8 * 8 : c.dIn();
        if (dIn < len) {
            throw new IllegalArgumentException("d_in = " + dIn + " is smaller than the zoo's " + len
                    + "-value weight vectors; use d_in >= " + len + " or 0");
        }
        if (zoo.size() == 0) {
            throw new IllegalArgumentException("the zoo holds no models");
        }
        Tensor data = Tensors.unscoped(() -> be.tensor(padded(zoo, dIn), zoo.size(), dIn).to(DType.FLOAT32));
        MlpVae vae = new MlpVae(be, dIn, c.hidden(), c.latent(), DType.FLOAT32, new Generator(seed));
        Map<String, Double> last = new LinkedHashMap<>();
        try (data; Adam opt = new Adam(vae.parameters(), c.lr(), c.beta1(), c.beta2(), 1e-8, 0, false)) {
            Optional<Map<String, Double>> restored = Checkpointing.restore(ctx, Map.of("vae", vae), opt);
            long startStep = restored.map(m -> m.get("step").longValue()).orElse(0L);
            restored.ifPresent(m -> m.forEach((k, v) -> {
                if (k.startsWith("vae_")) { // the final checkpoint carries the last step's loss parts
                    last.put(k, v);
                }
            }));
            long t0 = System.nanoTime();
            int b = Math.min(c.batchSize(), zoo.size());
            for (long step = startStep + 1; step <= c.steps(); step++) {
                if (ctx.cancelled()) {
                    throw new java.util.concurrent.CancellationException("VAE training cancelled at step " + step);
                }
                Generator gen = new Generator(seed * 1_000_003L + step);
                try (TensorScope s = Tensors.scope()) {
                    long[] idx = new long[b];
                    for (int i = 0; i < b; i++) {
                        idx[i] = gen.nextLong(zoo.size());
                    }
                    Tensor x = data.indexSelect(0, be.tensor(idx, b));
                    Tensor eps = gen.normal(be, Shape.of(b, c.latent()), 0, 1);
                    MlpVae.Loss loss = vae.loss(x, eps, c.klWeight(), c.mseWeight());
                    opt.zeroGrad();
                    loss.total().backward();
                    opt.step();
                    double total = loss.total().item();
                    if (!Double.isFinite(total)) {
                        throw new IllegalStateException("VAE training diverged: loss " + total + " at step " + step
                                + "; lower lr");
                    }
                    if (step % 10 == 0 || step == c.steps()) {
                        ctx.series("vae_loss", step, total);
                        ctx.progress(step, c.steps(), "vae loss " + String.format(java.util.Locale.ROOT, "%.4g",
                                total));
                    }
                    if (step == c.steps()) {
                        last.put("vae_loss", total);
                        last.put("vae_rec_l1", loss.recL1().item());
                        last.put("vae_kl", loss.kl().item());
                        last.put("vae_mse", loss.mse().item());
                    }
                }
                if (step % c.checkpointEvery() == 0 || step == c.steps()) {
                    Map<String, Double> numbers = new LinkedHashMap<>(last);
                    numbers.put("step", (double) step);
                    Checkpointing.save(ctx, step, Map.of("vae", vae), opt, numbers);
                }
            }
            long done = c.steps() - startStep;
            if (done > 0) {
                ctx.timing("vae_ms_per_step", (System.nanoTime() - t0) / 1e6 / done);
            }
        }
        reconstructionCheck(ctx, zoo, vae, dIn, c.reconCheck(), last);
        last.forEach(ctx::metric);
        return PortValues.of("vae", new TrainedVae(vae, dIn, len), "metrics", new Metrics(ctx.stepName(), last));
    }

    static double[] padded(Zoo zoo, int dIn) {
        double[] out = new double[zoo.size() * dIn];
        for (int m = 0; m < zoo.size(); m++) {
            System.arraycopy(WeightVectors.pad(zoo.vector(m), dIn), 0, out, m * dIn, dIn);
        }
        return out;
    }

    /** Spec §7.2: accuracy of the reconstructed (mode) weights on their own task vs the originals'. */
    private static void reconstructionCheck(StepContext ctx, Zoo zoo, MlpVae vae, int dIn, int n,
            Map<String, Double> out) {
        int count = Math.min(n, zoo.size());
        if (count == 0) {
            return;
        }
        TensorBackend be = ctx.backend();
        double orig = 0;
        double recon = 0;
        for (int i = 0; i < count; i++) {
            int m = (int) ((long) i * zoo.size() / count);
            double[] rec;
            try (TensorScope s = Tensors.scope(); var ng = Autograd.noGrad()) {
                Tensor x = be.tensor(WeightVectors.pad(zoo.vector(m), dIn), 1, dIn).to(DType.FLOAT32);
                rec = vae.forward(x).toDoubleArray();
            }
            try (Classifiers.Batchable te = Classifiers.Batchable.of(be, zoo.data(zoo.taskOf(m), false, 0));
                 Mlp mlp = new Mlp(be, zoo.widths(), DType.FLOAT32, new Generator(0))) {
                WeightVectors.load(mlp, rec);
                recon += Classifiers.accuracy(mlp, te);
                orig += zoo.accuracy(m);
            }
        }
        out.put("original_accuracy", orig / count);
        out.put("reconstructed_accuracy", recon / count);
    }
}
