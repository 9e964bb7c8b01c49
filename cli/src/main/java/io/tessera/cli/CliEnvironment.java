package io.tessera.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the commands read from outside their arguments, passed in so that tests can run them in-process.
 *
 * @param environment the process environment (for {@code TESSERA_BACKEND})
 * @param home        the distribution folder ({@code -Dtessera.home}, set by {@code bin/tessera}), if known
 */
record CliEnvironment(Map<String, String> environment, Optional<Path> home) {

    /** System property naming the distribution folder. */
    static final String HOME_PROPERTY = "tessera.home";

    CliEnvironment {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(home, "home");
    }

    /** The environment of this process. */
    static CliEnvironment ofProcess() {
        String home = System.getProperty(HOME_PROPERTY);
        return new CliEnvironment(System.getenv(),
                home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home)));
    }

    /** The plugin directories used when no {@code --plugins-dir} is given: the distribution's {@code plugins/}. */
    List<Path> defaultPluginDirectories() {
        return home.map(h -> h.resolve("plugins")).filter(Files::isDirectory).map(List::of).orElse(List.of());
    }
}
