/**
 * DWFF-Net (Zheng, Song, Li, Yao, Bian, 2025), the dynamic-weighted feature fusion network, as a Tessera plugin. Its
 * decoder fuses the hidden states of several depths of a frozen ViT: each level is projected, a small MLP on the
 * levels' normalised global descriptors gives per-image softmax weights (with a learned temperature), and a light
 * convolutional decoder upsamples the weighted sum to per-pixel class logits. The plain-sum (NWFF) and static-scalar
 * (SWFF) ablations are options of the same decoder, and the loss is the official Dice + Focal − entropy objective.
 * Parameter names are the official state-dict keys. The plugin also provides the scene segmentation task built from
 * MNIST-format images, the frozen ViT encoder's pre-training, and the training and evaluation steps that compare the
 * fusion variants. It computes only through {@code io.tessera.api} tensors.
 */
module io.tessera.plugin.dwff {
    requires transitive io.tessera.api;
    // the run's record of training epochs (EpochLog), which the pipeline engine offers as a step service
    requires io.tessera.training;
    requires jakarta.inject;
    requires static transitive org.apiguardian.api;

    exports io.tessera.plugin.dwff;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.dwff.DwffPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.dwff.ScenesStep, io.tessera.plugin.dwff.PretrainVitStep,
            io.tessera.plugin.dwff.TrainStep, io.tessera.plugin.dwff.EvaluateStep, io.tessera.plugin.dwff.GalleryStep;
}
