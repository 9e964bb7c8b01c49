package io.tessera.plugin.dwff;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * The lifecycle hook of the DWFF plugin. Its value is the library ({@link DwffDecoder}, {@link DwffLoss}) and its
 * pipeline steps, registered through {@code provides ... Step}; the hook only logs the official configuration.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class DwffPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started; official decoder: "
                + DwffConfig.official());
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
