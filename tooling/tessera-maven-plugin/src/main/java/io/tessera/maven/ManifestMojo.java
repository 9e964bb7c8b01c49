package io.tessera.maven;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code tessera:manifest} — generates the plugin manifest from the compiled {@code module-info} and checks the
 * plugin as the host will read it (see {@link PluginManifestGenerator}). It writes
 * {@code ${project.build.outputDirectory}/META-INF/MANIFEST.MF}, which {@code maven-jar-plugin} packages when
 * configured with {@code <archive><manifestFile>${project.build.outputDirectory}/META-INF/MANIFEST.MF</manifestFile>}
 * (the {@code verify-jar} goal checks that it did), and a {@code META-INF/services} file per {@code provides} clause
 * that has none, so the jar also works on the class path.
 */
@Mojo(name = "manifest", defaultPhase = LifecyclePhase.PROCESS_CLASSES,
        requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public final class ManifestMojo extends AbstractMojo {

    /** The compile class path (the classes folder included, which is skipped). */
    @Parameter(defaultValue = "${project.compileClasspathElements}", readonly = true, required = true)
    private List<String> compileClasspathElements;

    @Parameter(defaultValue = "${project.artifactId}", readonly = true, required = true)
    private String artifactId;

    /** The compiled plugin: its classes with {@code module-info.class}. */
    @Parameter(defaultValue = "${project.build.outputDirectory}", required = true)
    private java.io.File classesDirectory;

    /**
     * The {@code Tessera-Api} range; by default {@code [M.m,M+1.0)} of the API version the plugin compiles against.
     * The build fails if the range excludes that version.
     */
    @Parameter(property = "tessera.apiRange")
    private String apiRange;

    /**
     * Version ranges of required plugins, by module name, e.g.
     * {@code <requires><io.tessera.plugin.datasets>[1.0,2.0)</io.tessera.plugin.datasets></requires>}; a required
     * plugin without one gets {@code [M.m,M+1.0)} of the version it compiles against.
     */
    @Parameter
    private Map<String, String> requires;

    /** Warnings fail the build too. */
    @Parameter(property = "tessera.strict", defaultValue = "false")
    private boolean strict;

    /** Skips the goal. */
    @Parameter(property = "tessera.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("tessera:manifest skipped");
            return;
        }
        Path classes = classesDirectory.toPath();
        List<Path> classPath = new ArrayList<>();
        for (String element : compileClasspathElements) {
            Path p = Path.of(element);
            if (!p.equals(classes)) {
                classPath.add(p);
            }
        }
        PluginManifestGenerator.Result result =
                new PluginManifestGenerator(classes, classPath, apiRange, requires).generate();
        result.warnings().forEach(w -> getLog().warn(w));
        List<String> failures = new ArrayList<>(result.errors());
        if (strict) {
            failures.addAll(result.warnings());
        }
        if (!failures.isEmpty()) {
            failures.forEach(e -> getLog().error(e));
            throw new MojoFailureException("the plugin " + artifactId + " is not one the Tessera host "
                    + "can load: " + String.join("; ", failures));
        }
        try {
            Path manifest = classes.resolve("META-INF/MANIFEST.MF");
            Files.createDirectories(manifest.getParent());
            try (OutputStream out = Files.newOutputStream(manifest)) {
                result.manifest().write(out);
            }
            for (Map.Entry<String, List<String>> e : result.services().entrySet()) {
                Path services = classes.resolve("META-INF/services/" + e.getKey());
                if (!Files.exists(services)) {
                    Files.createDirectories(services.getParent());
                    Files.writeString(services, String.join("\n", e.getValue()) + "\n", StandardCharsets.UTF_8);
                } else {
                    String existing = Files.readString(services, StandardCharsets.UTF_8);
                    for (String provider : e.getValue()) {
                        if (existing.lines().map(String::trim).noneMatch(provider::equals)) {
                            throw new MojoFailureException(services + " does not list " + provider + ", which "
                                    + "module-info provides; on the class path the host would not see it. Delete the "
                                    + "file (this goal writes it) or add the line");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new MojoExecutionException("cannot write the plugin manifest", e);
        }
        getLog().info("Tessera plugin " + result.descriptor() + ": Tessera-Api " + result.descriptor().apiRange()
                + (result.descriptor().requires().isEmpty() ? "" : ", Tessera-Requires "
                + result.descriptor().requires()));
    }
}
