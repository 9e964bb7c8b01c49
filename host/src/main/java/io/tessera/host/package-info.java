/**
 * The embedding API of the Tessera host: build a host with {@link io.tessera.host.Tessera#builder()}, start it, look
 * at its plugins ({@link io.tessera.host.PluginView}) and resolution problems ({@link io.tessera.host.ResolutionReport}),
 * use the extensions of active plugins, close it. Each host is an independent instance; several may run in one JVM.
 */
package io.tessera.host;
