package io.tessera.examples.pipelines;

import io.tessera.api.pipeline.Step;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.plugin.datasets.IdxDatasetStep;
import io.tessera.plugin.dwff.EvaluateStep;
import io.tessera.plugin.dwff.GalleryStep;
import io.tessera.plugin.dwff.PretrainVitStep;
import io.tessera.plugin.dwff.ScenesStep;
import io.tessera.plugin.dwff.TrainStep;
import io.tessera.plugin.fdconv.TrainClassifierStep;
import java.nio.file.Path;
import java.util.List;

/**
 * A started host as an embedding application on the class path builds it: the datasets, FDConv, W-PCA and DWFF
 * steps registered by hand.
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
        if (Pipelines.of(host).step("wpca/sample").isEmpty()) {
            for (Step<?> s : List.<Step<?>>of(new io.tessera.plugin.wpca.SampleStep(),
                    new io.tessera.plugin.wpca.ScoreStep(), new io.tessera.plugin.wpca.SearchStep(),
                    new io.tessera.plugin.wpca.TrainCandidatesStep(), new io.tessera.plugin.wpca.CorrelateStep())) {
                host.services().register(Step.class, s);
            }
        }
        for (Step<?> s : List.<Step<?>>of(new ScenesStep(), new PretrainVitStep(), new TrainStep(), new EvaluateStep(),
                new GalleryStep())) {
            if (Pipelines.of(host).step(s.name()).isEmpty()) {
                host.services().register(Step.class, s);
            }
        }
        return host;
    }

    /** The examples/pipelines folder (set by the build), or the working directory's. */
    static Path examples() {
        String dir = System.getProperty("tessera.examples");
        return dir == null ? Path.of("examples/pipelines") : Path.of(dir);
    }
}
