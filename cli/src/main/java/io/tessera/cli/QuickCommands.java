package io.tessera.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The commands that answer from constants: {@code version}, {@code --version}, {@code --help} / {@code -h} /
 * {@code help}, and no command at all. Building picocli's command tree (its reflection over every command class)
 * was most of their start-up time, so they print without it. The usage text is {@code usage.txt} beside this class,
 * which {@code TesseraCliTest} keeps equal to what picocli prints; anything else goes through picocli.
 */
final class QuickCommands {

    private QuickCommands() {
    }

    /** The exit code when {@code args} is one of the quick commands, else empty (and nothing printed). */
    static OptionalInt run(PrintWriter out, PrintWriter err, String... args) {
        if (args.length == 0) {
            err.println("tessera: missing command");
            err.print(usage());
            return OptionalInt.of(ExitCodes.USAGE);
        }
        if (args.length != 1) {
            return OptionalInt.empty();
        }
        switch (args[0]) {
            case "version" -> VersionCommand.print(out);
            case "--version", "-V" -> out.println(TesseraVersion.oneLine());
            case "--help", "-h", "help" -> out.print(usage());
            default -> {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.of(ExitCodes.OK);
    }

    /** The top-level usage, as picocli prints it without colours. */
    static String usage() {
        try (InputStream in = QuickCommands.class.getResourceAsStream("usage.txt")) {
            if (in == null) {
                throw new IllegalStateException("usage.txt is missing from the io.tessera.cli jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\n", System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read usage.txt", e);
        }
    }
}
