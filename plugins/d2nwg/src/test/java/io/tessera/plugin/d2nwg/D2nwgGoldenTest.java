package io.tessera.plugin.d2nwg;

import static io.tessera.plugin.d2nwg.D2nwgGolden.close;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every group of spec §8 against the PyTorch goldens, for every bundled case and every case in -Dtessera.golden.d2nwg. */
class D2nwgGoldenTest {
    /** float64 arithmetic on both sides: only summation order differs. */
    private static final double RTOL = 1e-9;
    private static final double ATOL = 1e-10;
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void closeBackend() {
        be.close();
    }

    static Stream<D2nwgGolden> cases() {
        List<D2nwgGolden> all = D2nwgGolden.all();
        assertThat(all).as("golden cases").isNotEmpty();
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vectorisePadsAndChunksMlp0(D2nwgGolden g) {
        int layers = 0;
        while (g.has("mlp0_W" + layers)) {
            layers++;
        }
        assertThat(layers).as("mlp0 layers").isPositive();
        int[] widths = new int[layers + 1];
        for (int i = 0; i < layers; i++) {
            long[] s = g.shape("mlp0_W" + i);
            widths[i] = (int) s[1];
            widths[i + 1] = (int) s[0];
        }
        try (Mlp mlp = new Mlp(be, widths, DType.FLOAT64, new Generator(0))) {
            int i = 0;
            Map<String, Tensor> state = new java.util.LinkedHashMap<>();
            for (; i < layers; i++) {
                state.put("fc" + i + ".weight", g.tensor(be, "mlp0_W" + i));
                state.put("fc" + i + ".bias", g.tensor(be, "mlp0_b" + i));
            }
            mlp.loadStateDict(state, true);
            state.values().forEach(Tensor::close);
            long[] padded = g.shape("weights_padded");
            double[] row0 = java.util.Arrays.copyOf(g.doubles("weights_padded"), (int) padded[1]);
            double[] v = WeightVectors.flatten(mlp, (int) padded[1]);
            close(g + " weights_padded[0]", v, row0, 0, 0);
            long[] cs = g.shape("weights0_chunks");
            double[][] chunks = WeightVectors.chunks(WeightVectors.flatten(mlp), (int) cs[1]);
            assertThat(chunks.length).as("chunk count").isEqualTo(cs[0]);
            double[] flat = new double[(int) (cs[0] * cs[1])];
            for (int r = 0; r < chunks.length; r++) {
                System.arraycopy(chunks[r], 0, flat, r * (int) cs[1], (int) cs[1]);
            }
            close(g + " weights0_chunks", flat, g.doubles("weights0_chunks"), 0, 0);
        }
    }

    private MlpVae vae(D2nwgGolden g) {
        long[] in = g.shape("vae_enc_in_W");
        long[] eps = g.shape("vae_eps");
        MlpVae vae = new MlpVae(be, (int) in[1], (int) in[0], (int) eps[1], DType.FLOAT64, new Generator(0));
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        for (String p : List.of("enc_in", "enc_mom", "dec_hid", "dec_out")) {
            state.put(p + ".weight", g.tensor(be, "vae_" + p + "_W"));
            state.put(p + ".bias", g.tensor(be, "vae_" + p + "_b"));
        }
        vae.loadStateDict(state, true);
        state.values().forEach(Tensor::close);
        return vae;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vaeForwardLossAndGradients(D2nwgGolden g) {
        try (MlpVae vae = vae(g); TensorScope s = Tensors.scope()) {
            Tensor x = g.tensor(be, "weights_padded");
            Tensor eps = g.tensor(be, "vae_eps");
            MlpVae.Moments m = vae.encode(x);
            close(g + " vae_mean", m.mean().toDoubleArray(), g.doubles("vae_mean"), RTOL, ATOL);
            close(g + " vae_logvar", m.logvar().toDoubleArray(), g.doubles("vae_logvar"), RTOL, ATOL);
            Tensor z = m.sample(eps);
            close(g + " vae_z", z.toDoubleArray(), g.doubles("vae_z"), RTOL, ATOL);
            close(g + " vae_xhat", vae.decode(z).toDoubleArray(), g.doubles("vae_xhat"), RTOL, ATOL);
            close(g + " vae_xhat_mode", vae.forward(x).toDoubleArray(), g.doubles("vae_xhat_mode"), RTOL, ATOL);
            close(g + " latent_scale_factor", LatentScale.factor(z), g.scalar("latent_scale_factor"), RTOL, ATOL);

            MlpVae.Loss loss = vae.loss(x, eps, g.hpDouble("kl_weight"), g.hpDouble("mse_weight"));
            close(g + " vae_rec_l1", loss.recL1().item(), g.scalar("vae_rec_l1"), RTOL, ATOL);
            close(g + " vae_kl", loss.kl().item(), g.scalar("vae_kl"), RTOL, ATOL);
            close(g + " vae_mse", loss.mse().item(), g.scalar("vae_mse"), RTOL, ATOL);
            close(g + " vae_total", loss.total().item(), g.scalar("vae_total"), RTOL, ATOL);
            loss.total().backward();
            Map<String, Tensor> p = vae.namedParameters();
            close(g + " vae_grad_enc_in_W", p.get("enc_in.weight").grad().toDoubleArray(),
                    g.doubles("vae_grad_enc_in_W"), 1e-8, 1e-9);
            close(g + " vae_grad_dec_out_W", p.get("dec_out.weight").grad().toDoubleArray(),
                    g.doubles("vae_grad_dec_out_W"), 1e-8, 1e-9);
            close(g + " vae_grad_enc_mom_b", p.get("enc_mom.bias").grad().toDoubleArray(),
                    g.doubles("vae_grad_enc_mom_b"), 1e-8, 1e-9);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scheduleArrays(D2nwgGolden g) {
        int t = (int) g.shape("sched_betas")[0];
        NoiseSchedule s = NoiseSchedule.linear(t, g.hpDouble("linear_start"), g.hpDouble("linear_end"));
        for (String name : List.of("betas", "alphas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                "sqrt_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
                "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1",
                "posterior_mean_coef2")) {
            close(g + " sched_" + name, s.array(name), g.doubles("sched_" + name), RTOL, 1e-15);
        }
    }

    private NoiseSchedule schedule(D2nwgGolden g) {
        return NoiseSchedule.linear((int) g.shape("sched_betas")[0], g.hpDouble("linear_start"),
                g.hpDouble("linear_end"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void qSampleLossAndDdpmStep(D2nwgGolden g) {
        Diffusion d = new Diffusion(schedule(g));
        try (TensorScope s = Tensors.scope()) {
            long[] t = g.longs("diff_t");
            Tensor x0 = g.tensor(be, "diff_x0");
            Tensor noise = g.tensor(be, "diff_noise");
            Tensor xt = d.qSample(x0, t, noise);
            close(g + " diff_xt", xt.toDoubleArray(), g.doubles("diff_xt"), RTOL, ATOL);
            Tensor eps = g.tensor(be, "diff_eps_pred");
            close(g + " diff_loss_simple", Diffusion.lossSimple(noise, eps).item(), g.scalar("diff_loss_simple"),
                    RTOL, ATOL);
            close(g + " diff_loss_per_sample", Diffusion.lossPerSample(noise, eps).toDoubleArray(),
                    g.doubles("diff_loss_per_sample"), RTOL, ATOL);
            Diffusion.DdpmStep step = d.ddpmStep(g.tensor(be, "diff_xt"), t, eps, g.tensor(be, "diff_z"));
            close(g + " ddpm_x0_hat", step.x0Hat().toDoubleArray(), g.doubles("ddpm_x0_hat"), RTOL, ATOL);
            close(g + " ddpm_post_mean", step.mean().toDoubleArray(), g.doubles("ddpm_post_mean"), RTOL, ATOL);
            close(g + " ddpm_x_prev", step.xPrev().toDoubleArray(), g.doubles("ddpm_x_prev"), RTOL, ATOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ddimScheduleAndStep(D2nwgGolden g) {
        NoiseSchedule.Ddim ddim = schedule(g).ddim((int) g.hpDouble("ddim_steps"), g.hpDouble("ddim_eta"));
        long[] ts = g.longs("ddim_timesteps");
        assertThat(ddim.size()).as(g + " ddim steps").isEqualTo(ts.length);
        for (int i = 0; i < ts.length; i++) {
            assertThat((long) ddim.timesteps()[i]).as(g + " ddim_timesteps[" + i + "]").isEqualTo(ts[i]);
        }
        close(g + " ddim_alphas", ddim.alphas(), g.doubles("ddim_alphas"), RTOL, 1e-15);
        close(g + " ddim_alphas_prev", ddim.alphasPrev(), g.doubles("ddim_alphas_prev"), RTOL, 1e-15);
        close(g + " ddim_sigmas", ddim.sigmas(), g.doubles("ddim_sigmas"), RTOL, 1e-15);
        int index = (int) g.scalar("ddim_index");
        if (g.data().manifest().path("scalars").has("ddim_t")) {
            assertThat(ddim.timesteps()[index]).as(g + " ddim_t").isEqualTo((int) g.scalar("ddim_t"));
        }
        try (TensorScope s = Tensors.scope()) {
            Diffusion.DdimStep step = Diffusion.ddimStep(ddim, index, g.tensor(be, "ddim_x"), g.tensor(be, "ddim_e"),
                    g.tensor(be, "ddim_z"));
            close(g + " ddim_pred_x0", step.predX0().toDoubleArray(), g.doubles("ddim_pred_x0"), RTOL, ATOL);
            close(g + " ddim_x_prev", step.xPrev().toDoubleArray(), g.doubles("ddim_x_prev"), RTOL, ATOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void timeEmbedding(D2nwgGolden g) {
        int dim = (int) g.shape("temb")[1];
        close(g + " temb", TimeEmbedding.values(g.longs("diff_t"), dim), g.doubles("temb"), 1e-12, 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conditioningEncoderAndDenoiserInput(D2nwgGolden g) {
        long[] f = g.shape("cond_feats");
        long[] w1 = g.shape("cond_d1_W");
        long[] w2 = g.shape("cond_d2_W");
        try (ConditionEncoder enc = new ConditionEncoder(be, (int) w1[1], (int) f[3], (int) w1[0], (int) w2[0],
                DType.FLOAT64, new Generator(0)); TensorScope s = Tensors.scope()) {
            enc.loadStateDict(Map.of("dense1.weight", g.tensor(be, "cond_d1_W"), "dense1.bias",
                    g.tensor(be, "cond_d1_b"), "dense2.weight", g.tensor(be, "cond_d2_W"), "dense2.bias",
                    g.tensor(be, "cond_d2_b")), true);
            Tensor cond = enc.forward(g.tensor(be, "cond_feats"));
            close(g + " cond_out", cond.toDoubleArray(), g.doubles("cond_out"), RTOL, ATOL);
            Tensor concat = Tensors.concat(List.of(g.tensor(be, "diff_xt"), cond), 1);
            close(g + " denoiser_input_concat", concat.toDoubleArray(), g.doubles("denoiser_input_concat"), RTOL,
                    ATOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void clipLoss(D2nwgGolden g) {
        try (TensorScope s = Tensors.scope()) {
            double l = ClipLoss.loss(g.tensor(be, "clip_we"), g.tensor(be, "clip_de"), g.hpDouble("clip_tau")).item();
            close(g + " clip_loss", l, g.scalar("clip_loss"), RTOL, ATOL);
        }
    }
}
