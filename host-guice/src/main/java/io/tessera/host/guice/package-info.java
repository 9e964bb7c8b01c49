/**
 * Guice modules of the embedding application for a Tessera host: {@link io.tessera.host.guice.GuiceBindings}.
 */
package io.tessera.host.guice;
