/**
 * A minimal Tessera plugin: a pipeline step that greets, and a start hook that logs. It uses only the Tessera API
 * and {@code jakarta.inject}; the host creates its classes by dependency injection. It neither exports nor opens its
 * package: in a plugin folder the host grants Guice access and opens the package of the step's config record
 * ({@code GreetConfig}) to the pipelines, so that {@code with:} can set it ({@code HelloPipelineTest}). Its identity
 * is this module (name, version); the build writes the manifest from it.
 */
module io.tessera.example.hello {
    requires io.tessera.api;
    requires jakarta.inject;

    provides io.tessera.api.plugin.Plugin with io.tessera.example.hello.HelloPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.example.hello.GreetStep;
}
