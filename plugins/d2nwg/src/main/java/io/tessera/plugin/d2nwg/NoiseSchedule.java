package io.tessera.plugin.d2nwg;

import org.apiguardian.api.API;

/**
 * The linear ("LDM") noise schedule of the latent DDPM and its derived quantities, in float64 (spec §5,
 * docs/methods/d2nwg.md §5): {@code β_t = (linspace(√β_start, √β_end, T))²}, {@code ᾱ_t = Π α}, the posterior
 * variance with its log clipped at 1e-20, and the posterior-mean coefficients. Timesteps are 0-based.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class NoiseSchedule {
    private final int steps;
    private final double betaStart;
    private final double betaEnd;
    final double[] betas;
    final double[] alphas;
    final double[] alphasCumprod;
    final double[] alphasCumprodPrev;
    final double[] sqrtAlphasCumprod;
    final double[] sqrtOneMinusAlphasCumprod;
    final double[] sqrtRecipAlphasCumprod;
    final double[] sqrtRecipm1AlphasCumprod;
    final double[] posteriorVariance;
    final double[] posteriorLogVarianceClipped;
    final double[] posteriorMeanCoef1;
    final double[] posteriorMeanCoef2;

    private NoiseSchedule(int steps, double betaStart, double betaEnd) {
        if (steps < 2) {
            throw new IllegalArgumentException("a noise schedule needs T >= 2 timesteps, got " + steps);
        }
        if (!(betaStart > 0 && betaEnd < 1 && betaStart < betaEnd)) {
            throw new IllegalArgumentException("linear schedule needs 0 < beta_start < beta_end < 1, got "
                    + betaStart + ", " + betaEnd);
        }
        this.steps = steps;
        this.betaStart = betaStart;
        this.betaEnd = betaEnd;
        betas = new double[steps];
        alphas = new double[steps];
        alphasCumprod = new double[steps];
        alphasCumprodPrev = new double[steps];
        sqrtAlphasCumprod = new double[steps];
        sqrtOneMinusAlphasCumprod = new double[steps];
        sqrtRecipAlphasCumprod = new double[steps];
        sqrtRecipm1AlphasCumprod = new double[steps];
        posteriorVariance = new double[steps];
        posteriorLogVarianceClipped = new double[steps];
        posteriorMeanCoef1 = new double[steps];
        posteriorMeanCoef2 = new double[steps];
        double a = Math.sqrt(betaStart);
        double b = Math.sqrt(betaEnd);
        double cum = 1;
        for (int t = 0; t < steps; t++) {
            // torch.linspace's CPU kernel: the first half counts up from start, the second half down from end
            double step = (b - a) / (steps - 1);
            double s = t < steps / 2 ? a + step * t : b - step * (steps - t - 1);
            betas[t] = s * s;
            alphas[t] = 1 - betas[t];
            alphasCumprodPrev[t] = cum;
            cum *= alphas[t];
            alphasCumprod[t] = cum;
        }
        for (int t = 0; t < steps; t++) {
            double ab = alphasCumprod[t];
            double abPrev = alphasCumprodPrev[t];
            sqrtAlphasCumprod[t] = Math.sqrt(ab);
            sqrtOneMinusAlphasCumprod[t] = Math.sqrt(1 - ab);
            sqrtRecipAlphasCumprod[t] = Math.sqrt(1 / ab);
            sqrtRecipm1AlphasCumprod[t] = Math.sqrt(1 / ab - 1);
            posteriorVariance[t] = betas[t] * (1 - abPrev) / (1 - ab);
            posteriorLogVarianceClipped[t] = Math.log(Math.max(posteriorVariance[t], 1e-20));
            posteriorMeanCoef1[t] = betas[t] * Math.sqrt(abPrev) / (1 - ab);
            posteriorMeanCoef2[t] = (1 - abPrev) * Math.sqrt(alphas[t]) / (1 - ab);
        }
    }

    /** The linear schedule with {@code T} steps from {@code betaStart} to {@code betaEnd}. */
    public static NoiseSchedule linear(int steps, double betaStart, double betaEnd) {
        return new NoiseSchedule(steps, betaStart, betaEnd);
    }

    /** The schedule of the released config: T = 1024, β from 0.0015 to 0.0155 (spec §5). */
    public static NoiseSchedule official() {
        return linear(1024, 0.0015, 0.0155);
    }

    /** T, the number of timesteps. */
    public int steps() {
        return steps;
    }

    public double betaStart() {
        return betaStart;
    }

    public double betaEnd() {
        return betaEnd;
    }

    /** A copy of one derived array by its spec name ({@code betas}, {@code alphas_cumprod}, ...). */
    public double[] array(String name) {
        double[] a = switch (name) {
            case "betas" -> betas;
            case "alphas" -> alphas;
            case "alphas_cumprod" -> alphasCumprod;
            case "alphas_cumprod_prev" -> alphasCumprodPrev;
            case "sqrt_alphas_cumprod" -> sqrtAlphasCumprod;
            case "sqrt_one_minus_alphas_cumprod" -> sqrtOneMinusAlphasCumprod;
            case "sqrt_recip_alphas_cumprod" -> sqrtRecipAlphasCumprod;
            case "sqrt_recipm1_alphas_cumprod" -> sqrtRecipm1AlphasCumprod;
            case "posterior_variance" -> posteriorVariance;
            case "posterior_log_variance_clipped" -> posteriorLogVarianceClipped;
            case "posterior_mean_coef1" -> posteriorMeanCoef1;
            case "posterior_mean_coef2" -> posteriorMeanCoef2;
            default -> throw new IllegalArgumentException("no schedule array '" + name + "'");
        };
        return a.clone();
    }

    void checkTimestep(long t) {
        if (t < 0 || t >= steps) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (steps - 1) + "] of this T = "
                    + steps + " schedule (timesteps are 0-based)");
        }
    }

    /**
     * The DDIM sub-sequence with {@code S} steps and stochasticity {@code eta} (spec §5, uniform discretisation):
     * {@code c = T // S}, {@code ts = arange(0, T, c) + 1}; rejected when the +1 offset leaves the schedule
     * ({@code S >= T}).
     */
    public Ddim ddim(int ddimSteps, double eta) {
        if (ddimSteps < 1) {
            throw new IllegalArgumentException("DDIM needs at least 1 step, got " + ddimSteps);
        }
        if (eta < 0) {
            throw new IllegalArgumentException("DDIM eta must be >= 0, got " + eta);
        }
        int c = steps / ddimSteps;
        if (ddimSteps >= steps || c < 1) {
            throw new IllegalArgumentException("DDIM with S = " + ddimSteps + " steps on a T = " + steps
                    + " schedule: the official uniform discretisation arange(0, T, T//S) + 1 reaches timestep T,"
                    + " outside the schedule; use S < T");
        }
        int n = (steps + c - 1) / c;
        int[] ts = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * c + 1;
        }
        if (ts[n - 1] >= steps) {
            throw new IllegalArgumentException("DDIM with S = " + ddimSteps + " on T = " + steps + " reaches timestep "
                    + ts[n - 1] + " (>= T) through the +1 offset; pick S so that T // S does not divide T - 1");
        }
        double[] a = new double[n];
        double[] aPrev = new double[n];
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = alphasCumprod[ts[i]];
            aPrev[i] = i == 0 ? alphasCumprod[0] : alphasCumprod[ts[i - 1]];
            sigma[i] = eta * Math.sqrt((1 - aPrev[i]) / (1 - a[i]) * (1 - a[i] / aPrev[i]));
        }
        return new Ddim(ts, a, aPrev, sigma, eta);
    }

    /**
     * A DDIM sub-sequence: timesteps, {@code ᾱ} at them, the previous {@code ᾱ} and the per-step σ.
     *
     * @param timesteps   the timesteps, ascending
     * @param alphas      {@code ᾱ[ts]}
     * @param alphasPrev  {@code [ᾱ_0] ++ ᾱ[ts[:-1]]}
     * @param sigmas      {@code η·√((1−a_prev)/(1−a)·(1−a/a_prev))}
     * @param eta         η
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Ddim(int[] timesteps, double[] alphas, double[] alphasPrev, double[] sigmas, double eta) {
        /** The number of steps (which may exceed the requested S, e.g. 52 for T = 1024, S = 50). */
        public int size() {
            return timesteps.length;
        }
    }
}
