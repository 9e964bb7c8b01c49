package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.StepHarness;
import io.tessera.testkit.StepRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step on its own, through the test kit's recording harness: outputs, metrics, log lines. */
class ScaleStepTest {

    @Test
    void multipliesEveryValueAndReportsTheSum() throws Exception {
        StepRun run = StepHarness.of(new ScaleStep())
                .config(new ScaleConfig(List.of(1.0, -2.0, 4.0), 0.5))
                .run();
        assertThat(run.output("scaled", List.class).toArray()).containsExactly(0.5, -1.0, 2.0);
        assertThat(run.metric("sum")).isEqualTo(1.5);
    }

    @Test
    void refusesAnEmptyListOfValues() {
        assertThatThrownBy(() -> new ScaleConfig(List.of(), 2.0)).hasMessage("values must not be empty");
    }
}
