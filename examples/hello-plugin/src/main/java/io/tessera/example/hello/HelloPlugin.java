package io.tessera.example.hello;

import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;

/** The plugin's lifecycle hooks: it only says hello and goodbye in the log. */
public final class HelloPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " started");
    }

    @Override
    public void stop(PluginContext context) {
        context.logger().log(System.Logger.Level.INFO, () -> context.descriptor() + " stopped");
    }
}
