package io.tessera.host;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Which tensor backend the user asked for, and where that request came from. The {@code --backend} option wins over
 * the {@value #ENVIRONMENT_VARIABLE} environment variable; without either the request is {@value #AUTO}: the
 * highest-priority available backend.
 *
 * @param name   the requested backend name, lower case, or {@value #AUTO}
 * @param origin where the name came from, in words: {@code --backend}, {@code TESSERA_BACKEND} or {@code default}
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record BackendRequest(String name, String origin) {

    /** The environment variable that names a backend when no option does. */
    public static final String ENVIRONMENT_VARIABLE = "TESSERA_BACKEND";
    /** The name that asks for the highest-priority available backend. */
    public static final String AUTO = "auto";

    public BackendRequest {
        Objects.requireNonNull(origin, "origin");
        name = name == null || name.isBlank() ? AUTO : name.strip().toLowerCase(Locale.ROOT);
    }

    /** No preference: the highest-priority available backend. */
    public static BackendRequest auto() {
        return new BackendRequest(AUTO, "default");
    }

    /** An explicit request, e.g. from an embedding application's {@code backend("cpu")}. */
    public static BackendRequest named(String name, String origin) {
        return new BackendRequest(name, origin);
    }

    /**
     * The request from a command-line option value (may be {@code null}) and the environment: the option wins, then
     * {@value #ENVIRONMENT_VARIABLE}, then {@value #AUTO}.
     */
    public static BackendRequest fromOptionOrEnvironment(String optionValue, Map<String, String> environment) {
        if (optionValue != null && !optionValue.isBlank()) {
            return new BackendRequest(optionValue, "--backend");
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new BackendRequest(fromEnvironment, ENVIRONMENT_VARIABLE);
        }
        return auto();
    }

    /** Whether any available backend will do. */
    public boolean isAuto() {
        return AUTO.equals(name);
    }
}
