package io.tessera.api.tensor;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Where a tensor's memory lives: a device type ({@code cpu}, {@code cuda}) and an index among devices of that type.
 *
 * @param type  lower-case device type, e.g. {@code cpu} or {@code cuda}
 * @param index zero-based device index
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Device(String type, int index) {
    /** The host CPU. */
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("device type must not be blank");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    /** {@code cuda:0} style name; {@code cpu} for the CPU. */
    @Override
    public String toString() {
        return type.equals("cpu") && index == 0 ? "cpu" : type + ":" + index;
    }
}
