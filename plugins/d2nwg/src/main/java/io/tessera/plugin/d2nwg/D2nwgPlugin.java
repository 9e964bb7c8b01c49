package io.tessera.plugin.d2nwg;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import org.apiguardian.api.API;

/**
 * The lifecycle hook of the D2NWG plugin. Its value is the library (VAE, diffusion, conditioning) and the pipeline
 * steps registered through {@code provides ... Step}, which need no start-up work; the hook logs the official
 * schedule so a host log shows which defaults are active.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class D2nwgPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started; official schedule T=1024,"
                + " linear beta 0.0015..0.0155");
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
