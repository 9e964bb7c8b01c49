/**
 * One way to say what is wrong: a {@link io.tessera.api.problem.Problem} has a {@link
 * io.tessera.api.problem.Severity}, a {@link io.tessera.api.problem.Where} (a plugin and its source, or a file
 * position and a path inside the file), a message and a hint. The plugin host reports resolution and lifecycle
 * problems with it, the pipeline validator reports pipeline problems with it, and the command line prints both from
 * it (text and {@code --json}).
 */
package io.tessera.api.problem;
