package io.tessera.example.hello;

/**
 * Configuration of {@code hello/greet}.
 *
 * @param greeting the word to greet with
 * @param times    how often to repeat the greeting, 1 to 10
 */
public record GreetConfig(String greeting, int times) {

    public GreetConfig {
        if (greeting == null || greeting.isBlank()) {
            throw new IllegalArgumentException("greeting must not be empty");
        }
        if (times < 1 || times > 10) {
            throw new IllegalArgumentException("times must be between 1 and 10, was " + times);
        }
    }
}
