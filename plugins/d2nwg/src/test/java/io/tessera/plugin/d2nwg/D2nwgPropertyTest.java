package io.tessera.plugin.d2nwg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The property tests of spec §9, on the hyperparameters and shapes of every golden case (bundled and -D folder). */
class D2nwgPropertyTest {
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
        return D2nwgGolden.all().stream();
    }

    private static NoiseSchedule schedule(D2nwgGolden g) {
        return NoiseSchedule.linear((int) g.shape("sched_betas")[0], g.hpDouble("linear_start"),
                g.hpDouble("linear_end"));
    }

    private static Tensor normal(Generator gen, long... dims) {
        return gen.normal(be, Shape.of(dims), 0, 1).to(DType.FLOAT64);
    }

    /** §9.1 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scheduleIsMonotoneWithExactEnds(D2nwgGolden g) {
        NoiseSchedule s = schedule(g);
        double[] b = s.array("betas");
        double[] ab = s.array("alphas_cumprod");
        for (int t = 1; t < b.length; t++) {
            assertThat(b[t]).as("beta[%d]", t).isGreaterThan(b[t - 1]);
            assertThat(ab[t]).as("alphas_cumprod[%d]", t).isLessThan(ab[t - 1]);
        }
        for (double a : ab) {
            assertThat(a).isStrictlyBetween(0.0, 1.0);
        }
        assertThat(Math.abs(b[0] - g.hpDouble("linear_start"))).isLessThanOrEqualTo(1e-15);
        assertThat(Math.abs(b[b.length - 1] - g.hpDouble("linear_end"))).isLessThanOrEqualTo(1e-15);
        assertThat(s.array("alphas_cumprod_prev")[0]).isEqualTo(1.0);
        assertThat(s.array("posterior_variance")[0]).isEqualTo(0.0);
        assertThat(s.array("posterior_log_variance_clipped")[0]).isEqualTo(Math.log(1e-20));
    }

    /** §9.2 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void qSampleIdentities(D2nwgGolden g) {
        NoiseSchedule s = schedule(g);
        Diffusion d = new Diffusion(s);
        Generator gen = new Generator(1);
        long[] t = g.longs("diff_t");
        long[] shape = g.shape("diff_x0");
        try (TensorScope sc = Tensors.scope()) {
            Tensor x0 = normal(gen, shape);
            Tensor xt = d.qSample(x0, t, be.zeros(Shape.of(shape), DType.FLOAT64));
            double[] a = x0.toDoubleArray();
            double[] b = xt.toDoubleArray();
            int per = a.length / t.length;
            for (int i = 0; i < a.length; i++) {
                double want = Math.sqrt(s.array("alphas_cumprod")[(int) t[i / per]]) * a[i];
                assertThat(Math.abs(b[i] - want)).as("x_t[%d] with zero noise", i).isLessThanOrEqualTo(1e-12);
            }
            // Var(x_t) = 1 for x_0 ~ N(0, I): 1e5 samples at every timestep of the case
            int n = 100_000;
            for (long tt : t) {
                long[] ts = new long[n];
                Arrays.fill(ts, tt);
                Tensor big = d.qSample(normal(gen, n, 1), ts, normal(gen, n, 1));
                double var = big.var().item();
                assertThat(Math.abs(var - 1)).as("Var(x_t) at t=%d", tt).isLessThanOrEqualTo(1e-2);
            }
        }
    }

    /** §9.3 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reverseStepRecoversX0AndTakesNoNoiseAtZero(D2nwgGolden g) {
        Diffusion d = new Diffusion(schedule(g));
        Generator gen = new Generator(2);
        long[] t = g.longs("diff_t");
        long[] shape = g.shape("diff_x0");
        try (TensorScope sc = Tensors.scope()) {
            Tensor x0 = normal(gen, shape);
            Tensor noise = normal(gen, shape);
            Tensor xt = d.qSample(x0, t, noise);
            Diffusion.DdpmStep step = d.ddpmStep(xt, t, noise, normal(gen, shape));
            assertClose(step.x0Hat().toDoubleArray(), x0.toDoubleArray(), 1e-10, "x0_hat with the true noise");
            long[] zeros = new long[t.length];
            Diffusion.DdpmStep atZero = d.ddpmStep(xt, zeros, noise, normal(gen, shape).mul(100));
            assertClose(atZero.xPrev().toDoubleArray(), atZero.mean().toDoubleArray(), 0, "x_prev at t=0");
        }
    }

    /** §9.4 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ddimEtaZeroIsDeterministicAndRecoversX0(D2nwgGolden g) {
        NoiseSchedule s = schedule(g);
        NoiseSchedule.Ddim ddim = s.ddim((int) g.hpDouble("ddim_steps"), 0);
        for (double sigma : ddim.sigmas()) {
            assertThat(sigma).isEqualTo(0.0);
        }
        assertThat(ddim.alphasPrev()[0]).isEqualTo(s.array("alphas_cumprod")[0]);
        Generator gen = new Generator(3);
        long[] shape = g.shape("ddim_x");
        int index = (int) g.scalar("ddim_index");
        try (TensorScope sc = Tensors.scope()) {
            Tensor x0 = normal(gen, shape);
            Tensor e = normal(gen, shape);
            long[] ts = new long[(int) shape[0]];
            Arrays.fill(ts, ddim.timesteps()[index]);
            Tensor x = new Diffusion(s).qSample(x0, ts, e);
            Diffusion.DdimStep a = Diffusion.ddimStep(ddim, index, x, e, normal(gen, shape));
            Diffusion.DdimStep b = Diffusion.ddimStep(ddim, index, x, e, normal(gen, shape));
            assertClose(a.xPrev().toDoubleArray(), b.xPrev().toDoubleArray(), 0, "eta=0 step under two z");
            assertClose(a.predX0().toDoubleArray(), x0.toDoubleArray(), 1e-10, "pred_x0 with the true noise");
        }
        int t = s.steps();
        assertThatThrownBy(() -> s.ddim(t, 0)).hasMessageContaining("outside the schedule");
        assertThatThrownBy(() -> s.ddim(t + 5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static MlpVae randomVae(D2nwgGolden g, long seed) {
        long[] in = g.shape("vae_enc_in_W");
        long[] eps = g.shape("vae_eps");
        return new MlpVae(be, (int) in[1], (int) in[0], (int) eps[1], DType.FLOAT64, new Generator(seed));
    }

    /** §9.5 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vaeProperties(D2nwgGolden g) {
        Generator gen = new Generator(4);
        long[] xs = g.shape("weights_padded");
        long[] zs = g.shape("vae_eps");
        try (MlpVae vae = randomVae(g, 5); TensorScope sc = Tensors.scope()) {
            // logvar -> -inf (clamped at -30): z == mean for fixed eps
            Tensor mean = normal(gen, zs);
            MlpVae.Moments tight = new MlpVae.Moments(mean, be.full(Shape.of(zs), DType.FLOAT64, -1e6).clamp(-30, 20));
            Tensor eps = normal(gen, zs);
            double[] z = tight.sample(eps).toDoubleArray();
            double[] mu = mean.toDoubleArray();
            double[] e = eps.toDoubleArray();
            for (int i = 0; i < z.length; i++) { // |z - mean| = exp(-15)|eps| ~ 3e-7 |eps|
                assertThat(Math.abs(z[i] - mu[i])).as("z - mean with logvar clamped to -30 [%d]", i)
                        .isLessThanOrEqualTo(Math.exp(-15) * Math.abs(e[i]) * (1 + 1e-9) + 1e-15);
            }
            // KL >= 0, and 0 iff mean = 0 and logvar = 0
            MlpVae.Moments m = vae.encode(normal(gen, xs));
            assertThat(m.klSum().item()).isGreaterThanOrEqualTo(0.0);
            MlpVae.Moments zero = new MlpVae.Moments(be.zeros(Shape.of(zs), DType.FLOAT64),
                    be.zeros(Shape.of(zs), DType.FLOAT64));
            assertThat(zero.klSum().item()).isEqualTo(0.0);
            // a batch of one gives a finite loss
            MlpVae.Loss one = vae.loss(normal(gen, 1, xs[1]), normal(gen, 1, zs[1]), MlpVae.KL_WEIGHT,
                    MlpVae.MSE_WEIGHT);
            assertThat(one.total().item()).isFinite();
        }
        // finite differences on two weight entries
        try (MlpVae vae = randomVae(g, 6); TensorScope sc = Tensors.scope()) {
            Tensor x = normal(gen, xs);
            Tensor eps = normal(gen, zs);
            double kl = g.hpDouble("kl_weight");
            vae.loss(x, eps, kl, MlpVae.MSE_WEIGHT).total().backward();
            Map<String, Tensor> p = vae.namedParameters();
            for (var probe : List.of(Map.entry("enc_in.weight", new long[] {0, 1}),
                    Map.entry("dec_out.weight", new long[] {xs[1] - 1, 2}))) {
                Tensor w = p.get(probe.getKey());
                long[] at = probe.getValue();
                double analytic = w.grad().getDouble(at);
                double h = 1e-6;
                double w0 = w.getDouble(at);
                double plus;
                double minus;
                try (var ng = Autograd.noGrad()) {
                    w.set(w0 + h, at);
                    plus = vae.loss(x, eps, kl, MlpVae.MSE_WEIGHT).total().item();
                    w.set(w0 - h, at);
                    minus = vae.loss(x, eps, kl, MlpVae.MSE_WEIGHT).total().item();
                    w.set(w0, at);
                }
                double numeric = (plus - minus) / (2 * h);
                assertThat(Math.abs(numeric - analytic)).as("d total / d %s%s: numeric %s vs autograd %s",
                        probe.getKey(), Arrays.toString(at), numeric, analytic)
                        .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(analytic)));
            }
        }
    }

    /** §9.6 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vectorisationRoundTrip(D2nwgGolden g) {
        int layers = 0;
        while (g.has("mlp0_W" + layers)) {
            layers++;
        }
        int[] widths = new int[layers + 1];
        for (int i = 0; i < layers; i++) {
            widths[i] = (int) g.shape("mlp0_W" + i)[1];
            widths[i + 1] = (int) g.shape("mlp0_W" + i)[0];
        }
        int dIn = (int) g.shape("weights_padded")[1];
        int chunk = (int) g.shape("weights0_chunks")[1];
        try (Mlp a = new Mlp(be, widths, DType.FLOAT64, new Generator(7));
             Mlp b = new Mlp(be, widths, DType.FLOAT64, new Generator(8))) {
            double[] flat = WeightVectors.flatten(a);
            assertThat(flat.length).isEqualTo(Mlp.vectorLength(widths));
            double[] padded = WeightVectors.flatten(a, dIn);
            for (int i = flat.length; i < dIn; i++) {
                assertThat(padded[i]).as("padded tail [%d]", i).isEqualTo(0.0);
            }
            WeightVectors.load(b, padded);
            var pa = a.namedParameters();
            var pb = b.namedParameters();
            for (String k : pa.keySet()) {
                assertThat(pb.get(k).toDoubleArray()).as(k).containsExactly(pa.get(k).toDoubleArray());
            }
            List<double[]> parts = WeightVectors.unflatten(a, flat);
            assertThat(parts).hasSize(pa.size());
            double[][] chunks = WeightVectors.chunks(flat, chunk);
            assertThat(chunks.length).isEqualTo((flat.length + chunk - 1) / chunk);
            assertThat(WeightVectors.unchunk(chunks, flat.length)).containsExactly(flat);
            assertThat(WeightVectors.pad(flat, flat.length)).containsExactly(flat);
            assertThatThrownBy(() -> WeightVectors.pad(flat, flat.length - 1)).hasMessageContaining("D_in");
        }
    }

    /** §9.7 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scaleFactorScalesInversely(D2nwgGolden g) {
        try (TensorScope sc = Tensors.scope()) {
            Tensor z = g.tensor(be, "vae_z");
            double f = LatentScale.factor(z);
            for (double c : new double[] {3.0, -0.25}) {
                assertThat(LatentScale.factor(z.mul(c))).isCloseTo(f / Math.abs(c),
                        org.assertj.core.data.Offset.offset(1e-12 * f / Math.abs(c)));
            }
            assertThat(z.mul(f).std(new int[] {0, 1}, false, 1).item()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    /** §9.8 */
    @Test
    void timeEmbeddingAtZero() {
        for (int dim : new int[] {1, 2, 7, 8, 33}) {
            double[] e = TimeEmbedding.values(new long[] {0}, dim);
            int half = dim / 2;
            for (int k = 0; k < dim; k++) {
                assertThat(e[k]).as("temb(0)[%d] of %d", k, dim).isEqualTo(k < half ? 1.0 : 0.0);
            }
        }
    }

    /** §9.9 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void clipLossOfOneIsZeroAndPermutationInvariant(D2nwgGolden g) {
        double tau = g.hpDouble("clip_tau");
        try (TensorScope sc = Tensors.scope()) {
            Tensor we = g.tensor(be, "clip_we");
            Tensor de = g.tensor(be, "clip_de");
            long b = we.size(0);
            assertThat(ClipLoss.loss(we.narrow(0, 0, 1), de.narrow(0, 0, 1), tau).item()).isEqualTo(0.0);
            Tensor perm = be.tensor(new Generator(9).permutation((int) b), b);
            double base = ClipLoss.loss(we, de, tau).item();
            double permuted = ClipLoss.loss(we.indexSelect(0, perm), de.indexSelect(0, perm), tau).item();
            assertThat(permuted).isCloseTo(base, org.assertj.core.data.Offset.offset(1e-12 * Math.max(1, base)));
        }
    }

    /** §9.10 */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conditionEncoderPermutesWithDatasetsButNotClasses(D2nwgGolden g) {
        long[] f = g.shape("cond_feats");
        long[] w1 = g.shape("cond_d1_W");
        long[] w2 = g.shape("cond_d2_W");
        try (ConditionEncoder enc = new ConditionEncoder(be, (int) w1[1], (int) f[3], (int) w1[0], (int) w2[0],
                DType.FLOAT64, new Generator(10)); TensorScope sc = Tensors.scope()) {
            Generator gen = new Generator(11);
            long b = Math.max(2, f[0]);
            Tensor feats = normal(gen, b, f[1], f[2], f[3]);
            Tensor out = enc.forward(feats);
            long[] p = new Generator(12).permutation((int) b);
            Tensor perm = be.tensor(p, b);
            assertClose(enc.forward(feats.indexSelect(0, perm)).toDoubleArray(),
                    out.indexSelect(0, perm).toDoubleArray(), 1e-12, "datasets permuted");
            if (f[1] > 1) {
                long[] rev = new long[(int) f[1]];
                for (int i = 0; i < rev.length; i++) {
                    rev[i] = rev.length - 1 - i;
                }
                double[] swapped = enc.forward(feats.indexSelect(1, be.tensor(rev, rev.length))).toDoubleArray();
                double diff = 0;
                double[] o = out.toDoubleArray();
                for (int i = 0; i < o.length; i++) {
                    diff = Math.max(diff, Math.abs(o[i] - swapped[i]));
                }
                assertThat(diff).as("the MLP encoder depends on the class order").isGreaterThan(1e-6);
            }
        }
    }

    private static void assertClose(double[] a, double[] e, double tol, String what) {
        assertThat(a.length).isEqualTo(e.length);
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - e[i])).as("%s [%d]: %s vs %s", what, i, a[i], e[i])
                    .isLessThanOrEqualTo(tol * Math.max(1, Math.abs(e[i])));
        }
    }
}
