package io.tessera.plugin.fdconv;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * The lifecycle hook of the FDConv plugin. The plugin's value is its library ({@link FDConv2d}, {@link CondConv2d})
 * and its pipeline step ({@link TrainClassifierStep}, registered through {@code provides ... Step}), which need no
 * start-up work; the hook logs the layer's defaults so a host log shows which FDConv configuration is active.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class FdConvPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started; FDConv2d defaults: "
                + FDConvOptions.defaults());
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
