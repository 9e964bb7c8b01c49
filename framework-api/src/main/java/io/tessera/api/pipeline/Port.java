package io.tessera.api.pipeline;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A named, typed input or output of a {@link Step}.
 *
 * @param name        the port name pipelines refer to ({@code inputs: { train: data.train }})
 * @param type        the Java type of the value
 * @param description one line for listings
 * @param required    for inputs: whether the step fails without it; outputs are always produced
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record Port(String name, Class<?> type, String description, boolean required) {

    public Port {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
            throw new IllegalArgumentException("port name '" + name + "' must be a word like 'train' or 'test_set'");
        }
    }

    /** A required port. */
    public static Port of(String name, Class<?> type, String description) {
        return new Port(name, type, description, true);
    }

    /** An optional input port. */
    public static Port optional(String name, Class<?> type, String description) {
        return new Port(name, type, description, false);
    }
}
