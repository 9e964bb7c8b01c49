package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.plugin.Requirement;
import io.tessera.api.plugin.VersionRange;
import io.tessera.api.problem.Severity;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional dependencies (issue 21): a plugin that {@code requires static} another plugin reads it when it is installed
 * and resolvable, and runs without it otherwise; the manifest can add a version range with
 * {@code resolution:=optional}.
 */
class OptionalDependencyTest {

    @TempDir
    Path plugins;

    @TempDir
    Path build;

    private static PluginJarBuilder extra(String version) {
        return TestPlugins.hookPlugin("io.acme.extra", "").exports("io.acme.extra").version(version)
                .source("io.acme.extra.Extra", """
                        package io.acme.extra;
                        public final class Extra { public static String get() { return "extra %s"; } }
                        """.formatted(version));
    }

    /** Registers a Supplier that says whether its module reads io.acme.extra, and uses it when it does. */
    private PluginJarBuilder user(Path extraJar) {
        return TestPlugins.hookPlugin("io.acme.user", """
                Module self = Hooks.class.getModule();
                java.util.Optional<Module> extra = self.getLayer() == null ? java.util.Optional.empty()
                        : self.getLayer().findModule("io.acme.extra");
                String said = extra.isPresent() && self.canRead(extra.get())
                        ? "with " + io.acme.extra.Extra.get() : "without extra";
                java.util.function.Supplier<String> s = () -> said;
                context.services().register(java.util.function.Supplier.class, s);
                """).moduleRequires("static io.acme.extra").compileAgainst(extraJar);
    }

    private TesseraHost host() {
        TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).settleTime(Duration.ZERO)
                .build();
        host.start();
        return host;
    }

    private static String said(TesseraHost host) {
        return host.extensions(Supplier.class).stream().map(s -> String.valueOf(s.get())).findFirst()
                .orElse("(nothing)");
    }

    @Test
    void requiresStaticOfAnInstalledPluginIsWiredWithoutAManifestEntry() {
        Path extraJar = extra("1.0.0").buildAs(plugins.resolve("extra.jar"));
        user(extraJar).buildAs(plugins.resolve("user.jar"));
        try (TesseraHost host = host()) {
            assertThat(host.plugin("io.acme.user").orElseThrow().isActive()).isTrue();
            assertThat(said(host)).isEqualTo("with extra 1.0.0");
            assertThat(host.report().problems()).isEmpty();
        }
    }

    @Test
    void runsWithoutAnOptionalPluginThatIsAbsentAndPicksItUpWhenItArrives() {
        Path extraJar = extra("1.0.0").buildInto(build);
        user(extraJar).buildAs(plugins.resolve("user.jar"));
        try (TesseraHost host = host()) {
            assertThat(host.plugin("io.acme.user").orElseThrow().isActive()).isTrue();
            assertThat(said(host)).isEqualTo("without extra");
            assertThat(host.report().problems()).isEmpty();

            io.tessera.testkit.PluginFiles.replaceAtomically(extraJar, plugins.resolve("extra.jar"));
            host.refresh();
            assertThat(said(host)).as("restarted with the optional plugin wired").isEqualTo("with extra 1.0.0");
        }
    }

    @Test
    void anOptionalPluginOutsideTheManifestRangeIsNotWiredAndSaysWhy() {
        Path extraJar = extra("2.0.0").buildAs(plugins.resolve("extra.jar"));
        user(extraJar).manifestAttribute("Tessera-Requires",
                "io.acme.extra;version=\"[1.0,2.0)\";resolution:=optional").buildAs(plugins.resolve("user.jar"));
        try (TesseraHost host = host()) {
            assertThat(host.plugin("io.acme.user").orElseThrow().isActive()).isTrue();
            assertThat(said(host)).isEqualTo("without extra");
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.severity()).isEqualTo(Severity.WARNING);
                assertThat(p.message()).contains("runs without its optional io.acme.extra")
                        .contains("accepts [1.0,2.0) but found 2.0.0");
            });
        }
    }

    @Test
    void anOptionalManifestEntryWithoutRequiresStaticIsFlagged() {
        extra("1.0.0").buildAs(plugins.resolve("extra.jar"));
        TestPlugins.hookPlugin("io.acme.user", "").manifestAttribute("Tessera-Requires",
                "io.acme.extra;resolution:=optional").buildAs(plugins.resolve("user.jar"));
        try (TesseraHost host = host()) {
            assertThat(host.plugin("io.acme.user").orElseThrow().isActive()).isTrue();
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.severity()).isEqualTo(Severity.WARNING);
                assertThat(p.message()).contains("does not require it, so it could never read it");
                assertThat(p.hint()).contains("requires static io.acme.extra;");
            });
        }
    }

    @Test
    void requirementSyntaxAndMessages() {
        Requirement optional = Requirement.parse("io.acme.extra;version=\"[1.0,2.0)\";resolution:=optional");
        assertThat(optional).isEqualTo(new Requirement("io.acme.extra", VersionRange.parse("[1.0,2.0)"), true));
        assertThat(Requirement.parse(optional.toString())).isEqualTo(optional);
        assertThat(Requirement.parse("io.acme.extra").optional()).isFalse();
        assertThat(VersionRange.ANY.describe()).isEqualTo("any version");

        // message 1: a '?' suffix is not an id, and the hint shows the optional syntax
        assertThatThrownBy(() -> Requirement.parse("p2?")).hasMessageContaining("'p2?' is not a plugin id")
                .hasMessageContaining("p2;resolution:=optional");
        // message 4: '*' is not a range; leaving version out accepts any
        assertThatThrownBy(() -> Requirement.parse("p2;version=\"*\"")).hasMessageContaining("not a version range")
                .hasMessageContaining("leave the version attribute out");
    }

    @Test
    void aMissingRequirementWithoutARangeSaysAnyVersion() throws Exception {
        TestPlugins.hookPlugin("io.acme.user", "").manifestAttribute("Tessera-Requires", "io.acme.gone")
                .buildAs(plugins.resolve("user.jar"));
        try (TesseraHost host = host()) {
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.message()).contains("requires io.acme.gone (any version) but no plugin io.acme.gone")
                        .doesNotContain("[0.0,)");
                assertThat(p.hint()).doesNotContain("[0.0,)").contains("resolution:=optional");
            });
        }
        assertThat(Files.exists(plugins.resolve("user.jar"))).isTrue();
    }
}
