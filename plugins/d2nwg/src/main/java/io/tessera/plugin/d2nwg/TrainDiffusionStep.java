package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code d2nwg/train-diffusion}: trains the latent DDPM (spec §5) jointly with the dataset-conditioning
 * encoder (spec §4, {@code cond_stage_trainable}). Each step encodes a batch of zoo vectors with the frozen VAE
 * ({@code z = encode(x).sample()}), scales them by the latent scale factor ({@code 1/std} of the first batch), draws
 * {@code t ~ U{0..T−1}} and noise, and minimises {@code mean((ε − ε_θ(x_t, t, c))²)}, where c encodes a fresh random
 * conditioning set ({@code samples_per_class} training images per class) of each model's task. Linear warm-up of
 * the learning rate as the official LambdaLinear schedule; checkpointed and resumable.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TrainDiffusionStep implements Step<TrainDiffusionStep.Config> {

    /**
     * Configuration of {@code d2nwg/train-diffusion}.
     *
     * @param timesteps       T
     * @param betaStart       β_start of the linear schedule
     * @param betaEnd         β_end
     * @param hidden          hidden width of the denoiser
     * @param timeEmbedding   size of the sinusoidal timestep embedding
     * @param condDim         size of the condition vector
     * @param condHidden      {@code out_dim} of the encoder's first layer
     * @param samplesPerClass images per class in a conditioning set
     * @param steps           Adam steps
     * @param batchSize       latents per step
     * @param lr              learning rate
     * @param warmupSteps     linear warm-up steps (from 1e-6 of lr)
     * @param checkpointEvery steps between checkpoints
     * @param seed            seed; -1 derives it from the pipeline's seed
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("T, timesteps of the schedule (official 1024)") @Range(min = 2, max = 100_000) int timesteps,
            @Description("beta_start of the linear schedule (official 0.0015)")
            @Range(min = 0, minExclusive = true, max = 1, maxExclusive = true) double betaStart,
            @Description("beta_end of the linear schedule (official 0.0155)")
            @Range(min = 0, minExclusive = true, max = 1, maxExclusive = true) double betaEnd,
            @Description("hidden width of the MLP denoiser") @Range(min = 1, max = 65_536) int hidden,
            @Description("size of the sinusoidal timestep embedding") @Range(min = 1, max = 4096) int timeEmbedding,
            @Description("size of the condition vector") @Range(min = 1, max = 65_536) int condDim,
            @Description("out_dim of the condition encoder's first layer (official 4)") @Range(min = 1, max = 4096)
            int condHidden,
            @Description("images per class in a conditioning set (official 5)") @Range(min = 1, max = 1000)
            int samplesPerClass,
            @Description("Adam steps") @Range(min = 1, max = 10_000_000) int steps,
            @Description("latents per step (official 64)") @Range(min = 1, max = 65_536) int batchSize,
            @Description("learning rate") @Range(min = 0, minExclusive = true, max = 10) double lr,
            @Description("linear warm-up steps of the learning rate (LambdaLinear, from 1e-6)") @Range(min = 0)
            int warmupSteps,
            @Description("optimizer steps between checkpoints") @Range(min = 1) int checkpointEvery,
            @Description("seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed) {
        public Config {
            if (betaStart >= betaEnd) {
                throw new IllegalArgumentException("beta_start (" + betaStart + ") must be below beta_end (" + betaEnd
                        + ")");
            }
        }
    }

    @Override
    public String name() {
        return "d2nwg/train-diffusion";
    }

    @Override
    public String description() {
        return "trains the conditional latent DDPM (eps prediction) and the dataset encoder on the zoo, resumable";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(1024, 0.0015, 0.0155, 128, 32, 16, 4, 5, 3000, 64, 1e-3, 100, 500, -1);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("zoo", Zoo.class, "the model zoo"),
                Port.of("vae", TrainedVae.class, "the trained stage-1 VAE"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("generator", WeightGenerator.class, "the trained weight generator"),
                Port.of("metrics", Metrics.class, "the final training loss and the scale factor"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Zoo zoo = in.get("zoo", Zoo.class);
        TrainedVae tv = in.get("vae", TrainedVae.class);
        TensorBackend be = ctx.backend();
        long seed = c.seed() >= 0 ? c.seed() : ctx.seed();
        if (tv.length() != zoo.vectorLength()) {
            throw new IllegalArgumentException("the VAE was trained on " + tv.length() + "-value vectors but the zoo's"
                    + " are " + zoo.vectorLength() + "; train both on the same zoo");
        }
        int ways = zoo.tasks().get(0).classes().length;
        int dim = zoo.domains().get(0).dim();
        int latent = tv.vae().latent();
        Generator init = new Generator(seed);
        ConditionEncoder enc = new ConditionEncoder(be, c.samplesPerClass() * ways, dim, c.condHidden(), c.condDim(),
                DType.FLOAT32, init);
        Denoiser den = new Denoiser(be, latent, c.condDim(), c.timeEmbedding(), c.hidden(), DType.FLOAT32, init);
        Diffusion diffusion = new Diffusion(NoiseSchedule.linear(c.timesteps(), c.betaStart(), c.betaEnd()));
        WeightGenerator shell = new WeightGenerator(tv, enc, den, diffusion, 1, c.samplesPerClass());
        List<io.tessera.api.tensor.Tensor> params = new ArrayList<>(enc.parameters());
        params.addAll(den.parameters());
        Tensor data = Tensors.unscoped(() -> be.tensor(TrainVaeStep.padded(zoo, tv.dIn()), zoo.size(), tv.dIn())
                .to(DType.FLOAT32));
        Map<String, Module> modules = Map.of("encoder", enc, "denoiser", den);
        double scale = Double.NaN;
        double ema = Double.NaN;
        int b = Math.min(c.batchSize(), zoo.size());
        try (data; Adam opt = new Adam(params, c.lr())) {
            Optional<Map<String, Double>> restored = Checkpointing.restore(ctx, modules, opt);
            long startStep = 0;
            if (restored.isPresent()) {
                startStep = restored.get().get("step").longValue();
                scale = restored.get().get("scale_factor");
                ema = restored.get().getOrDefault("loss_ema", Double.NaN);
            }
            long t0 = System.nanoTime();
            for (long step = startStep + 1; step <= c.steps(); step++) {
                if (ctx.cancelled()) {
                    throw new java.util.concurrent.CancellationException("diffusion training cancelled at " + step);
                }
                Generator gen = new Generator(seed * 1_000_003L + step);
                double factor = c.warmupSteps() == 0 ? 1 : Math.min(1, 1e-6 + (1 - 1e-6) * step / c.warmupSteps());
                opt.setLearningRate(c.lr() * factor);
                try (TensorScope s = Tensors.scope()) {
                    long[] idx = new long[b];
                    for (int i = 0; i < b; i++) {
                        idx[i] = gen.nextLong(zoo.size());
                    }
                    Tensor z0;
                    try (var ng = Autograd.noGrad()) {
                        MlpVae.Moments m = tv.vae().encode(data.indexSelect(0, be.tensor(idx, b)));
                        z0 = m.sample(gen.normal(be, Shape.of(b, latent), 0, 1));
                    }
                    if (Double.isNaN(scale)) { // scale_by_std: 1/std of the first batch's latents
                        scale = LatentScale.factor(z0);
                    }
                    Tensor x0 = z0.mul(scale);
                    long[] t = new long[b];
                    for (int i = 0; i < b; i++) {
                        t[i] = gen.nextLong(c.timesteps());
                    }
                    Tensor noise = gen.normal(be, Shape.of(b, latent), 0, 1);
                    Tensor xt = diffusion.qSample(x0, t, noise);
                    List<Tensor> feats = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        feats.add(shell.conditioningFeatures(be, zoo, zoo.taskOf((int) idx[i]), 1, gen));
                    }
                    Tensor cond = enc.forward(Tensors.concat(feats, 0));
                    Tensor loss = Diffusion.lossSimple(noise, den.predict(xt, t, cond));
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    double l = loss.item();
                    if (!Double.isFinite(l)) {
                        throw new IllegalStateException("diffusion training diverged: loss " + l + " at step " + step
                                + "; lower lr");
                    }
                    ema = Double.isNaN(ema) ? l : 0.99 * ema + 0.01 * l;
                    if (step % 10 == 0 || step == c.steps()) {
                        ctx.series("diffusion_loss", step, l);
                        ctx.progress(step, c.steps(), "loss_simple " + String.format(java.util.Locale.ROOT, "%.4f",
                                ema));
                    }
                }
                if (step % c.checkpointEvery() == 0 || step == c.steps()) {
                    Checkpointing.save(ctx, step, modules, opt, Map.of("step", (double) step, "scale_factor", scale,
                            "loss_ema", ema));
                }
            }
            long done = c.steps() - startStep;
            if (done > 0) {
                ctx.timing("diffusion_ms_per_step", (System.nanoTime() - t0) / 1e6 / done);
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss_simple_ema", ema);
        m.put("scale_factor", scale);
        m.forEach(ctx::metric);
        WeightGenerator g = new WeightGenerator(tv, enc, den, diffusion, scale, c.samplesPerClass());
        return PortValues.of("generator", g, "metrics", new Metrics(ctx.stepName(), m));
    }
}
