package io.tessera.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** One in-process run of the {@code tessera} command line with captured output. */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@code args} with the given environment variables and no distribution home. */
    static CliRun run(Map<String, String> environment, String... args) {
        return run(new CliEnvironment(environment, Optional.empty()), args);
    }

    /** Runs {@code args} as if started from a distribution at {@code home}. */
    static CliRun runFromHome(Path home, String... args) {
        return run(new CliEnvironment(Map.of(), Optional.of(home)), args);
    }

    static CliRun run(String... args) {
        return run(Map.of(), args);
    }

    private static CliRun run(CliEnvironment environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = TesseraCli.execute(environment, new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
