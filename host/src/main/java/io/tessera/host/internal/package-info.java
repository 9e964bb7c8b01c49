/**
 * The host's internals, not exported: scanning plugin folders ({@link io.tessera.host.internal.PluginScanner}),
 * reading descriptors ({@link io.tessera.host.internal.PluginReader}), resolution
 * ({@link io.tessera.host.internal.PluginResolver}), layer creation ({@link io.tessera.host.internal.LayerFactory}),
 * lifecycle ({@link io.tessera.host.internal.PluginActivator}; plugin code runs on
 * {@link io.tessera.host.internal.HookRunner}), Guice wiring, only where a plugin injects
 * ({@link io.tessera.host.internal.GuiceWiring}), the service registry and the folder watcher.
 * {@link io.tessera.host.internal.DefaultTesseraHost} ties them together.
 */
package io.tessera.host.internal;
