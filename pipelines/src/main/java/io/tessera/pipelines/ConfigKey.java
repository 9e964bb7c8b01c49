package io.tessera.pipelines;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One key of a step's config, derived from the step's config record.
 *
 * @param key          the YAML key ({@code batch_size})
 * @param type         the value type in words: {@code integer}, {@code number}, {@code string}, {@code boolean},
 *                     {@code list of string}, ...
 * @param defaultValue the default, as YAML would write it
 * @param constraint   the accepted values in words ({@code >= 1}, {@code one of adam, sgd}), or empty
 * @param description  what it means, or empty
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ConfigKey(String key, String type, String defaultValue, String constraint, String description) {
    public ConfigKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(constraint, "constraint");
        Objects.requireNonNull(description, "description");
    }
}
