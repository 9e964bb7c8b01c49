/**
 * The Tessera API: everything a plugin author compiles against. It holds the plugin SPI and extension points
 * ({@code io.tessera.api.plugin}, {@code io.tessera.api.pipeline}), the tensor API and backend SPI with autograd
 * ({@code io.tessera.api.tensor}), the one problem type of host, validator and command line
 * ({@code io.tessera.api.problem}), neural-network modules, optimizers, datasets and weight I/O. It depends on
 * nothing but {@code jakarta.inject}; no ND4J, Guice or CUDA type appears here.
 */
module io.tessera.api {
    requires transitive jakarta.inject;
    requires static org.apiguardian.api;

    exports io.tessera.api;
    exports io.tessera.api.io;
    exports io.tessera.api.tensor;
    exports io.tessera.api.tensor.spi;
    exports io.tessera.api.data;
    exports io.tessera.api.nn;
    exports io.tessera.api.optim;
    exports io.tessera.api.plugin;
    exports io.tessera.api.pipeline;
    exports io.tessera.api.metrics;
    exports io.tessera.api.problem;
}
