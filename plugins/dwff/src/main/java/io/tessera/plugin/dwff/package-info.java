/**
 * DWFF-Net: {@link io.tessera.plugin.dwff.DwffDecoder} (the dynamic-weighted multi-level fusion decoder with its
 * NWFF/SWFF ablations, chosen by {@link io.tessera.plugin.dwff.Fusion}), {@link io.tessera.plugin.dwff.DwffConfig}
 * (its hyperparameters), {@link io.tessera.plugin.dwff.GroupRule} (the official GroupNorm group count) and
 * {@link io.tessera.plugin.dwff.DwffLoss} (Dice + Focal − entropy); the scene segmentation task and its pipeline
 * steps.
 */
package io.tessera.plugin.dwff;
