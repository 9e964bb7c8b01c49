package io.tessera.pipelines;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One problem of a pipeline, located in its source.
 *
 * @param file    the YAML file as given, {@code --set} for a command-line override, or {@code pipeline '<name>'} for
 *                one built in Java
 * @param line    1-based line, or 0 when the source has no lines
 * @param column  1-based column, or 0 when the source has no lines
 * @param path    where in the pipeline, e.g. {@code steps.train.with.training.epochs}; empty for the whole file
 * @param message what is wrong and how to fix it
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ValidationProblem(String file, int line, int column, String path, String message) {

    public ValidationProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /**
     * One line: {@code pipeline.yaml:12:7: step 'train' uses 'core/trian' but ... (did you mean 'core/train'?)}, or
     * {@code pipeline 'x': steps.train.with.training.epochs: ...} without lines.
     */
    public String describe() {
        if (line > 0) {
            return file + ":" + line + ":" + column + ": " + message;
        }
        return file + (path.isEmpty() ? "" : ": " + path) + ": " + message;
    }
}
