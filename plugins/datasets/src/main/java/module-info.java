/**
 * Datasets for Tessera: readers for the IDX format (gzipped or not) and the MNIST / Fashion-MNIST folder layout,
 * small bundled samples of both (1,000 training and 500 test images each) so tests and the quickstart need no
 * download, and the {@code datasets/idx} pipeline step. The datasets it returns implement
 * {@link io.tessera.api.data.ImageDataset}, so any plugin can batch them with {@link io.tessera.api.data.DataLoader}.
 */
module io.tessera.plugin.datasets {
    requires io.tessera.api;
    requires static org.apiguardian.api;

    exports io.tessera.plugin.datasets;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.datasets.DatasetsPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.datasets.IdxDatasetStep;
}
