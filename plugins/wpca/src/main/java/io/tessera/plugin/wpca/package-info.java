/**
 * W-PCA, a gradient-free zero-shot NAS proxy: {@link io.tessera.plugin.wpca.PcaCount} (principal components at a
 * variance threshold), {@link io.tessera.plugin.wpca.WpcaScore} and {@link io.tessera.plugin.wpca.Proxy} (the
 * combination with the parameter count), the search space of small transformer encoders on image rows
 * ({@link io.tessera.plugin.wpca.Architecture}, {@link io.tessera.plugin.wpca.SearchSpace},
 * {@link io.tessera.plugin.wpca.EncoderClassifier}), the official genetic search
 * ({@link io.tessera.plugin.wpca.EvolutionSearch}), other training-free proxies for comparison, and the pipeline steps
 * of the ranking experiment. See {@code docs/methods/wpca.md}.
 */
package io.tessera.plugin.wpca;
