/**
 * D2NWG, Diffusion-based Neural Network Weights Generation (Soro et al., ICLR 2025), as a Tessera plugin: weight
 * vectors of a model zoo are compressed by a VAE, a latent DDPM conditioned on a few samples per class of a dataset
 * learns to generate those latents, and decoded samples are loaded back into the target architecture as weights for
 * unseen tasks. It follows the official code ({@code sorobedio/DNNWG}) and the project spec; it computes only
 * through {@code io.tessera.api} tensors. Steps: {@code d2nwg/zoo}, {@code d2nwg/train-vae},
 * {@code d2nwg/train-diffusion}, {@code d2nwg/generate}.
 */
module io.tessera.plugin.d2nwg {
    requires transitive io.tessera.api;
    requires jakarta.inject;
    requires static transitive org.apiguardian.api;

    exports io.tessera.plugin.d2nwg;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.d2nwg.D2nwgPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.d2nwg.ZooStep, io.tessera.plugin.d2nwg.TrainVaeStep,
            io.tessera.plugin.d2nwg.TrainDiffusionStep, io.tessera.plugin.d2nwg.GenerateStep;
}
