/**
 * Builders for real plugin jars in tests: {@link io.tessera.testkit.PluginJarBuilder} compiles Java sources (with a
 * generated {@code module-info}) against the Tessera API with {@code javax.tools}, writes the plugin manifest and
 * packages the jar, optionally broken in the ways a host must report; {@link io.tessera.testkit.PluginFiles}
 * corrupts, truncates and slowly copies jars for hot-deploy tests. Load the jars into a real host with
 * {@code Tessera.builder().bootPlugins(false).pluginDirectory(dir)}. {@link io.tessera.testkit.InputFuzzer} mutates
 * valid input files (weights, arrays, datasets, manifests, pipelines) and checks that a reader either reads each
 * mutant or refuses it with its documented exception, never hanging, running out of memory or throwing anything else.
 */
package io.tessera.testkit;
