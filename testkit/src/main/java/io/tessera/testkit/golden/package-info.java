/** Loading golden test vectors ({@code .npy} files described by a {@code manifest.json}) and comparing with tolerances. */
package io.tessera.testkit.golden;
