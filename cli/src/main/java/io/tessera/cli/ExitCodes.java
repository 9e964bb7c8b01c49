package io.tessera.cli;

/** The exit codes of every {@code tessera} command (a contract; see {@code docs/cli.md}). */
final class ExitCodes {
    /** The command did what was asked and found nothing wrong. */
    static final int OK = 0;
    /** The command ran but something failed: a plugin did not start, no backend is available, an I/O error. */
    static final int FAILURE = 1;
    /** The command line was wrong: unknown option, missing argument, a directory that does not exist. */
    static final int USAGE = 2;

    private ExitCodes() {
    }
}
