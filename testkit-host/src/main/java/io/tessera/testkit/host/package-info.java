/** {@link io.tessera.testkit.host.PluginTestHost}: the plugin being built, loaded into a real host. */
package io.tessera.testkit.host;
