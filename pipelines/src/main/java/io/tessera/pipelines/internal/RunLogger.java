package io.tessera.pipelines.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/** A step's {@link System.Logger}: lines go to the step's log and the run's log in {@code logs/}. */
final class RunLogger implements System.Logger {
    private final String step;
    private final Path stepLog;
    private final Path runLog;
    private final LineFiles lines;

    RunLogger(String step, Path logs, LineFiles lines) throws IOException {
        Files.createDirectories(logs);
        this.step = step;
        this.stepLog = logs.resolve(step + ".log");
        this.runLog = logs.resolve("run.log");
        this.lines = lines;
    }

    @Override
    public String getName() {
        return "tessera.pipeline." + step;
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= Level.DEBUG.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        StringBuilder line = new StringBuilder().append(Instant.now()).append(' ').append(level.getName())
                .append(' ').append(msg);
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace.toString().stripTrailing());
        }
        String text = line.toString();
        try {
            lines.append(stepLog, text);
            lines.append(runLog, "[" + step + "] " + text);
        } catch (IOException e) {
            // A full disk must not fail the step through its logger; the run's own writes will report it.
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                (Throwable) null);
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        if (isLoggable(level)) {
            log(level, null, msgSupplier.get(), (Throwable) null);
        }
    }
}
