package io.tessera.pipelines.executor;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.pipeline.Metrics;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.PipelineValidationException;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * Runs one item of a fan-out step on a worker: its {@link ItemSpec#pipelineYaml()} as a pipeline whose run folder
 * lies under {@code <itemFolder>/runs/}. A folder left {@code INCOMPLETE} there by an earlier attempt (a killed
 * worker, a retry) is resumed, so a training item continues from its newest checkpoint.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ItemRuns {
    /** One host per plugin folder and JVM: a worker starts Tessera once and runs every item it gets on it. */
    private static final Map<String, TesseraHost> HOSTS = new java.util.concurrent.ConcurrentHashMap<>();

    private ItemRuns() {
    }

    /**
     * The worker entry point that a bootstrap calls reflectively across class loaders (so it takes and returns text
     * only): runs item {@code itemJson} ({@link ItemSpec#toJson()}) in {@code folder} on this JVM's cached host
     * (started on first use, with the plugins of the folders {@code pluginDirectory} lists, separated by
     * {@link java.io.File#pathSeparator}; it may be empty) and returns the
     * outcome's JSON ({@link ItemOutcome#toJson()}).
     */
    public static String runInHost(String pluginDirectory, String itemJson, String folder, String backend,
            int attempt) {
        TesseraHost host = HOSTS.computeIfAbsent(pluginDirectory == null ? "" : pluginDirectory, dir -> {
            io.tessera.host.TesseraBuilder b = Tessera.builder().watch(false);
            for (String d : dir.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty() && Files.isDirectory(Path.of(d))) {
                    b.pluginDirectory(Path.of(d));
                }
            }
            TesseraHost h = b.build();
            h.start();
            return h;
        });
        ItemSpec item = ItemSpec.fromJson(itemJson);
        return run(Pipelines.of(host), item, Path.of(folder), backend, attempt).toJson();
    }

    /**
     * Runs the item and returns its outcome; a failed run is a failed outcome (with the run's message), never an
     * exception.
     *
     * @param pipelines  the worker host's pipelines
     * @param item       the item
     * @param itemFolder its folder (created if missing)
     * @param backend    the backend to use ({@code cpu})
     * @param attempt    which attempt this is (1 for the first)
     */
    public static ItemOutcome run(Pipelines pipelines, ItemSpec item, Path itemFolder, String backend, int attempt) {
        long t0 = System.nanoTime();
        String where = host() + ":" + itemFolder;
        try {
            Files.createDirectories(itemFolder.resolve("runs"));
            Path file = itemFolder.resolve("item-pipeline.yaml");
            Files.writeString(file, item.pipelineYaml());
            RunOptions.Builder options = RunOptions.builder().outputRoot(itemFolder.resolve("runs")).keepOutputs(true);
            if (backend != null && !backend.isBlank() && !backend.equals("none")) {
                options.backend(backend);
            }
            incomplete(itemFolder.resolve("runs")).ifPresent(options::resume);
            try (RunResult result = pipelines.run(file, options.build())) {
                double secs = (System.nanoTime() - t0) / 1e9;
                if (!result.succeeded()) {
                    return ItemOutcome.failed(item, attempt, secs, result.failure().orElse(result.status().name()),
                            where);
                }
                Map<String, Metrics> outputs = new LinkedHashMap<>();
                result.outputs().forEach((name, value) -> {
                    if (value instanceof Metrics m) {
                        outputs.put(name, m);
                    }
                });
                return new ItemOutcome(item.index(), item.id(), true, attempt, secs, "",
                        result.metrics().getOrDefault(item.id(), Map.of()),
                        epochs(result.runDirectory().resolve("metrics.json"), item.id()), outputs, where);
            }
        } catch (PipelineValidationException e) {
            return ItemOutcome.failed(item, attempt, (System.nanoTime() - t0) / 1e9, "the item's pipeline is not valid"
                    + " on this worker (are the same plugins installed?): " + e.getMessage(), where);
        } catch (IOException | RuntimeException e) {
            return ItemOutcome.failed(item, attempt, (System.nanoTime() - t0) / 1e9, String.valueOf(e), where);
        }
    }

    /** The newest run folder under {@code runs} that still holds {@code INCOMPLETE}. */
    static Optional<Path> incomplete(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = s.filter(d -> Files.isRegularFile(d.resolve("INCOMPLETE")))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            return dirs.isEmpty() ? Optional.empty() : Optional.of(dirs.get(dirs.size() - 1));
        }
    }

    private static Map<Integer, Map<String, Double>> epochs(Path metricsJson, String step) throws IOException {
        Map<Integer, Map<String, Double>> out = new TreeMap<>();
        if (!Files.isRegularFile(metricsJson)) {
            return out;
        }
        JsonNode rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(metricsJson.toFile())
                .path("steps").path(step).path("epochs");
        for (JsonNode row : rows) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("epoch")) {
                    values.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
                            : Double.parseDouble(e.getValue().asText()));
                }
            }
            out.put(row.path("epoch").asInt(), values);
        }
        return out;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
