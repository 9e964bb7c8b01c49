package io.tessera.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.StepEvent;
import io.tessera.testkit.StepHarness;
import io.tessera.testkit.StepRun;
import org.junit.jupiter.api.Test;

/** The step on its own, through the test kit's recording harness. */
class GreetStepTest {

    @Test
    void greetsTheNameInputAsOftenAsConfigured() throws Exception {
        StepRun run = StepHarness.of(new GreetStep(new Greeter("(test)")))
                .config(new GreetConfig("Hi", 2))
                .input("name", "Ada")
                .run();
        assertThat(run.output("message", String.class)).isEqualTo("Hi, Ada! Hi, Ada! (test)");
        assertThat(run.events(StepEvent.Log.class)).extracting(StepEvent.Log::message)
                .containsExactly("Hi, Ada! Hi, Ada! (test)");
    }

    @Test
    void greetsTheWorldWithoutANameAndWithDefaults() throws Exception {
        GreetStep step = GreetStep.provider();
        String message = StepHarness.of(step).run().output("message", String.class);
        assertThat(message).startsWith("Hello, world!");
        assertThat(step.name()).isEqualTo("hello/greet");
    }

    @Test
    void rejectsAnInputOfTheWrongType() {
        assertThatThrownBy(() -> StepHarness.of(GreetStep.provider()).input("name", 42).run())
                .hasMessage("step hello/greet: input 'name' should be a java.lang.String but is a java.lang.Integer");
    }

    @Test
    void rejectsARepeatCountOutsideOneToTen() {
        assertThatThrownBy(() -> new GreetConfig("Hi", 0)).hasMessage("times must be between 1 and 10, was 0");
    }
}
