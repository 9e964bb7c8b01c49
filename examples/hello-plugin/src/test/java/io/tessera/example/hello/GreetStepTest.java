package io.tessera.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.plugin.ServiceRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GreetStepTest {

    private final StepContext context = new StepContext() {
        @Override
        public String stepName() {
            return "greet";
        }

        @Override
        public Path workDirectory() {
            return Path.of(".");
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("test");
        }

        @Override
        public ServiceRegistry services() {
            throw new UnsupportedOperationException("the greet step needs no services");
        }

        @Override
        public void progress(long done, long total, String message) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    @Test
    void greetsTheNameInputAsOftenAsConfigured() {
        GreetStep step = new GreetStep(new Greeter("(test)"));
        PortValues out = step.run(context, new GreetConfig("Hi", 2), PortValues.of("name", "Ada"));
        assertThat(out.get("message", String.class)).isEqualTo("Hi, Ada! Hi, Ada! (test)");
    }

    @Test
    void greetsTheWorldWithoutANameAndWithDefaults() {
        GreetStep step = GreetStep.provider();
        String message = step.run(context, step.defaultConfig(), PortValues.EMPTY).get("message", String.class);
        assertThat(message).startsWith("Hello, world!");
        assertThat(step.name()).isEqualTo("hello/greet");
    }

    @Test
    void rejectsARepeatCountOutsideOneToTen() {
        assertThatThrownBy(() -> new GreetConfig("Hi", 0)).hasMessage("times must be between 1 and 10, was 0");
    }
}
