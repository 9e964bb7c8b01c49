package io.tessera.testkit.host;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.host.PluginView;
import io.tessera.api.problem.Problem;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraBuilder;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * The plugin module being built, loaded into a real Tessera host: its compiled classes ({@code target/classes} with
 * {@code module-info.class} and the manifest {@code tessera:manifest} wrote there) are packaged into a plugin jar in a
 * fresh plugin folder, and a host is started over that folder, so the plugin gets its own module layer, its
 * dependency injection and its lifecycle exactly as in {@code tessera run}.
 *
 * <pre>{@code
 * try (PluginTestHost host = PluginTestHost.start()) {           // this module's target/classes
 *     assertThat(host.plugin().state()).isEqualTo(PluginState.ACTIVE);
 *     assertThat(host.problems()).isEmpty();
 *     RunResult run = host.run(Path.of("src/test/resources/sample.yaml"));
 *     assertThat(run.succeeded()).isTrue();
 * }
 * }</pre>
 *
 * Surefire runs a modular project's tests with the project's module (and {@code io.tessera.api}) on the module path and
 * test-only dependencies such as this one and the host on the class path; that is the set-up this class expects. The
 * host's boot-layer discovery is off, so that the module under test (which the test run also puts in the boot layer)
 * is loaded once, from its jar.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PluginTestHost implements AutoCloseable {

    /** Builds a {@link PluginTestHost}. */
    public static final class Builder {
        private Path classes;
        private final List<Path> otherPlugins = new ArrayList<>();
        private Path workDirectory;

        private Builder() {
        }

        /** The compiled plugin; by default {@code target/classes} under the module's base directory. */
        public Builder classes(Path classesDirectory) {
            this.classes = classesDirectory;
            return this;
        }

        /** Another plugin jar (or plugin folder) the plugin under test needs, e.g. the datasets plugin. */
        public Builder withPlugin(Path jarOrFolder) {
            otherPlugins.add(jarOrFolder);
            return this;
        }

        /** Where the plugin folder and run folders go; by default a new temporary folder. */
        public Builder workDirectory(Path dir) {
            this.workDirectory = dir;
            return this;
        }

        /** Packages the plugin, starts the host and returns it; the caller closes it. */
        public PluginTestHost start() {
            try {
                Path classesDir = classes != null ? classes : defaultClasses();
                Path work = workDirectory != null ? Files.createDirectories(workDirectory)
                        : Files.createTempDirectory("tessera-plugin-test-");
                Path plugins = Files.createDirectories(work.resolve("plugins"));
                ModuleDescriptor module = moduleOf(classesDir);
                Path jar = plugins.resolve(module.name() + "-" + module.rawVersion().orElse("0") + ".jar");
                packageJar(classesDir, jar);
                for (Path other : otherPlugins) {
                    Path target = plugins.resolve(other.getFileName());
                    if (Files.isDirectory(other)) {
                        copyTree(other, target);
                    } else {
                        Files.copy(other, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                TesseraBuilder builder = Tessera.builder().bootPlugins(false).pluginDirectory(plugins);
                TesseraHost host = builder.build();
                host.start();
                return new PluginTestHost(host, module.name(), jar, work);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final TesseraHost host;
    private final String pluginId;
    private final Path jar;
    private final Path workDirectory;

    private PluginTestHost(TesseraHost host, String pluginId, Path jar, Path workDirectory) {
        this.host = host;
        this.pluginId = pluginId;
        this.jar = jar;
        this.workDirectory = workDirectory;
    }

    /** A host with this module's {@code target/classes} as its one plugin. */
    public static PluginTestHost start() {
        return builder().start();
    }

    /** To add plugins the one under test needs, or take its classes from elsewhere. */
    public static Builder builder() {
        return new Builder();
    }

    /** The started host. */
    public TesseraHost host() {
        return host;
    }

    /** The id of the plugin under test (its module name). */
    public String pluginId() {
        return pluginId;
    }

    /** The plugin under test as the host sees it: state, version, problems. */
    public PluginView plugin() {
        return host.plugin(pluginId).orElseThrow(() -> new IllegalStateException("the host did not find plugin "
                + pluginId + " in " + jar + "; its problems: " + host.report().problems()));
    }

    /** Every problem the host reported, for any plugin. */
    public List<Problem> problems() {
        return host.report().problems();
    }

    /** The jar the plugin was packaged into. */
    public Path jar() {
        return jar;
    }

    /** Pipelines over this host's steps: describe, validate, run. */
    public Pipelines pipelines() {
        return Pipelines.of(host);
    }

    /** Validates a pipeline file against the host's steps. */
    public ValidationReport validate(Path pipeline) {
        return pipelines().validate(pipeline);
    }

    /** Runs a pipeline file, its run folder under this host's work directory ({@code runs/}). */
    public RunResult run(Path pipeline, String... overrides) {
        RunOptions.Builder options = RunOptions.builder().outputRoot(workDirectory.resolve("runs"));
        for (String o : overrides) {
            options.set(o);
        }
        return pipelines().run(pipeline, options.build());
    }

    @Override
    public void close() {
        host.close();
    }

    private static Path defaultClasses() {
        String basedir = System.getProperty("basedir");
        Path base = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        return base.resolve("target/classes");
    }

    private static ModuleDescriptor moduleOf(Path classes) {
        if (!Files.isRegularFile(classes.resolve("module-info.class"))) {
            throw new IllegalStateException(classes + " has no module-info.class: compile the plugin first (mvn "
                    + "test compiles it) and give it a src/main/java/module-info.java");
        }
        try {
            return ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        } catch (FindException e) {
            throw new IllegalStateException("cannot read the module in " + classes + ": " + e.getMessage(), e);
        }
    }

    private static void packageJar(Path classes, Path jar) throws IOException {
        Path manifestFile = classes.resolve("META-INF/MANIFEST.MF");
        Manifest manifest;
        if (Files.isRegularFile(manifestFile)) {
            try (InputStream in = Files.newInputStream(manifestFile)) {
                manifest = new Manifest(in);
            }
        } else {
            manifest = new Manifest();
        }
        if (!PluginDescriptor.isPlugin(manifest)) {
            throw new IllegalStateException(manifestFile + " holds no plugin manifest: add the tessera-maven-plugin "
                    + "(goal manifest) to the build; it writes the file when the classes are compiled");
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, manifest)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).filter(p -> !p.equals(manifestFile)).sorted().toList();
            }
            for (Path f : files) {
                jos.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jos);
                jos.closeEntry();
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
