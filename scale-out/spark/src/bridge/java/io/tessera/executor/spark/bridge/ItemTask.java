package io.tessera.executor.spark.bridge;

import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * Runs one item on an executor: [index, id, item json, folder] to the outcome JSON. Tries the item up to
 * {@code 1 + retries} times; each attempt resumes the item's own incomplete run folder, so it continues from its
 * checkpoints. An exception here (the layer cannot be built) fails the task, and Spark tries it again.
 */
final class ItemTask implements Function<String[], String> {
    private static final long serialVersionUID = 1L;

    private final String layout;
    private final String backend;
    private final int retries;

    ItemTask(String layout, String backend, int retries) {
        this.layout = layout;
        this.backend = backend;
        this.retries = retries;
    }

    @Override
    public String call(String[] item) throws Exception {
        WorkerHost host = WorkerHost.get(layout);
        String outcome = null;
        for (int attempt = 1; attempt <= 1 + retries; attempt++) {
            outcome = host.run(item[2], item[3], backend, attempt);
            if (outcome.contains("\"status\":\"succeeded\"")) {
                break;
            }
        }
        return outcome != null ? outcome : SparkDriver.failed(List.of(item), "no attempt ran");
    }
}
