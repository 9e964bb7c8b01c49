package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.Arrays;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * A trained D2NWG generator, the output of {@code d2nwg/train-diffusion}: conditioning encoder, denoiser, schedule,
 * latent scale factor and the stage-1 VAE. {@link #sample} runs the reverse chain from {@code x_T ~ N(0, I)} (ancestral
 * DDPM over all T steps, or DDIM), divides by the scale factor, decodes and unpads (spec §5).
 *
 * @param vae             the stage-1 VAE
 * @param encoder         the dataset-conditioning encoder
 * @param denoiser        the eps-prediction network
 * @param diffusion       the schedule and step arithmetic
 * @param scaleFactor     the latent scale factor
 * @param samplesPerClass images per class in a conditioning set
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record WeightGenerator(TrainedVae vae, ConditionEncoder encoder, Denoiser denoiser, Diffusion diffusion,
        double scaleFactor, int samplesPerClass) {

    /** How to run the reverse chain. */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public enum Sampler {
        /** Ancestral sampling over all T steps (the official default). */
        DDPM,
        /** DDIM over a uniform sub-sequence. */
        DDIM;

        public static Sampler parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** Conditioning features {@code (B, C, n, d)} for {@code count} random conditioning sets of {@code task}. */
    Tensor conditioningFeatures(TensorBackend be, Zoo zoo, Zoo.Task task, int count, Generator gen) {
        int c = task.classes().length;
        int d = zoo.domains().get(task.domain()).dim();
        float[] all = new float[count * c * samplesPerClass * d];
        for (int i = 0; i < count; i++) {
            float[] one = zoo.conditioningSet(task, samplesPerClass, gen);
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return be.tensor(all, count, c, samplesPerClass, d);
    }

    /**
     * Generates {@code count} weight vectors (unpadded) for {@code task}, each from its own conditioning set.
     *
     * @param ddimSteps S, used by {@link Sampler#DDIM}
     * @param eta       η, used by {@link Sampler#DDIM}
     */
    public double[][] sample(Zoo zoo, Zoo.Task task, int count, Sampler sampler, int ddimSteps, double eta,
            Generator gen) {
        TensorBackend be = denoiser.parameters().get(0).backend();
        int z = denoiser.latent();
        try (var ng = Autograd.noGrad(); TensorScope s = Tensors.scope()) {
            Tensor cond = encoder.forward(conditioningFeatures(be, zoo, task, count, gen));
            Tensor x = gen.normal(be, Shape.of(count, z), 0, 1);
            if (sampler == Sampler.DDPM) {
                for (int t = diffusion.schedule().steps() - 1; t >= 0; t--) {
                    try (TensorScope st = Tensors.scope()) {
                        long[] ts = new long[count];
                        Arrays.fill(ts, t);
                        Tensor eps = denoiser.predict(x, ts, cond);
                        Tensor noise = t > 0 ? gen.normal(be, Shape.of(count, z), 0, 1) : be.zeros(Shape.of(count, z),
                                DType.FLOAT32);
                        x = st.keep(diffusion.ddpmStep(x, ts, eps, noise).xPrev());
                    }
                }
            } else {
                NoiseSchedule.Ddim ddim = diffusion.schedule().ddim(ddimSteps, eta);
                for (int i = ddim.size() - 1; i >= 0; i--) {
                    try (TensorScope st = Tensors.scope()) {
                        long[] ts = new long[count];
                        Arrays.fill(ts, ddim.timesteps()[i]);
                        Tensor eps = denoiser.predict(x, ts, cond);
                        Tensor noise = ddim.sigmas()[i] != 0 ? gen.normal(be, Shape.of(count, z), 0, 1)
                                : be.zeros(Shape.of(count, z), DType.FLOAT32);
                        x = st.keep(Diffusion.ddimStep(ddim, i, x, eps, noise).xPrev());
                    }
                }
            }
            double[] flat = vae.vae().decode(x.div(scaleFactor)).toDoubleArray();
            int dIn = vae.dIn();
            double[][] out = new double[count][];
            for (int i = 0; i < count; i++) {
                out[i] = Arrays.copyOfRange(flat, i * dIn, i * dIn + vae.length());
            }
            return out;
        }
    }
}
