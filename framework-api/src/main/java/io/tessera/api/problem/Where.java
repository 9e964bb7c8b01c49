package io.tessera.api.problem;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Where a {@link Problem} is: in a plugin ({@link InPlugin}) or at a position of a file ({@link InFile}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public sealed interface Where permits Where.InPlugin, Where.InFile {

    /** A plugin {@code pluginId} from {@code source}. */
    static InPlugin plugin(String pluginId, String source) {
        return new InPlugin(pluginId, source);
    }

    /** Line {@code line}, column {@code column} of {@code file}, at {@code path} inside it. */
    static InFile at(String file, int line, int column, String path) {
        return new InFile(file, line, column, path);
    }

    /** Where, in words: {@code plugin io.x (plugins/x.jar)}, {@code p.yaml:3:7} or {@code p.yaml: steps.train}. */
    String describe();

    /**
     * In a plugin.
     *
     * @param pluginId the plugin concerned; for an unreadable jar, its file name
     * @param source   {@code boot} or the jar or folder path the plugin comes from
     */
    record InPlugin(String pluginId, String source) implements Where {
        public InPlugin {
            Objects.requireNonNull(pluginId, "pluginId");
            Objects.requireNonNull(source, "source");
        }

        @Override
        public String describe() {
            return "plugin " + pluginId + " (" + source + ")";
        }
    }

    /**
     * At a position of a file.
     *
     * @param file   the file as given, {@code --set} for a command-line override, or {@code pipeline '<name>'} for a
     *               pipeline built in Java
     * @param line   1-based line, or 0 when the source has no lines
     * @param column 1-based column, or 0 when the source has no lines
     * @param path   where inside the file, e.g. {@code steps.train.with.training.epochs}; empty for the whole file
     */
    record InFile(String file, int line, int column, String path) implements Where {
        public InFile {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(path, "path");
            if (line < 0 || column < 0) {
                throw new IllegalArgumentException("line and column are 1-based, or 0 for none; got " + line + ":"
                        + column);
            }
        }

        @Override
        public String describe() {
            if (line > 0) {
                return file + ":" + line + ":" + column;
            }
            return file + (path.isEmpty() ? "" : ": " + path);
        }
    }
}
