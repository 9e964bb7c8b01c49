package io.tessera.plugin.wpca;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * The lifecycle hook of the W-PCA plugin. Its value is the library (proxy, search space, genetic search) and the
 * pipeline steps registered through {@code provides ... Step}; the hook only logs the proxy defaults.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class WpcaPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started; W-PCA eta="
                + PcaCount.DEFAULT_ETA + ", reduction=" + LayerReduction.MEAN);
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
