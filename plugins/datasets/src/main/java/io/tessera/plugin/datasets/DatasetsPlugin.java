package io.tessera.plugin.datasets;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * Lifecycle hooks of the datasets plugin. Starting checks that the bundled samples are present in the jar, so a
 * damaged installation fails at start with a clear message rather than in the middle of a pipeline.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class DatasetsPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        int n = BundledSamples.fashionMnist(Split.TEST).size();
        context.logger().log(System.Logger.Level.DEBUG,
                "datasets plugin started; bundled Fashion-MNIST test sample has " + n + " images");
    }
}
