package io.tessera.pipelines.internal;

import java.util.List;
import java.util.Map;

/**
 * A fan-out step's items and how to run them (docs/pipelines.md, "Fan-out").
 *
 * @param items       every item, in matrix order (the first matrix key varies slowest)
 * @param retries     further attempts of a failed item
 * @param executor    {@code local} or the name of an {@link io.tessera.pipelines.executor.ItemExecutor}
 * @param settings    the executor's settings (the map under its name), as plain values
 * @param maxParallel items at once for {@code local}; 0 sizes the pool to the cores and the free heap
 * @param matrix      the matrix as written: key to values
 */
record FanOut(List<Item> items, int retries, String executor, Map<String, Object> settings, int maxParallel,
              Map<String, List<Object>> matrix) {

    /** How many items the matrix makes (also when some item's config was invalid). */
    int size() {
        int n = 1;
        for (List<Object> v : matrix.values()) {
            n *= v.size();
        }
        return n;
    }

    /**
     * One item.
     *
     * @param index  position in the matrix
     * @param id     its step id, {@code <step>-<index>}
     * @param values matrix key to this item's value
     * @param config the step's config with the item's values
     * @param seed   the item's step seed
     */
    record Item(int index, String id, Map<String, Object> values, Record config, long seed) {
    }
}
