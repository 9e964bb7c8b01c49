package io.tessera.cli;

import io.tessera.host.PluginLock;
import io.tessera.api.problem.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera plugins lock}: writes the plugin lock of the current plugin folders (id, version and SHA-256 of every
 * jar of every readable plugin), for {@code TESSERA_PLUGIN_LOCK}. Reads the plugins as the host does, without running
 * any plugin code. Format: {@link PluginLock}; docs/security.md.
 */
@Command(name = "lock",
        description = {"Writes a lock file of the plugin jars in the plugin folders (id, version, SHA-256 per jar).",
                "With TESSERA_PLUGIN_LOCK=FILE, hosts load only the folder plugin jars the lock lists. No plugin "
                        + "code runs."},
        footer = {"", "Exit codes: 0 written, 1 some jars are not loadable plugins (left out of the lock; "
                + "listed on stderr), 2 usage error."})
final class PluginsLockCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Where to write the lock (replaced atomically); default: print it on stdout.")
    private Path output;

    PluginsLockCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws IOException {
        List<Path> directories = pluginDirectories.directories(spec, environment);
        PluginLock.Listing listing = PluginLock.list(directories);
        String text = PluginLock.of(listing.entries()).format();
        PrintWriter err = spec.commandLine().getErr();
        for (Problem p : listing.problems()) {
            err.println("tessera plugins lock: left out " + p.source() + ": " + p.message());
        }
        long plugins = listing.entries().stream().map(PluginLock.Entry::id).distinct().count();
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Path target = output.toAbsolutePath().normalize();
            Path dir = target.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            err.println("tessera plugins lock: wrote " + listing.entries().size() + " jar(s) of " + plugins
                    + " plugin(s) to " + target);
        }
        return listing.problems().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
