package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The stage-1 VAE on weight vectors, CPU variant (spec §3, docs/methods/d2nwg.md §3): it keeps the official in/out
 * structure (a leaky-ReLU input projection, moments with a clamped log-variance, a decoder ending in a linear layer
 * with no output activation) with MLP bodies:
 * <ul>
 *   <li>encoder {@code h = LeakyReLU_0.01(x W_inᵀ + b_in)}, {@code [μ | logvar] = h W_momᵀ + b_mom}, logvar clamped
 *       to [−30, 20];</li>
 *   <li>decoder {@code x̂ = swish(z W_hidᵀ + b_hid) W_outᵀ + b_out};</li>
 *   <li>loss {@code Σ|x − x̂|/B + kl_weight·ΣKL/B + mse_weight·mean((x − x̂)²)} with
 *       {@code KL = ½Σ(μ² + σ² − 1 − log σ²)} and the {@code Myloss} log-variance fixed at 0.</li>
 * </ul>
 * Parameters: {@code enc_in, enc_mom, dec_hid, dec_out} ({@code .weight (out, in)}, {@code .bias}).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class MlpVae extends Module {
    /** The official KL weight (config {@code kl_weight}). */
    public static final double KL_WEIGHT = 1e-6;
    /** The weight of the mean-squared term in {@code Myloss}. */
    public static final double MSE_WEIGHT = 1000;

    private final int inDim;
    private final int hidden;
    private final int latent;
    private final Dense encIn;
    private final Dense encMom;
    private final Dense decHid;
    private final Dense decOut;

    public MlpVae(TensorBackend backend, int inDim, int hidden, int latent, DType dtype, Generator gen) {
        this.inDim = inDim;
        this.hidden = hidden;
        this.latent = latent;
        encIn = registerModule("enc_in", new Dense(backend, inDim, hidden, dtype, gen));
        encMom = registerModule("enc_mom", new Dense(backend, hidden, 2 * latent, dtype, gen));
        decHid = registerModule("dec_hid", new Dense(backend, latent, hidden, dtype, gen));
        decOut = registerModule("dec_out", new Dense(backend, hidden, inDim, dtype, gen));
    }

    /**
     * The posterior's moments; the caller closes them.
     *
     * @param mean   μ, {@code (B, Z)}
     * @param logvar log σ², clamped to [−30, 20], {@code (B, Z)}
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Moments(Tensor mean, Tensor logvar) implements AutoCloseable {
        /** {@code z = μ + exp(logvar/2)·ε}. */
        public Tensor sample(Tensor eps) {
            if (!eps.shape().equals(mean.shape())) {
                throw new IllegalArgumentException("VAE sample: eps has shape " + eps.shape() + " but the latent has "
                        + mean.shape());
            }
            try (TensorScope s = Tensors.scope()) {
                return s.keep(mean.add(logvar.mul(0.5).exp().mul(eps)));
            }
        }

        /** {@code ½Σ(μ² + σ² − 1 − log σ²)} summed over everything (all rows). */
        public Tensor klSum() {
            try (TensorScope s = Tensors.scope()) {
                return s.keep(mean.square().add(logvar.exp()).sub(1).sub(logvar).sum().mul(0.5));
            }
        }

        @Override
        public void close() {
            mean.close();
            logvar.close();
        }
    }

    /** Encodes {@code x (B, D_in)} to its moments. */
    public Moments encode(Tensor x) {
        if (x.rank() != 2 || x.size(1) != inDim) {
            throw new IllegalArgumentException("VAE encode: input shape " + x.shape() + " must be (B, " + inDim
                    + "); pad weight vectors to D_in with WeightVectors.pad");
        }
        try (TensorScope s = Tensors.scope()) {
            Tensor m = encMom.forward(encIn.forward(x).leakyRelu(0.01));
            Tensor mean = m.narrow(1, 0, latent);
            Tensor logvar = m.narrow(1, latent, latent).clamp(-30, 20);
            return new Moments(s.keep(mean), s.keep(logvar));
        }
    }

    /** Decodes {@code z (B, Z)} to weight vectors {@code (B, D_in)}. */
    public Tensor decode(Tensor z) {
        if (z.rank() != 2 || z.size(1) != latent) {
            throw new IllegalArgumentException("VAE decode: latent shape " + z.shape() + " must be (B, " + latent + ")");
        }
        try (TensorScope s = Tensors.scope()) {
            return s.keep(decOut.forward(decHid.forward(z).silu()));
        }
    }

    /** The reconstruction through the posterior mean (the mode). */
    @Override
    public Tensor forward(Tensor x) {
        try (TensorScope s = Tensors.scope()) {
            Moments m = encode(x); // owned by the scope
            return s.keep(decode(m.mean()));
        }
    }

    /**
     * The training loss and its parts for a batch {@code x} and posterior noise {@code eps}.
     *
     * @param total  the loss that is minimised
     * @param recL1  {@code Σ|x − x̂|/B}
     * @param kl     {@code ΣKL/B}
     * @param mse    {@code mean((x − x̂)²)}
     * @param xhat   the reconstruction
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Loss(Tensor total, Tensor recL1, Tensor kl, Tensor mse, Tensor xhat) implements AutoCloseable {
        @Override
        public void close() {
            total.close();
            recL1.close();
            kl.close();
            mse.close();
            xhat.close();
        }
    }

    /** The exact stage-1 loss (spec §3); {@code klWeight} is {@link #KL_WEIGHT} in the released config. */
    public Loss loss(Tensor x, Tensor eps, double klWeight, double mseWeight) {
        try (TensorScope s = Tensors.scope()) {
            Moments m = encode(x); // owned by the scope; the kept results hold what backward needs
            double b = x.size(0);
            Tensor xhat = decode(m.sample(eps));
            Tensor diff = x.sub(xhat);
            Tensor rec = diff.abs().sum().div(b);
            Tensor kl = m.klSum().div(b);
            Tensor mse = diff.square().mean();
            Tensor total = rec.add(kl.mul(klWeight)).add(mse.mul(mseWeight));
            return new Loss(s.keep(total), s.keep(rec), s.keep(kl), s.keep(mse), s.keep(xhat));
        }
    }

    public int inDim() {
        return inDim;
    }

    public int hidden() {
        return hidden;
    }

    public int latent() {
        return latent;
    }
}
