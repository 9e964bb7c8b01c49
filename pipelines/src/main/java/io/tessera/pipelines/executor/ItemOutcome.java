package io.tessera.pipelines.executor;

import io.tessera.api.pipeline.Metrics;
import io.tessera.pipelines.internal.ItemJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * What one item of a fan-out step ended with. Only values cross machines: metrics, per-epoch history and the item's
 * {@link Metrics} outputs; models and files stay in the item's folder.
 *
 * @param index     the item's position in the matrix
 * @param id        the item's step id ({@code train-3})
 * @param succeeded whether the item finished
 * @param attempts  how many times it was run (1 + retries used)
 * @param seconds   wall time of the last attempt
 * @param message   why it failed (empty when it succeeded)
 * @param metrics   the item step's final metrics ({@code metrics.json} of the item)
 * @param epochs    epoch number to that epoch's metrics
 * @param outputs   output port to the item's {@code Metrics} value
 * @param where     where it ran (host and folder), for the log
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ItemOutcome(int index, String id, boolean succeeded, int attempts, double seconds, String message,
                          Map<String, Double> metrics, Map<Integer, Map<String, Double>> epochs,
                          Map<String, Metrics> outputs, String where) {

    public ItemOutcome {
        Objects.requireNonNull(id, "id");
        message = message == null ? "" : message;
        where = where == null ? "" : where;
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        Map<Integer, Map<String, Double>> e = new TreeMap<>();
        epochs.forEach((k, v) -> e.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        epochs = Collections.unmodifiableMap(e);
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** A failed item. */
    public static ItemOutcome failed(ItemSpec item, int attempts, double seconds, String message, String where) {
        return new ItemOutcome(item.index(), item.id(), false, attempts, seconds, message, Map.of(), Map.of(), Map.of(),
                where);
    }

    /** This outcome with another attempt count and place. */
    public ItemOutcome withAttempts(int attempts, String where) {
        return new ItemOutcome(index, id, succeeded, attempts, seconds, message, metrics, epochs, outputs, where);
    }

    /** One line of JSON (what {@code item.json} holds and what crosses from a worker). */
    public String toJson() {
        return ItemJson.write(this);
    }

    /** Reads {@link #toJson()}. */
    public static ItemOutcome fromJson(String json) {
        return ItemJson.read(json);
    }
}
