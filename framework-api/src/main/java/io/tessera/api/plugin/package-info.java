/**
 * The plugin SPI: what a plugin is ({@link io.tessera.api.plugin.Plugin}), how it describes itself
 * ({@link io.tessera.api.plugin.PluginDescriptor}, read from the jar manifest), its lifecycle
 * ({@link io.tessera.api.plugin.PluginState}, {@link io.tessera.api.plugin.PluginEvent}), and the typed, dynamic
 * {@link io.tessera.api.plugin.ServiceRegistry} through which plugins find each other's extensions.
 *
 * <p>A plugin is a JPMS module jar whose manifest carries {@code Tessera-Plugin-Id}, {@code Tessera-Plugin-Version},
 * {@code Tessera-Api} and optionally {@code Tessera-Requires}. Every {@code provides} clause of its
 * {@code module-info} becomes an extension in the registry while the plugin is {@code ACTIVE}. Plugins use only
 * {@code jakarta.inject} annotations; the host instantiates provider classes by dependency injection.
 */
package io.tessera.api.plugin;
