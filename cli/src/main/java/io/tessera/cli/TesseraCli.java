package io.tessera.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code tessera} command: the entry point of {@code bin/tessera}. Subcommands do the work; without one it prints
 * the usage and exits with 2.
 */
@Command(name = "tessera", mixinStandardHelpOptions = true, versionProvider = TesseraVersion.Provider.class,
        description = "Tessera: a JPMS-native plugin framework for deep-learning methods.",
        subcommands = CommandLine.HelpCommand.class,
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage or validation error."})
public final class TesseraCli implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    private TesseraCli() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code. Shutdown hooks get a bounded time to finish
     * ({@link ExitGuard}).
     */
    public static void main(String[] args) {
        ExitGuard.install(System.err);
        ExitGuard.exit(runWithStandardStreams(CliEnvironment.ofProcess(), args));
    }

    /**
     * Runs the command line on the process's standard streams. What the commands print goes to the real stdout,
     * captured here; while they run, {@code System.out} is the process's stderr, so that whatever plugin code prints
     * (a {@code System.out.println} in a plugin's start hook) cannot corrupt the command's output, such as
     * {@code --json}. The streams are restored afterwards.
     */
    static int runWithStandardStreams(CliEnvironment environment, String... args) {
        Charset charset = Charset.defaultCharset();
        java.io.PrintStream stdout = System.out;
        java.io.PrintStream stderr = System.err;
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(stdout, charset), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(stderr, charset), true);
        System.setOut(stderr);
        try {
            return execute(environment, out, err, args);
        } finally {
            out.flush();
            err.flush();
            System.setOut(stdout);
        }
    }

    /** Runs {@code args} in-process, printing to {@code out} and {@code err}; returns the exit code. */
    static int execute(CliEnvironment environment, PrintWriter out, PrintWriter err, String... args) {
        // version and help need neither picocli's command tree nor a host: answered before either loads
        OptionalInt quick = QuickCommands.run(out, err, args);
        if (quick.isPresent()) {
            out.flush();
            err.flush();
            return quick.getAsInt();
        }
        return executeWithPicocli(environment, out, err, args);
    }

    /** {@link #execute} through picocli's command tree, for every command. */
    static int executeWithPicocli(CliEnvironment environment, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = commandLine(environment);
        commandLine.setOut(out);
        commandLine.setErr(err);
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree with its subcommands, exception handling and exit codes. */
    static CommandLine commandLine(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(new TesseraCli());
        CommandLine plugins = new CommandLine(new PluginsCommand(environment));
        plugins.addSubcommand(new PluginsLockCommand(environment));
        commandLine.addSubcommand(plugins);
        commandLine.addSubcommand(new BackendsCommand(environment));
        commandLine.addSubcommand(new VersionCommand());
        commandLine.addSubcommand(new RunCommand(environment));
        commandLine.addSubcommand(new ValidateCommand(environment));
        commandLine.addSubcommand(new StepsCommand(environment));
        commandLine.addSubcommand(new DescribeCommand(environment));
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            // Failures inside a command are reported in one line (with causes), not as a stack trace.
            PrintWriter err = failed.getErr();
            err.println("tessera " + failed.getCommandName() + ": " + describe(exception));
            if (Boolean.getBoolean("tessera.debug")) {
                exception.printStackTrace(err);
            } else {
                err.println("(run with JAVA_OPTS=-Dtessera.debug=true for the stack trace)");
            }
            return ExitCodes.FAILURE;
        });
        return commandLine;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("tessera: missing command");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    private static String describe(Throwable exception) {
        StringBuilder text = new StringBuilder(exception.getMessage() == null
                ? exception.getClass().getName() : exception.getMessage());
        for (Throwable cause = exception.getCause(); cause != null && cause != cause.getCause();
             cause = cause.getCause()) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }
}
