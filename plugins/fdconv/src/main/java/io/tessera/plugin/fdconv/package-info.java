/**
 * The FDConv layer and its parts: {@link io.tessera.plugin.fdconv.FDConv2d} (the drop-in convolution),
 * {@link io.tessera.plugin.fdconv.FDConvOptions} and {@link io.tessera.plugin.fdconv.FbmOptions} (the official
 * hyperparameters with their defaults), {@link io.tessera.plugin.fdconv.FrequencyGroups} (the deterministic radial
 * frequency groups, spec §5.4), {@link io.tessera.plugin.fdconv.FbmMasks} (the band masks with the official 64×64
 * grid and float32 nearest resampling, spec §5.7) and the sub-modules {@code KSM_Global}, {@code KSM_Local} and
 * {@code FBM}.
 */
package io.tessera.plugin.fdconv;
