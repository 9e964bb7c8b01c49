package io.tessera.api.problem;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One problem, in words a person can act on: how bad it is, where it is, what is wrong and how to fix it. The plugin
 * host, the pipeline validator and the command line's text and JSON output all use this one type.
 *
 * @param severity how bad it is
 * @param where    the plugin it concerns, or the file position it was found at
 * @param message  what is wrong and where, e.g. {@code plugin io.x 1.2.0 (plugins/x-1.2.0.jar) requires io.y
 *                 [2.0,3.0) but found 1.4.0 (plugins/y-1.4.0.jar)}
 * @param hint     how to fix it, e.g. {@code install io.y in a version in [2.0,3.0)}; empty when the message says it
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Problem(Severity severity, Where where, String message, String hint) {

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(message, "message");
        hint = hint == null ? "" : hint;
    }

    /** A problem of plugin {@code pluginId} from {@code source} ({@code boot}, or its jar or folder path). */
    public static Problem plugin(Severity severity, String pluginId, String source, String message, String hint) {
        return new Problem(severity, Where.plugin(pluginId, source), message, hint);
    }

    /** A problem at line {@code line}, column {@code column} of {@code file}, at {@code path} inside it. */
    public static Problem at(Severity severity, String file, int line, int column, String path, String message,
                             String hint) {
        return new Problem(severity, Where.at(file, line, column, path), message, hint);
    }

    /** The plugin it concerns; empty for a problem in a file. */
    public String pluginId() {
        return where instanceof Where.InPlugin p ? p.pluginId() : "";
    }

    /** Where it comes from: the plugin's source ({@code boot}, jar or folder), or the file. */
    public String source() {
        return where instanceof Where.InPlugin p ? p.source() : ((Where.InFile) where).file();
    }

    /** The file it was found in; empty for a problem of a plugin. */
    public String file() {
        return where instanceof Where.InFile f ? f.file() : "";
    }

    /** The 1-based line in {@link #file()}; 0 when there is none. */
    public int line() {
        return where instanceof Where.InFile f ? f.line() : 0;
    }

    /** The 1-based column in {@link #file()}; 0 when there is none. */
    public int column() {
        return where instanceof Where.InFile f ? f.column() : 0;
    }

    /** The path inside {@link #file()}, e.g. {@code steps.train.with.training.epochs}; empty for the whole file. */
    public String path() {
        return where instanceof Where.InFile f ? f.path() : "";
    }

    /**
     * One line. A plugin problem: severity, message and, if there is one, the hint in parentheses ({@code ERROR plugin
     * io.x ... (install io.y ...)}); its message names the plugin. A file problem: position, message and hint
     * ({@code pipeline.yaml:12:7: step 'train' uses 'core/trian' ...}, or {@code pipeline 'x':
     * steps.train.with.training.epochs: ...} without lines).
     */
    public String describe() {
        String withHint = message + (hint.isEmpty() ? "" : " (" + hint + ")");
        if (where instanceof Where.InFile f) {
            return f.describe() + ": " + withHint;
        }
        return severity + " " + withHint;
    }
}
