package io.tessera.pipelines;

import io.tessera.api.pipeline.Port;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A step type as pipelines see it: name, origin, ports and config schema ({@code tessera describe STEP}).
 *
 * @param name        the name pipelines use ({@code core/train})
 * @param description one sentence
 * @param origin      {@code core} for the host's steps, else the plugin id
 * @param inputs      the input ports
 * @param outputs     the output ports
 * @param config      the config keys, in record order
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record StepInfo(String name, String description, String origin, List<Port> inputs, List<Port> outputs,
                       List<ConfigKey> config) {
    public StepInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(origin, "origin");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        config = List.copyOf(config);
    }
}
