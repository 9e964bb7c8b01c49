package io.tessera.api.plugin;

import org.apiguardian.api.API;

/**
 * The optional lifecycle hooks of a plugin. A plugin module declares at most one implementation with
 * {@code provides io.tessera.api.plugin.Plugin with my.pkg.MyPlugin;}. A plugin without one still contributes the
 * extensions of its other {@code provides} clauses.
 *
 * <p><b>Instantiation.</b> The host creates every provider class of a plugin (this one and its extensions) with
 * dependency injection: a constructor marked {@code @jakarta.inject.Inject} is used when there is one, otherwise the
 * public no-argument constructor; then {@code @Inject} fields and methods are filled. Injectable are the host services
 * ({@link ServiceRegistry}, {@link PluginContext}, {@link PluginDescriptor}, {@link System.Logger}) and any concrete
 * class of the plugin itself. A class is instantiated once per plugin even if it provides several services. Because
 * {@code javac} requires a provider class to have a public no-argument constructor or a {@code public static provider()}
 * method, a class using constructor injection also declares such a method; the host ignores it when the class has an
 * {@code @Inject} constructor (it only serves plain {@link java.util.ServiceLoader} users).
 *
 * <p><b>Threads.</b> {@link #start} and {@link #stop} run on a host thread, one plugin at a time, in dependency order
 * (stop in reverse). Both are bounded by the host's timeouts: a hook that throws or does not return in time marks the
 * plugin {@link PluginState#FAILED} without affecting other plugins.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface Plugin {

    /**
     * Called when the plugin is started, after its layer is created and its extension classes are instantiated but
     * before its extensions are published in the registry. Throwing marks the plugin {@link PluginState#FAILED}.
     *
     * @param context the plugin's view of the host
     * @throws Exception any failure; it is reported with the plugin's id and source
     */
    default void start(PluginContext context) throws Exception {
    }

    /**
     * Called when the plugin is stopped, after its extensions were withdrawn from the registry. Release threads,
     * files and native memory here: the plugin's class loader must become unreachable after it is uninstalled.
     *
     * @param context the same context that was passed to {@link #start}
     * @throws Exception any failure; it is reported but the plugin is stopped anyway
     */
    default void stop(PluginContext context) throws Exception {
    }
}
