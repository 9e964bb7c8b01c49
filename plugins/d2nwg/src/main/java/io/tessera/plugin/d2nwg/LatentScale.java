package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * The latent scale factor (spec §5, {@code scale_by_std}): {@code 1/std(z)} over all elements of the first training
 * batch's latents, with the unbiased (n − 1) estimator as torch's default; latents are multiplied by it before
 * diffusion and divided by it before decoding.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class LatentScale {
    private LatentScale() {
    }

    /** {@code 1/std_unbiased(z)}; rejects fewer than two values and constant latents. */
    public static double factor(Tensor z) {
        if (z.numel() < 2) {
            throw new IllegalArgumentException("the latent scale factor needs at least 2 latent values, got "
                    + z.numel() + " (shape " + z.shape() + ")");
        }
        double std;
        try (var ng = Autograd.noGrad(); Tensor sd = z.std(allAxes(z), false, 1)) {
            std = sd.item();
        }
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("the latents have standard deviation " + std + ", so no scale factor"
                    + " 1/std exists; check the VAE's encodings");
        }
        return 1 / std;
    }

    private static int[] allAxes(Tensor z) {
        int[] a = new int[z.rank()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }
}
