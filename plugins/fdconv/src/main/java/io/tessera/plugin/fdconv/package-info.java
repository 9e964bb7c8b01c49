/**
 * The FDConv layer and its parts: {@link io.tessera.plugin.fdconv.FDConv2d} (the drop-in convolution),
 * {@link io.tessera.plugin.fdconv.FDConvOptions} and {@link io.tessera.plugin.fdconv.FbmOptions} (the official
 * hyperparameters with their defaults), {@link io.tessera.plugin.fdconv.FrequencyGroups} (the deterministic radial
 * frequency groups, spec §5.4), {@link io.tessera.plugin.fdconv.FbmMasks} (the band masks with the official 64×64
 * grid and float32 nearest resampling, spec §5.7) and the sub-modules {@code KSM_Global}, {@code KSM_Local} and
 * {@code FBM}; the baseline {@link io.tessera.plugin.fdconv.CondConv2d} (K full kernels mixed by input-dependent
 * attention); {@link io.tessera.plugin.fdconv.CnnVariant}, which swaps convolutions of the training module's reference
 * CNN for these layers, and the pipeline step {@link io.tessera.plugin.fdconv.TrainClassifierStep}
 * ({@code fdconv/train-classifier}) that trains it.
 */
package io.tessera.plugin.fdconv;
