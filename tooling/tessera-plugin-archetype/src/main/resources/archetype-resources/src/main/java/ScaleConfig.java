package ${package};

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Range;
import java.util.List;

/**
 * Configuration of {@code ${stepPrefix}/scale}: the keys of its {@code with:} block, in snake_case.
 *
 * @param values the numbers to scale
 * @param factor what to multiply them by
 */
public record ScaleConfig(
        @Description("the numbers to scale") List<Double> values,
        @Description("what to multiply them by") @Range(min = -1000, max = 1000) double factor) {

    public ScaleConfig {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("values must not be empty");
        }
    }
}
