package io.tessera.pipelines.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.pipeline.Metrics;
import io.tessera.pipelines.executor.ItemOutcome;
import io.tessera.pipelines.executor.ItemSpec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** JSON of an {@link ItemOutcome}: {@code item.json} in an item's folder and the value a worker sends back. */
public final class ItemJson {
    private ItemJson() {
    }

    /** The outcome as one line of JSON; non-finite numbers as the strings {@code NaN}, {@code Infinity}. */
    public static String write(ItemOutcome o) {
        ObjectNode n = PipelineTrees.JSON.createObjectNode();
        n.put("index", o.index());
        n.put("id", o.id());
        n.put("status", o.succeeded() ? "succeeded" : "failed");
        n.put("attempts", o.attempts());
        n.put("seconds", o.seconds());
        n.put("message", o.message());
        n.put("where", o.where());
        n.set("metrics", values(o.metrics()));
        ObjectNode epochs = n.putObject("epochs");
        o.epochs().forEach((k, v) -> epochs.set(Integer.toString(k), values(v)));
        ObjectNode outputs = n.putObject("outputs");
        o.outputs().forEach((port, m) -> {
            ObjectNode mo = outputs.putObject(port);
            mo.put("name", m.name());
            mo.set("values", values(m.values()));
        });
        try {
            return PipelineTrees.JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an item outcome: " + e.getMessage(), e);
        }
    }

    /** An item to run, as one line of JSON. */
    public static String writeSpec(ItemSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", spec.index());
        m.put("id", spec.id());
        m.put("values", spec.values());
        m.put("seed", spec.seed());
        m.put("pipeline", spec.pipelineYaml());
        return PipelineTrees.toJson(m);
    }

    /** Reads {@link #writeSpec}. */
    public static ItemSpec readSpec(String json) {
        try {
            JsonNode n = PipelineTrees.JSON.readTree(json);
            @SuppressWarnings("unchecked")
            Map<String, Object> values = PipelineTrees.JSON.convertValue(n.path("values"), LinkedHashMap.class);
            return new ItemSpec(n.path("index").asInt(), n.path("id").asText(), values, n.path("seed").asLong(),
                    n.path("pipeline").asText());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("an item is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectNode values(Map<String, Double> values) {
        ObjectNode n = PipelineTrees.JSON.createObjectNode();
        values.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                n.put(k, v);
            } else {
                n.put(k, v.toString());
            }
        });
        return n;
    }

    /** Reads {@link #write}; a malformed text is an {@link IllegalArgumentException} naming what is wrong. */
    public static ItemOutcome read(String json) {
        JsonNode n;
        try {
            n = PipelineTrees.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an item outcome is not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject() || !n.path("id").isTextual() || !n.path("index").isInt()) {
            throw new IllegalArgumentException("an item outcome needs 'index' and 'id', found: "
                    + (json.length() > 200 ? json.substring(0, 200) + "..." : json));
        }
        Map<Integer, Map<String, Double>> epochs = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("epochs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            epochs.put(Integer.parseInt(e.getKey()), readValues(e.getValue()));
        }
        Map<String, Metrics> outputs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("outputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            outputs.put(e.getKey(), new Metrics(e.getValue().path("name").asText(),
                    readValues(e.getValue().path("values"))));
        }
        return new ItemOutcome(n.get("index").asInt(), n.get("id").asText(),
                "succeeded".equals(n.path("status").asText()), n.path("attempts").asInt(1),
                n.path("seconds").asDouble(), n.path("message").asText(""), readValues(n.path("metrics")), epochs,
                outputs, n.path("where").asText(""));
    }

    private static Map<String, Double> readValues(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
                    : Double.parseDouble(e.getValue().asText()));
        }
        return out;
    }
}
