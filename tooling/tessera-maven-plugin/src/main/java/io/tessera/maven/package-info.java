/**
 * The {@code tessera-maven-plugin}: {@code tessera:manifest} derives a plugin's manifest from its {@code module-info}
 * and fails the build on what the host could not load; {@code tessera:verify-jar} checks the packaged jar carries it.
 */
package io.tessera.maven;
