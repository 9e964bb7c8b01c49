package io.tessera.pipelines.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.pipelines.PipelineEvent;
import java.time.Instant;
import java.util.Map;

/** Pipeline events as JSON objects, for {@code events.jsonl} and {@code tessera run --json}. */
public final class EventJson {
    private EventJson() {
    }

    /** One event as a one-line JSON object with {@code time} and {@code type} first. */
    public static String line(PipelineEvent event, Instant time) {
        return PipelineTrees.toJson(node(event, time));
    }

    static ObjectNode node(PipelineEvent event, Instant time) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("time", time.toString());
        n.put("type", event.type());
        if (event instanceof PipelineEvent.RunStarted e) {
            n.put("pipeline", e.pipeline());
            n.put("run_dir", e.runDirectory().toString());
            n.put("backend", e.backend());
            if (!e.backendWhy().isEmpty()) {
                n.put("backend_reason", e.backendWhy());
            }
            e.steps().forEach(n.putArray("steps")::add);
            n.put("resumed", e.resumed());
        }
        if (event instanceof PipelineEvent.StepStarted e) {
            n.put("step", e.step());
            n.put("uses", e.uses());
            n.put("index", e.index());
            n.put("count", e.count());
        }
        if (event instanceof PipelineEvent.StepProgress e) {
            n.put("step", e.step());
            n.put("done", e.done());
            n.put("total", e.total());
            n.put("message", e.message());
        }
        if (event instanceof PipelineEvent.EpochFinished e) {
            n.put("step", e.step());
            n.put("epoch", e.epoch());
            n.put("epochs", e.epochs());
            metrics(n.putObject("metrics"), e.metrics());
        }
        if (event instanceof PipelineEvent.CheckpointSaved e) {
            n.put("step", e.step());
            n.put("position", e.position());
            n.put("folder", e.folder().toString());
        }
        if (event instanceof PipelineEvent.CheckpointSkipped e) {
            n.put("step", e.step());
            n.put("folder", e.folder().toString());
            n.put("reason", e.reason());
            n.put("moved_to", e.movedTo().toString());
        }
        if (event instanceof PipelineEvent.StepFinished e) {
            n.put("step", e.step());
            n.put("seconds", e.seconds());
            metrics(n.putObject("metrics"), e.metrics());
        }
        if (event instanceof PipelineEvent.StepFailed e) {
            n.put("step", e.step());
            n.put("seconds", e.seconds());
            n.put("message", e.message());
        }
        if (event instanceof PipelineEvent.RunFinished e) {
            n.put("status", e.status().name().toLowerCase(java.util.Locale.ROOT));
            n.put("seconds", e.seconds());
            n.put("run_dir", e.runDirectory().toString());
            n.put("message", e.message());
        }
        return n;
    }

    private static void metrics(ObjectNode n, Map<String, Double> metrics) {
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                n.put(k, v);
            } else {
                n.put(k, v.toString());
            }
        });
    }
}
