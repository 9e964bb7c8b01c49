/**
 * W-PCA (Shang Wang, "W-PCA Based Gradient-Free Proxy for Efficient Search of Lightweight Language Models", ICLR
 * 2025) as a Tessera plugin: the proxy (the number of principal components explaining 99 % of the variance of each
 * layer's FFN pre-activations, averaged over layers and multiplied by the parameter count), vanilla PCA and
 * {@code #params} as separate proxies, the official genetic search ({@code EvolutionSearcher}), a search space of
 * small transformer encoders over Fashion-MNIST rows, and the pipeline steps {@code wpca/sample}, {@code wpca/score},
 * {@code wpca/search}, {@code wpca/train-candidates} and {@code wpca/correlate} that rank proxies against real
 * training. It computes only through {@code io.tessera.api}, so it runs on every backend.
 */
module io.tessera.plugin.wpca {
    requires transitive io.tessera.api;
    requires jakarta.inject;
    requires java.desktop;
    requires static transitive org.apiguardian.api;

    exports io.tessera.plugin.wpca;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.wpca.WpcaPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.wpca.SampleStep, io.tessera.plugin.wpca.ScoreStep,
            io.tessera.plugin.wpca.SearchStep, io.tessera.plugin.wpca.TrainCandidatesStep,
            io.tessera.plugin.wpca.CorrelateStep;
}
