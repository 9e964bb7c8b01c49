package io.tessera.plugin.d2nwg;

import org.apiguardian.api.API;

/**
 * The output of {@code d2nwg/train-vae}: the trained stage-1 VAE and the padded input size it expects.
 *
 * @param vae    the VAE (float32)
 * @param dIn    D_in, the padded weight-vector length
 * @param length the unpadded weight-vector length of the zoo's architecture
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainedVae(MlpVae vae, int dIn, int length) {
}
