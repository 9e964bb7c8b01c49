/**
 * FDConv, Frequency Dynamic Convolution (Chen, Gu, Li, Yan, Fu, CVPR 2025), as a Tessera plugin. Its layer
 * {@link io.tessera.plugin.fdconv.FDConv2d} is a drop-in for {@code Conv2d}: it stores one kernel's worth of weights as
 * Fourier coefficients ({@code dft_weight}), splits the spectrum into disjoint radial frequency groups, and mixes them
 * per sample with kernel spatial modulation (KSM, global and local) after band-splitting the input with frequency band
 * modulation (FBM). Parameter and buffer names are the official state-dict keys, so official checkpoints load by
 * name. The layer follows the official code ({@code Linwei-Chen/FDConv}) and the project spec
 * {@code specs/fdconv.md}; it computes only through {@code io.tessera.api} tensors, so it runs on every backend. The
 * plugin also offers the classic dynamic-convolution baseline {@link io.tessera.plugin.fdconv.CondConv2d} and the
 * pipeline step {@code fdconv/train-classifier}, which trains the training module's reference CNN with chosen
 * convolutions replaced, through that module's {@code Trainer}.
 */
module io.tessera.plugin.fdconv {
    requires transitive io.tessera.api;
    requires transitive io.tessera.training;
    requires jakarta.inject;
    requires static transitive org.apiguardian.api;

    exports io.tessera.plugin.fdconv;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.fdconv.FdConvPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.fdconv.TrainClassifierStep;
}
