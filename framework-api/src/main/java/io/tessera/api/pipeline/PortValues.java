package io.tessera.api.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The values flowing into or out of a {@link Step}, keyed by port name, with typed access.
 *
 * @param values the values by port name, in insertion order; no {@code null} values
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record PortValues(Map<String, Object> values) {

    /** No values. */
    public static final PortValues EMPTY = new PortValues(Map.of());

    public PortValues {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "port name"),
                Objects.requireNonNull(v, () -> "value of port '" + k + "' is null")));
        values = Collections.unmodifiableMap(copy);
    }

    /** One value. */
    public static PortValues of(String name, Object value) {
        return new PortValues(Map.of(name, value));
    }

    /** Two values. */
    public static PortValues of(String name1, Object value1, String name2, Object value2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(name1, value1);
        map.put(name2, value2);
        return new PortValues(map);
    }

    /** These values plus {@code name = value} (replacing an earlier value of that name). */
    public PortValues with(String name, Object value) {
        Map<String, Object> map = new LinkedHashMap<>(values);
        map.put(name, value);
        return new PortValues(map);
    }

    /** The port names present. */
    public Set<String> names() {
        return values.keySet();
    }

    /**
     * The value of port {@code name}.
     *
     * @throws IllegalArgumentException if it is absent or not a {@code type}, naming the ports that are present
     */
    public <T> T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no value for port '" + name + "'; present: " + values.keySet());
        }
        return cast(name, value, type);
    }

    /** The value of port {@code name} if present. */
    public <T> Optional<T> find(String name, Class<T> type) {
        Object value = values.get(name);
        return value == null ? Optional.empty() : Optional.of(cast(name, value, type));
    }

    private static <T> T cast(String name, Object value, Class<T> type) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("port '" + name + "' holds a " + value.getClass().getName()
                    + ", not a " + type.getName());
        }
        return type.cast(value);
    }
}
