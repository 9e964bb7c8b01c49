package io.tessera.maven;

import io.tessera.api.plugin.PluginDescriptor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code tessera:verify-jar} — checks that the packaged jar carries the manifest {@code tessera:manifest} generated
 * (a jar plugin without {@code <manifestFile>} silently drops it, and the host then sees a library, not a plugin).
 */
@Mojo(name = "verify-jar", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class VerifyJarMojo extends AbstractMojo {

    /** The packaged jar, when the project has one ({@code maven-jar-plugin} sets it in the package phase). */
    @Parameter(defaultValue = "${project.artifact.file}", readonly = true)
    private File jar;

    @Parameter(defaultValue = "${project.build.outputDirectory}", required = true)
    private File classesDirectory;

    /** Skips the goal. */
    @Parameter(property = "tessera.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip || jar == null || !jar.isFile()) {
            getLog().info("tessera:verify-jar: no packaged jar to check");
            return;
        }
        Path generated = classesDirectory.toPath().resolve("META-INF/MANIFEST.MF");
        try (InputStream in = Files.newInputStream(generated); JarFile jf = new JarFile(jar, false)) {
            Manifest expected = new Manifest(in);
            Manifest actual = jf.getManifest();
            for (String name : List.of(PluginDescriptor.API_RANGE, PluginDescriptor.REQUIRES)) {
                String want = expected.getMainAttributes().getValue(name);
                String got = actual == null ? null : actual.getMainAttributes().getValue(name);
                if (want != null && !want.equals(got)) {
                    throw new MojoFailureException(jar + " has " + name + ": " + got + " but tessera:manifest "
                            + "generated " + want + "; configure maven-jar-plugin with <archive><manifestFile>"
                            + "${project.build.outputDirectory}/META-INF/MANIFEST.MF</manifestFile></archive>");
                }
            }
        } catch (IOException e) {
            throw new MojoExecutionException("cannot compare " + jar + " with " + generated
                    + " (did tessera:manifest run?)", e);
        }
    }
}
