package io.tessera.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.TesseraApi;
import io.tessera.testkit.PluginJarBuilder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginManifestGeneratorTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            package io.acme.greet;
            public record GreetConfig(String greeting, int times, java.util.List<String> names, Mode mode) {
                public enum Mode { LOUD, QUIET }
            }
            """;

    private static String step(String configType) {
        return """
                package io.acme.greet;
                import io.tessera.api.pipeline.*;
                public final class GreetStep implements Step<%1$s> {
                    public String name() { return "acme/greet"; }
                    public String description() { return "greets"; }
                    public Class<%1$s> configType() { return %1$s.class; }
                    public %1$s defaultConfig() { return null; }
                    public java.util.List<Port> inputs() { return java.util.List.of(); }
                    public java.util.List<Port> outputs() { return java.util.List.of(); }
                    public PortValues run(StepContext c, %1$s config, PortValues in) { return PortValues.EMPTY; }
                }
                """.formatted(configType);
    }

    private static PluginJarBuilder greetPlugin() {
        return PluginJarBuilder.plugin("io.acme.greet").version("1.4.0")
                .source("io.acme.greet.GreetConfig", CONFIG)
                .source("io.acme.greet.GreetStep", step("GreetConfig"))
                .provides("io.tessera.api.pipeline.Step", "io.acme.greet.GreetStep");
    }

    private static List<Path> apiClassPath() {
        try {
            return List.of(Path.of(TesseraApi.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private PluginManifestGenerator.Result generate(Path jar, String apiRange, Map<String, String> ranges,
                                                    Path... more) {
        List<Path> cp = new java.util.ArrayList<>(apiClassPath());
        cp.addAll(List.of(more));
        return new PluginManifestGenerator(jar, cp, apiRange, ranges).generate();
    }

    @Test
    void takesTheIdentityFromModuleInfoAndWritesOnlyTheApiRange() {
        PluginManifestGenerator.Result r = generate(greetPlugin().buildInto(dir), null, Map.of());
        assertThat(r.errors()).isEmpty();
        assertThat(r.descriptor().id()).isEqualTo("io.acme.greet");
        assertThat(r.descriptor().version()).hasToString("1.4.0");
        var attributes = r.manifest().getMainAttributes();
        assertThat(attributes.getValue("Tessera-Api")).isEqualTo("[1.0,2.0)");
        assertThat(attributes.getValue("Tessera-Plugin-Id")).isNull();
        assertThat(attributes.getValue("Tessera-Plugin-Version")).isNull();
        assertThat(attributes.getValue("Tessera-Requires")).isNull();
        assertThat(r.services()).containsEntry("io.tessera.api.pipeline.Step", List.of("io.acme.greet.GreetStep"));
        // the config package is not exported: readable in a plugin folder only
        assertThat(r.warnings()).singleElement().asString().contains("neither exports nor opens")
                .contains("exports io.acme.greet;");
    }

    @Test
    void acceptsAnExportedConfigPackageWithoutWarning() {
        PluginManifestGenerator.Result r = generate(greetPlugin().exports("io.acme.greet").buildInto(dir), null,
                Map.of());
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void failsOnAStepThatModuleInfoDoesNotProvide() {
        Path jar = PluginJarBuilder.plugin("io.acme.greet")
                .source("io.acme.greet.GreetConfig", CONFIG)
                .source("io.acme.greet.GreetStep", step("GreetConfig"))
                .source("io.acme.greet.Hooks", "package io.acme.greet; public final class Hooks implements "
                        + "io.tessera.api.plugin.Plugin { }")
                .provides("io.tessera.api.plugin.Plugin", "io.acme.greet.Hooks")
                .buildInto(dir);
        assertThat(generate(jar, null, Map.of()).errors()).singleElement().asString()
                .startsWith("io.acme.greet.GreetStep implements io.tessera.api.pipeline.Step but module-info does "
                        + "not provide it")
                .contains("provides io.tessera.api.pipeline.Step with io.acme.greet.GreetStep;");
    }

    @Test
    void failsOnAModuleThatProvidesNothing() {
        Path jar = PluginJarBuilder.plugin("io.acme.empty")
                .source("io.acme.empty.A", "package io.acme.empty; public final class A { }").buildInto(dir);
        assertThat(generate(jar, null, Map.of()).errors()).singleElement().asString()
                .startsWith("module io.acme.empty provides nothing");
    }

    @Test
    void failsOnAConfigRecordWithAComponentPipelinesCannotSet() {
        Path badComponent = PluginJarBuilder.plugin("io.acme.greet")
                .source("io.acme.greet.GreetConfig", "package io.acme.greet; public record GreetConfig("
                        + "java.util.Map<String, String> labels, int times) { }")
                .source("io.acme.greet.GreetStep", step("GreetConfig"))
                .provides("io.tessera.api.pipeline.Step", "io.acme.greet.GreetStep").exports("io.acme.greet")
                .buildInto(dir.resolve("b"));
        assertThat(generate(badComponent, null, Map.of()).errors()).singleElement().asString()
                .isEqualTo("step io.acme.greet.GreetStep: config GreetConfig.labels has type java.util.Map<java.lang"
                        + ".String, java.lang.String>, which pipelines cannot set; use int, long, double, float, "
                        + "boolean, String, an enum, Path, a List of those or a record of such components");
    }

    @Test
    void failsOnAnApiRangeThatExcludesTheCompiledApi() {
        PluginManifestGenerator.Result r = generate(greetPlugin().buildInto(dir), "[2.0,3.0)", Map.of());
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString().startsWith("Tessera-Api [2.0,3.0) excludes the API "
                + TesseraApi.VERSION + " this plugin compiles against");
    }

    @Test
    void derivesTessera_RequiresFromRequiredPluginModules() {
        Path base = PluginJarBuilder.plugin("io.acme.base").version("1.2.3").exports("io.acme.base")
                .source("io.acme.base.Hooks", "package io.acme.base; public final class Hooks implements "
                        + "io.tessera.api.plugin.Plugin { }")
                .provides("io.tessera.api.plugin.Plugin", "io.acme.base.Hooks").buildInto(dir.resolve("base"));
        Path lib = PluginJarBuilder.plugin("io.acme.lib").withoutPluginManifest().exports("io.acme.lib")
                .source("io.acme.lib.L", "package io.acme.lib; public final class L { }")
                .buildInto(dir.resolve("lib"));
        Path jar = greetPlugin().moduleRequires("io.acme.base").moduleRequires("io.acme.lib")
                .compileAgainst(base, lib).buildInto(dir.resolve("greet"));
        PluginManifestGenerator.Result r = generate(jar, null, Map.of(), base, lib);
        assertThat(r.errors()).isEmpty();
        assertThat(r.manifest().getMainAttributes().getValue("Tessera-Requires"))
                .isEqualTo("io.acme.base;version=\"[1.2,2.0)\"");

        PluginManifestGenerator.Result configured = generate(jar, null, Map.of("io.acme.base", "[1.0,1.2)"), base,
                lib);
        assertThat(configured.errors()).singleElement().asString().isEqualTo("the range [1.0,1.2) for io.acme.base "
                + "excludes version 1.2.3, which this plugin compiles against");
    }

    @Test
    void writesARequiresStaticPluginAsAnOptionalRequirement() {
        Path extra = PluginJarBuilder.plugin("io.acme.extra").version("2.1.0").exports("io.acme.extra")
                .source("io.acme.extra.Hooks", "package io.acme.extra; public final class Hooks implements "
                        + "io.tessera.api.plugin.Plugin { }")
                .provides("io.tessera.api.plugin.Plugin", "io.acme.extra.Hooks").buildInto(dir.resolve("extra"));
        Path jar = greetPlugin().moduleRequires("static io.acme.extra").compileAgainst(extra)
                .buildInto(dir.resolve("greet"));
        PluginManifestGenerator.Result r = generate(jar, null, Map.of(), extra);
        assertThat(r.errors()).isEmpty();
        assertThat(r.manifest().getMainAttributes().getValue("Tessera-Requires"))
                .isEqualTo("io.acme.extra;version=\"[2.1,3.0)\";resolution:=optional");
    }
}
