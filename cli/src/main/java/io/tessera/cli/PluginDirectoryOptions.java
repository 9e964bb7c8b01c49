package io.tessera.cli;

import io.tessera.host.PluginLock;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where the plugins of a command's host come from ({@code --plugins-dir}, {@code TESSERA_PLUGINS}, a pipeline's
 * {@code plugins:} key; docs/cli.md "Where plugins come from"), and the host they start.
 */
final class PluginDirectoryOptions {

    /**
     * The environment variable that sets how long plugin code may run at once (start and stop hooks, listeners), as
     * {@code 500ms} or {@code 10s}; default: the host's (10 s for hooks, 5 s for listeners).
     */
    static final String TIMEOUT_ENV = "TESSERA_PLUGIN_TIMEOUT";

    /** The environment variable holding more plugin folders, separated like a path ({@code :} on Unix). */
    static final String ENV = "TESSERA_PLUGINS";

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = {"A folder of plugin jars (or plugin folders) to load; repeatable.",
                    "Default: the distribution's plugins/ folder. TESSERA_PLUGINS (a path list) and a pipeline's "
                            + "plugins: key add more."})
    private List<Path> directories = new ArrayList<>();

    /** The plugin directories to load for a command that reads no pipeline file. */
    List<Path> directories(CommandSpec spec, CliEnvironment environment) {
        return directories(spec, environment, null);
    }

    /**
     * The plugin directories to load: those given with {@code --plugins-dir}, else the distribution's default; then
     * the folders of {@code TESSERA_PLUGINS}, then those the pipeline file names in its {@code plugins:} key
     * (relative to the file). Each folder once, in that order.
     *
     * @param pipelineFile the pipeline the command reads, or {@code null}
     * @throws ParameterException (exit code 2) when a named folder is not an existing directory
     */
    List<Path> directories(CommandSpec spec, CliEnvironment environment, Path pipelineFile) {
        Set<Path> resolved = new LinkedHashSet<>();
        if (directories.isEmpty()) {
            resolved.addAll(environment.defaultPluginDirectories());
        }
        for (Path directory : directories) {
            resolved.add(existing(spec, directory, "--plugins-dir " + directory));
        }
        String fromEnvironment = environment.environment().get(ENV);
        if (fromEnvironment != null) {
            for (String entry : fromEnvironment.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
                if (!entry.isBlank()) {
                    resolved.add(existing(spec, Path.of(entry.strip()), ENV + " entry " + entry.strip()));
                }
            }
        }
        if (pipelineFile != null && Files.isRegularFile(pipelineFile)) {
            for (Path folder : Pipelines.pluginFolders(pipelineFile)) {
                resolved.add(existing(spec, folder, pipelineFile + ": plugins: folder " + folder));
            }
        }
        return List.copyOf(resolved);
    }

    private static Path existing(CommandSpec spec, Path directory, String what) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new ParameterException(spec.commandLine(), what + ": "
                    + (Files.exists(absolute) ? "is not a directory" : "does not exist")
                    + " (give a folder that holds plugin jars)");
        }
        return absolute;
    }

    /**
     * A host over the boot layer and {@code pluginDirectories}, not yet started; with the plugin lock named by
     * {@code TESSERA_PLUGIN_LOCK} in the command's environment, if set (docs/security.md).
     */
    static TesseraHost host(List<Path> pluginDirectories, CliEnvironment environment) {
        var builder = Tessera.builder();
        String lock = environment.environment().get(PluginLock.ENVIRONMENT_VARIABLE);
        builder.pluginLock(lock == null || lock.isBlank() ? null : Path.of(lock.strip()));
        String timeout = environment.environment().get(TIMEOUT_ENV);
        if (timeout != null && !timeout.isBlank()) {
            java.time.Duration d = duration(timeout.strip());
            builder.startTimeout(d).stopTimeout(d).callbackTimeout(d);
        }
        for (Path directory : pluginDirectories) {
            builder.pluginDirectory(directory);
        }
        return builder.build();
    }

    private static java.time.Duration duration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*(ms|s)").matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(TIMEOUT_ENV + " must be a positive duration such as 500ms or 10s, was '"
                    + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? java.time.Duration.ofMillis(n) : java.time.Duration.ofSeconds(n);
    }
}
