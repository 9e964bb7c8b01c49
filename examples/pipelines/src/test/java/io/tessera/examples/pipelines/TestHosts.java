package io.tessera.examples.pipelines;

import io.tessera.api.pipeline.Step;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.plugin.datasets.IdxDatasetStep;
import io.tessera.plugin.fdconv.TrainClassifierStep;
import java.nio.file.Path;

/**
 * A started host as an embedding application on the class path builds it: the datasets and FDConv steps registered by
 * hand.
 */
final class TestHosts {
    private TestHosts() {
    }

    static TesseraHost started() {
        TesseraHost host = Tessera.builder().build();
        host.start();
        if (Pipelines.of(host).step("datasets/idx").isEmpty()) {
            host.services().register(Step.class, new IdxDatasetStep());
        }
        if (Pipelines.of(host).step("fdconv/train-classifier").isEmpty()) {
            host.services().register(Step.class, new TrainClassifierStep());
        }
        return host;
    }

    /** The examples/pipelines folder (set by the build), or the working directory's. */
    static Path examples() {
        String dir = System.getProperty("tessera.examples");
        return dir == null ? Path.of("examples/pipelines") : Path.of(dir);
    }
}
