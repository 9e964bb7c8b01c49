package io.tessera.pipelines.executor;

import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One item of a fan-out step.
 *
 * @param index        position in the matrix (0-based; results are gathered in this order)
 * @param id           the item's step id in metrics and logs, {@code <step>-<index>}
 * @param values       the matrix values of this item, key to value ({@code seed: 3}, {@code training.optimizer.lr: 0.01})
 * @param seed         the item's step seed
 * @param pipelineYaml a self-contained pipeline that runs this item: the fan-out step's upstream steps and the item
 *                     as step {@code id} with its full config and {@code seed:}; its {@code outputs:} name the item's
 *                     {@code Metrics} outputs
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ItemSpec(int index, String id, Map<String, Object> values, long seed, String pipelineYaml) {

    public ItemSpec {
        Objects.requireNonNull(id, "id");
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        Objects.requireNonNull(pipelineYaml, "pipelineYaml");
    }

    /** One line of JSON, what crosses to a worker. */
    public String toJson() {
        return io.tessera.pipelines.internal.ItemJson.writeSpec(this);
    }

    /** Reads {@link #toJson()}. */
    public static ItemSpec fromJson(String json) {
        return io.tessera.pipelines.internal.ItemJson.readSpec(json);
    }

    /** {@code seed=3, training.optimizer.lr=0.01}. */
    public String label() {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }
}
