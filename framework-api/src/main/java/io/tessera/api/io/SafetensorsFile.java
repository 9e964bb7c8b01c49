package io.tessera.api.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The content of a safetensors file: named tensors (in header order) and the optional free-form string metadata
 * of the header's {@code __metadata__} entry.
 *
 * @param tensors  tensors by name, in the order they are written or were read
 * @param metadata string metadata; empty when the file has none
 */
@API(status = API.Status.STABLE, since = "1.0")
public record SafetensorsFile(Map<String, RawTensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
        if (tensors.containsKey(Safetensors.METADATA_KEY)) {
            throw new IllegalArgumentException("a tensor cannot be named " + Safetensors.METADATA_KEY
                    + ": the name is reserved for the header's metadata");
        }
    }

    /** A file with tensors and no metadata. */
    public static SafetensorsFile of(Map<String, RawTensor> tensors) {
        return new SafetensorsFile(tensors, Map.of());
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException naming the tensors present when there is none of that name
     */
    public RawTensor tensor(String name) {
        RawTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named \"" + name + "\" (present: " + tensors.keySet() + ")");
        }
        return t;
    }
}
