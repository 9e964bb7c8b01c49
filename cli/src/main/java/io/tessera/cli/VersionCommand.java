package io.tessera.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tessera version}: the Tessera, API and Java versions, for bug reports. */
@Command(name = "version",
        description = "Prints the Tessera version, the plugin API version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Override
    public Integer call() {
        print(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** The lines of {@code tessera version}; also printed by {@link QuickCommands} without picocli. */
    static void print(PrintWriter out) {
        out.println("tessera " + TesseraVersion.host());
        out.println("plugin API " + TesseraVersion.api());
        out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")");
        out.println("os " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }
}
