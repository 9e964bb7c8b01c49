package io.tessera.plugin.dcd;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * The lifecycle hook of the DCD plugin. Its value is the library ({@link HardNegatives}, {@link DcdLoss}) and its
 * pipeline steps, registered through {@code provides ... Step}; the hook only logs the official hyperparameters.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class DcdPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started; official K "
                + HardNegatives.OFFICIAL_K + ", alpha " + DcdLoss.OFFICIAL_ALPHA + ", T " + DcdLoss.OFFICIAL_T);
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
