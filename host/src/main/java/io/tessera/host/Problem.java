package io.tessera.host;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One problem found with a plugin, in words a person can act on.
 *
 * @param severity how bad it is
 * @param pluginId the plugin concerned; for an unreadable jar, its file name
 * @param source   {@code boot} or the jar or folder path the plugin comes from
 * @param message  what is wrong and where, e.g. {@code plugin io.x 1.2.0 (plugins/x-1.2.0.jar) requires io.y
 *                 [2.0,3.0) but found 1.4.0 (plugins/y-1.4.0.jar)}
 * @param hint     how to fix it, e.g. {@code install io.y in a version in [2.0,3.0)}; may be empty
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Problem(Severity severity, String pluginId, String source, String message, String hint) {

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        hint = hint == null ? "" : hint;
    }

    /** One line: severity, message and, if there is one, the hint. */
    public String describe() {
        return severity + " " + message + (hint.isEmpty() ? "" : " (" + hint + ")");
    }
}
