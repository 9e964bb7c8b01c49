package io.tessera.testkit;

import io.tessera.api.pipeline.PortValues;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * What one {@link StepHarness#run()} gave: the step's outputs and everything it reported, in order.
 *
 * @param outputs       the output values, checked against the step's declared output ports
 * @param events        every report, in the order the step made it
 * @param workDirectory the folder the step had for its files
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record StepRun(PortValues outputs, List<StepEvent> events, Path workDirectory) {

    public StepRun {
        events = List.copyOf(events);
    }

    /** The output {@code name}, cast to {@code type}. */
    public <T> T output(String name, Class<T> type) {
        return outputs.get(name, type);
    }

    /** The final metrics ({@code context.metric}), by name; a metric reported twice keeps its last value. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (StepEvent e : events) {
            if (e instanceof StepEvent.Metric metric) {
                m.put(metric.name(), metric.value());
            }
        }
        return m;
    }

    /** The metric {@code name}. */
    public double metric(String name) {
        Double v = metrics().get(name);
        if (v == null) {
            throw new IllegalArgumentException("the step reported no metric '" + name + "'; it reported "
                    + metrics().keySet());
        }
        return v;
    }

    /** The epoch ends, in order. */
    public List<StepEvent.EpochEnd> epochs() {
        return events.stream().filter(StepEvent.EpochEnd.class::isInstance).map(StepEvent.EpochEnd.class::cast)
                .toList();
    }

    /** The events of one kind, in order, e.g. {@code events(StepEvent.Progress.class)}. */
    public <E extends StepEvent> List<E> events(Class<E> kind) {
        return events.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
