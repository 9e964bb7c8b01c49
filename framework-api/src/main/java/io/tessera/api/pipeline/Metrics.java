package io.tessera.api.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Named metric values of one model or step, e.g. the output of {@code core/evaluate} that {@code core/compare}
 * tabulates.
 *
 * @param name   what was measured, e.g. the step id {@code eval_cnn}
 * @param values metric name to value, in insertion order ({@code accuracy}, {@code macro_f1}, ...)
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record Metrics(String name, Map<String, Double> values) {

    public Metrics {
        Objects.requireNonNull(name, "name");
        Map<String, Double> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "metric name"),
                Objects.requireNonNull(v, () -> "value of metric '" + k + "' is null")));
        values = Collections.unmodifiableMap(copy);
    }

    /** The value of metric {@code key}, or NaN when absent. */
    public double get(String key) {
        Double v = values.get(key);
        return v == null ? Double.NaN : v;
    }
}
