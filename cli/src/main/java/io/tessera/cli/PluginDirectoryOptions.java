package io.tessera.cli;

import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code --plugins-dir} option shared by commands that start a host, and the host they start. */
final class PluginDirectoryOptions {

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = {"A folder of plugin jars (or plugin folders) to load; repeatable.",
                    "Default: the distribution's plugins/ folder."})
    private List<Path> directories = new ArrayList<>();

    /**
     * The plugin directories to load: those given with {@code --plugins-dir}, else the distribution's default.
     *
     * @throws ParameterException (exit code 2) when a given path is not an existing directory
     */
    List<Path> directories(CommandSpec spec, CliEnvironment environment) {
        if (directories.isEmpty()) {
            return environment.defaultPluginDirectories();
        }
        List<Path> resolved = new ArrayList<>();
        for (Path directory : directories) {
            Path absolute = directory.toAbsolutePath().normalize();
            if (!Files.isDirectory(absolute)) {
                throw new ParameterException(spec.commandLine(), "--plugins-dir " + directory + ": "
                        + (Files.exists(absolute) ? "is not a directory" : "does not exist")
                        + " (give a folder that holds plugin jars)");
            }
            resolved.add(absolute);
        }
        return resolved;
    }

    /** A host over the boot layer and {@code pluginDirectories}, not yet started. */
    static TesseraHost host(List<Path> pluginDirectories) {
        var builder = Tessera.builder();
        for (Path directory : pluginDirectories) {
            builder.pluginDirectory(directory);
        }
        return builder.build();
    }
}
