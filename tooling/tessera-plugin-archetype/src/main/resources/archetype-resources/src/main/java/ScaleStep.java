package ${package};

import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.List;

/** {@code ${stepPrefix}/scale}: multiplies numbers by a factor and reports their sum as a metric. */
public final class ScaleStep implements Step<ScaleConfig> {

    /** Created by the host (a constructor marked {@code @jakarta.inject.Inject} would get host services). */
    public ScaleStep() {
    }

    @Override
    public String name() {
        return "${stepPrefix}/scale";
    }

    @Override
    public String description() {
        return "multiplies numbers by a factor";
    }

    @Override
    public Class<ScaleConfig> configType() {
        return ScaleConfig.class;
    }

    @Override
    public ScaleConfig defaultConfig() {
        return new ScaleConfig(List.of(1.0, 2.0, 3.0), 2.0);
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("scaled", List.class, "the scaled numbers"));
    }

    @Override
    public PortValues run(StepContext context, ScaleConfig config, PortValues inputs) {
        List<Double> scaled = config.values().stream().map(v -> v * config.factor()).toList();
        double sum = scaled.stream().mapToDouble(Double::doubleValue).sum();
        context.metric("sum", sum);
        context.logger().log(System.Logger.Level.INFO, "scaled " + scaled.size() + " values by " + config.factor());
        return PortValues.of("scaled", scaled);
    }
}
