package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The latent DDPM's per-step arithmetic (spec §5, docs/methods/d2nwg.md §5) on tensors of shape {@code (B, ...)}:
 * the forward process {@code q_sample}, the eps-prediction loss, one ancestral DDPM reverse step and one DDIM step.
 * Per-row coefficients are gathered from the float64 {@link NoiseSchedule} and cast to the operands' dtype.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Diffusion {
    private final NoiseSchedule schedule;

    public Diffusion(NoiseSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** {@code x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε}, with one timestep per row of {@code x0}. */
    public Tensor qSample(Tensor x0, long[] t, Tensor noise) {
        checkRows("q_sample", x0, t);
        sameShape("q_sample", x0, "noise", noise);
        try (TensorScope s = Tensors.scope()) {
            Tensor r = x0.mul(column(x0, schedule.sqrtAlphasCumprod, t))
                    .add(noise.mul(column(x0, schedule.sqrtOneMinusAlphasCumprod, t)));
            return s.keep(r);
        }
    }

    /** The simple loss {@code mean((ε − ε_θ)²)} over every element (l_simple_weight 1, eps parameterisation). */
    public static Tensor lossSimple(Tensor noise, Tensor epsPred) {
        sameShape("loss_simple", noise, "eps_pred", epsPred);
        try (TensorScope s = Tensors.scope()) {
            return s.keep(noise.sub(epsPred).square().mean());
        }
    }

    /** {@code mean((ε − ε_θ)²)} per sample (over every axis but the first), shape {@code (B)}. */
    public static Tensor lossPerSample(Tensor noise, Tensor epsPred) {
        sameShape("loss_per_sample", noise, "eps_pred", epsPred);
        try (TensorScope s = Tensors.scope()) {
            Tensor d = noise.sub(epsPred).square();
            return s.keep(d.reshape(d.size(0), -1).mean(1, false));
        }
    }

    /**
     * One ancestral reverse step: {@code x̂_0 = √(1/ᾱ_t) x_t − √(1/ᾱ_t − 1) ε_θ}, {@code μ = c1_t x̂_0 + c2_t x_t},
     * {@code x_{t−1} = μ + 1[t>0]·exp(½·logσ̃²_t)·z} (no clipping of x̂_0).
     */
    public DdpmStep ddpmStep(Tensor xt, long[] t, Tensor epsPred, Tensor z) {
        checkRows("ddpm step", xt, t);
        sameShape("ddpm step", xt, "eps_pred", epsPred);
        sameShape("ddpm step", xt, "z", z);
        double[] noiseScale = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            noiseScale[i] = t[i] > 0 ? Math.exp(0.5 * schedule.posteriorLogVarianceClipped[(int) t[i]]) : 0;
        }
        try (TensorScope s = Tensors.scope()) {
            Tensor x0 = xt.mul(column(xt, schedule.sqrtRecipAlphasCumprod, t))
                    .sub(epsPred.mul(column(xt, schedule.sqrtRecipm1AlphasCumprod, t)));
            Tensor mean = x0.mul(column(xt, schedule.posteriorMeanCoef1, t))
                    .add(xt.mul(column(xt, schedule.posteriorMeanCoef2, t)));
            Tensor prev = mean.add(z.mul(columnOf(xt, noiseScale)));
            return new DdpmStep(s.keep(x0), s.keep(mean), s.keep(prev));
        }
    }

    /**
     * One DDIM step at position {@code index} of {@code ddim}: {@code x̂_0 = (x − √(1−a)ε)/√a},
     * {@code x_prev = √a_prev·x̂_0 + √(1−a_prev−σ²)·ε + σ·z}.
     */
    public static DdimStep ddimStep(NoiseSchedule.Ddim ddim, int index, Tensor x, Tensor e, Tensor z) {
        if (index < 0 || index >= ddim.size()) {
            throw new IllegalArgumentException("DDIM index " + index + " is outside [0, " + (ddim.size() - 1) + "]");
        }
        sameShape("ddim step", x, "e", e);
        sameShape("ddim step", x, "z", z);
        double a = ddim.alphas()[index];
        double aPrev = ddim.alphasPrev()[index];
        double sigma = ddim.sigmas()[index];
        try (TensorScope s = Tensors.scope()) {
            Tensor x0 = x.sub(e.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
            Tensor prev = x0.mul(Math.sqrt(aPrev)).add(e.mul(Math.sqrt(1 - aPrev - sigma * sigma)));
            if (sigma != 0) {
                prev = prev.add(z.mul(sigma));
            }
            return new DdimStep(s.keep(x0), s.keep(prev));
        }
    }

    /**
     * The result of one ancestral step; the caller closes the tensors.
     *
     * @param x0Hat the predicted clean sample
     * @param mean  the posterior mean
     * @param xPrev the sample at t−1
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record DdpmStep(Tensor x0Hat, Tensor mean, Tensor xPrev) {
    }

    /**
     * The result of one DDIM step; the caller closes the tensors.
     *
     * @param predX0 the predicted clean sample
     * @param xPrev  the sample at the previous DDIM timestep
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record DdimStep(Tensor predX0, Tensor xPrev) {
    }

    /** {@code coef[t_i]} as a {@code (B, 1, ..., 1)} tensor of {@code like}'s dtype, broadcasting over rows. */
    private Tensor column(Tensor like, double[] coef, long[] t) {
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            schedule.checkTimestep(t[i]);
            v[i] = coef[(int) t[i]];
        }
        return columnOf(like, v);
    }

    private static Tensor columnOf(Tensor like, double[] v) {
        long[] dims = new long[like.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = v.length;
        return like.backend().tensor(v, dims).to(like.dtype());
    }

    private static void checkRows(String op, Tensor x, long[] t) {
        if (x.rank() < 1 || x.size(0) != t.length) {
            throw new IllegalArgumentException(op + ": " + t.length + " timesteps for an input of shape " + x.shape()
                    + "; give one timestep per row");
        }
    }

    private static void sameShape(String op, Tensor x, String arg, Tensor other) {
        if (!x.shape().equals(other.shape())) {
            throw new IllegalArgumentException(op + ": '" + arg + "' has shape " + other.shape() + " but the input has "
                    + x.shape());
        }
    }
}
