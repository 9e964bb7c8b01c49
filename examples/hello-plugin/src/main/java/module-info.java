/**
 * A minimal Tessera plugin: a pipeline step that greets, and a start hook that logs. It uses only the Tessera API
 * and {@code jakarta.inject}; the host creates its classes by dependency injection. It does not open its package:
 * the host grants Guice access when it creates the plugin's layer.
 */
module io.tessera.example.hello {
    requires io.tessera.api;
    requires jakarta.inject;

    provides io.tessera.api.plugin.Plugin with io.tessera.example.hello.HelloPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.example.hello.GreetStep;
}
