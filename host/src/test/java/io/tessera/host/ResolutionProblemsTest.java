package io.tessera.host;

import static io.tessera.api.plugin.PluginState.ACTIVE;
import static io.tessera.api.plugin.PluginState.FAILED;
import static io.tessera.api.plugin.PluginState.INSTALLED;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.pipeline.Step;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import io.tessera.testkit.PluginFiles;
import io.tessera.testkit.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per problem the resolution report names; each checks the exact words a person reads. */
class ResolutionProblemsTest {

    @TempDir
    Path plugins;

    private void withHost(Consumer<TesseraHost> check) {
        try (TesseraHost host = Tessera.builder().bootPlugins(false).pluginDirectory(plugins).build()) {
            host.start();
            check.accept(host);
        }
    }

    private String jar(String name) {
        return plugins.resolve(name).toString();
    }

    private static Problem onlyProblem(TesseraHost host, String id) {
        List<Problem> problems = host.plugin(id).orElseThrow().problems();
        assertThat(problems).as("problems of %s", id).hasSize(1);
        return problems.get(0);
    }

    @Test
    void reportsAMissingDependency() {
        TestPlugins.hookPlugin("io.x", "").manifestRequires("io.y", "[2.0,3.0)").buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.x").orElseThrow().state()).isEqualTo(INSTALLED);
            Problem p = onlyProblem(host, "io.x");
            assertThat(p.severity()).isEqualTo(Severity.ERROR);
            assertThat(p.source()).isEqualTo(jar("io.x-1.0.0.jar"));
            assertThat(p.message()).isEqualTo("plugin io.x 1.0.0 (" + jar("io.x-1.0.0.jar")
                    + ") requires io.y [2.0,3.0) but no plugin io.y is installed");
            assertThat(p.hint()).isEqualTo("add a jar of io.y in a version in [2.0,3.0) to a plugin folder, or mark "
                    + "the requirement optional (io.y;resolution:=optional with requires static in module-info) if "
                    + "io.x can run without it");
        });
    }

    @Test
    void reportsADependencyInTheWrongVersion() {
        Path y = TestPlugins.hookPlugin("io.y", "").version("1.4.0").exports("io.y").buildInto(plugins);
        TestPlugins.hookPlugin("io.x", "").version("1.2.0").requires("io.y", "[2.0,3.0)").compileAgainst(y)
                .buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.y").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.plugin("io.x").orElseThrow().state()).isEqualTo(INSTALLED);
            assertThat(onlyProblem(host, "io.x").message()).isEqualTo("plugin io.x 1.2.0 (" + jar("io.x-1.2.0.jar")
                    + ") requires io.y [2.0,3.0) but found 1.4.0 (" + jar("io.y-1.4.0.jar") + ")");
            assertThat(host.report().problems()).hasSize(1);
        });
    }

    @Test
    void reportsAnApiRangeThisHostDoesNotSatisfy() {
        TestPlugins.hookPlugin("io.future", "").apiRange("[2.0,3.0)").buildInto(plugins);
        withHost(host -> {
            Problem p = onlyProblem(host, "io.future");
            assertThat(p.message()).isEqualTo("plugin io.future 1.0.0 (" + jar("io.future-1.0.0.jar")
                    + ") needs Tessera API [2.0,3.0) but this host provides 1.0.0");
            assertThat(host.plugin("io.future").orElseThrow().state()).isEqualTo(INSTALLED);
        });
    }

    @Test
    void reportsDuplicateIdsAndUsesTheHighestVersion() {
        TestPlugins.stepPlugin("io.dup", "1.0.0").buildInto(plugins);
        TestPlugins.stepPlugin("io.dup", "1.1.0").buildInto(plugins);
        withHost(host -> {
            assertThat(host.extensions(Step.class)).extracting(Step::name).containsExactly("io.dup 1.1.0 hello");
            assertThat(host.plugins()).extracting(PluginView::version, PluginView::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("1.1.0", ACTIVE),
                            org.assertj.core.groups.Tuple.tuple("1.0.0", INSTALLED));
            assertThat(host.report().problems()).singleElement().satisfies(p -> {
                assertThat(p.message()).isEqualTo("plugin io.dup 1.0.0 (" + jar("io.dup-1.0.0.jar")
                        + ") has the same id as plugin io.dup 1.1.0 (" + jar("io.dup-1.1.0.jar")
                        + "), which is used instead (duplicate id)");
                assertThat(p.source()).isEqualTo(jar("io.dup-1.0.0.jar"));
            });
        });
    }

    @Test
    void reportsADependencyCycleOnEveryPluginInIt() {
        TestPlugins.hookPlugin("io.a", "").manifestRequires("io.b", "[1.0,2.0)").buildInto(plugins);
        TestPlugins.hookPlugin("io.b", "").manifestRequires("io.c", "[1.0,2.0)").buildInto(plugins);
        TestPlugins.hookPlugin("io.c", "").manifestRequires("io.a", "[1.0,2.0)").buildInto(plugins);
        TestPlugins.stepPlugin("io.ok", "1.0.0").buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.ok").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.report().problems(Severity.ERROR)).extracting(Problem::message).containsExactly(
                    "plugin io.a 1.0.0 (" + jar("io.a-1.0.0.jar") + ") is part of a dependency cycle: "
                            + "io.a -> io.b -> io.c -> io.a",
                    "plugin io.b 1.0.0 (" + jar("io.b-1.0.0.jar") + ") is part of a dependency cycle: "
                            + "io.b -> io.c -> io.a -> io.b",
                    "plugin io.c 1.0.0 (" + jar("io.c-1.0.0.jar") + ") is part of a dependency cycle: "
                            + "io.c -> io.a -> io.b -> io.c");
            // the rule is "no cycles", not "a tree": diamonds are fine
            assertThat(host.report().problems(Severity.ERROR)).extracting(Problem::hint).allSatisfy(h -> assertThat(h)
                    .contains("no plugin may require itself through others").doesNotContain("tree"));
        });
    }

    @Test
    void resolvesADiamond() {
        Path base = TestPlugins.hookPlugin("io.base", "").exports("io.base").source("io.base.B",
                "package io.base; public final class B { }").buildInto(plugins);
        TestPlugins.hookPlugin("io.left", "").requires("io.base", "[1.0,2.0)").compileAgainst(base).buildInto(plugins);
        TestPlugins.hookPlugin("io.right", "").requires("io.base", "[1.0,2.0)").compileAgainst(base)
                .buildInto(plugins);
        TestPlugins.hookPlugin("io.top", "").manifestRequires("io.left", "[1.0,2.0)")
                .manifestRequires("io.right", "[1.0,2.0)").buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugins()).extracting(PluginView::state).containsOnly(ACTIVE);
            assertThat(host.report().problems()).isEmpty();
        });
    }

    @Test
    void reportsAJarThatIsNotAZip() {
        PluginFiles.garbageJar(plugins.resolve("broken.jar"));
        TestPlugins.stepPlugin("io.ok", "1.0.0").buildInto(plugins);
        withHost(host -> {
            PluginView broken = host.plugin("broken.jar").orElseThrow();
            assertThat(broken.state()).isEqualTo(FAILED);
            assertThat(broken.version()).isEqualTo("?");
            assertThat(broken.problems()).singleElement().satisfies(p -> {
                assertThat(p.message()).startsWith(jar("broken.jar") + " is not a readable jar (");
                assertThat(p.hint()).contains("interrupted copy");
            });
            assertThat(host.plugin("io.ok").orElseThrow().state()).isEqualTo(ACTIVE);
        });
    }

    @Test
    void reportsATruncatedJar(@TempDir Path elsewhere) {
        Path good = TestPlugins.stepPlugin("io.cut", "1.0.0").buildInto(elsewhere);
        PluginFiles.truncatedCopy(good, plugins.resolve("io.cut-1.0.0.jar"), 0.6);
        withHost(host -> {
            assertThat(host.plugins()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(FAILED);
                assertThat(p.problems()).singleElement().extracting(Problem::message).asString()
                        .startsWith(jar("io.cut-1.0.0.jar") + " is not a readable jar");
            });
        });
    }

    @Test
    void reportsANonModularJar() {
        TestPlugins.hookPlugin("io.plain", "").withoutModuleInfo().buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.plain").orElseThrow().state()).isEqualTo(FAILED);
            Problem p = onlyProblem(host, "io.plain");
            assertThat(p.message()).isEqualTo("plugin io.plain 1.0.0 (" + jar("io.plain-1.0.0.jar") + "): "
                    + jar("io.plain-1.0.0.jar") + " is not a modular jar (it has no module-info.class)");
            assertThat(p.hint()).startsWith("add a module-info.java declaring module io.plain");
        });
    }

    @Test
    void reportsAManifestIdThatDiffersFromTheModuleName() {
        TestPlugins.hookPlugin("io.named", "").moduleName("io.other").source("io.named.Hooks", """
                package io.named;
                public final class Hooks implements io.tessera.api.plugin.Plugin { }
                """).buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.named").orElseThrow().state()).isEqualTo(FAILED);
            Problem p = onlyProblem(host, "io.named");
            assertThat(p.message()).isEqualTo("plugin io.named 1.0.0 (" + jar("io.named-1.0.0.jar")
                    + "): manifest says Tessera-Plugin-Id io.named but module-info declares module io.other "
                    + "(manifest/module mismatch)");
            assertThat(p.hint()).isEqualTo("make Tessera-Plugin-Id equal the module name");
        });
    }

    @Test
    void reportsAManifestVersionThatDiffersFromTheModuleVersion() {
        TestPlugins.hookPlugin("io.versioned", "").version("1.2.0").moduleVersion("1.3.0").buildInto(plugins);
        withHost(host -> assertThat(onlyProblem(host, "io.versioned").message()).isEqualTo(
                "plugin io.versioned 1.2.0 (" + jar("io.versioned-1.2.0.jar") + "): manifest says "
                        + "Tessera-Plugin-Version 1.2.0 but the module is compiled as version 1.3.0 "
                        + "(manifest/module mismatch)"));
    }

    @Test
    void reportsAModuleRequirementTheManifestDoesNotDeclare() {
        Path y = TestPlugins.hookPlugin("io.y", "").exports("io.y").buildInto(plugins);
        TestPlugins.hookPlugin("io.x", "").moduleRequires("io.y").compileAgainst(y).buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.y").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.plugin("io.x").orElseThrow().state()).isEqualTo(INSTALLED);
            Problem p = onlyProblem(host, "io.x");
            assertThat(p.message()).isEqualTo("plugin io.x 1.0.0 (" + jar("io.x-1.0.0.jar") + "): module-info "
                    + "requires io.y but Tessera-Requires does not list it (manifest/module mismatch)");
        });
    }

    @Test
    void reportsAnInvalidManifestEntry() {
        TestPlugins.hookPlugin("io.bad", "").manifestAttribute("Tessera-Plugin-Version", "one.two")
                .buildInto(plugins);
        withHost(host -> {
            Problem p = onlyProblem(host, "io.bad");
            assertThat(p.message()).isEqualTo("the manifest of " + plugins.resolve("io.bad-1.0.0.jar")
                    + " is invalid: manifest attribute Tessera-Plugin-Version: 'one.two' is not a semantic version; "
                    + "write MAJOR.MINOR.PATCH, e.g. 1.2.0 or 1.2.0-SNAPSHOT");
        });
    }

    @Test
    void loadsAManifestThatRepeatsTheIdentityWithADeprecationWarning() {
        TestPlugins.hookPlugin("io.old", "").version("1.1.0").legacyManifest().buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.old").orElseThrow().state()).isEqualTo(ACTIVE);
            Problem p = onlyProblem(host, "io.old");
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
            assertThat(p.message()).isEqualTo("plugin io.old 1.1.0 (" + jar("io.old-1.1.0.jar") + "): its manifest "
                    + "repeats the plugin identity (Tessera-Plugin-Id, Tessera-Plugin-Version), which is deprecated: "
                    + "module-info says it");
        });
    }

    @Test
    void takesTheIdentityOfAPluginFromItsModuleInfo() {
        TestPlugins.hookPlugin("io.fresh", "").version("2.3.4").buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.fresh").orElseThrow().version()).isEqualTo("2.3.4");
            assertThat(host.plugin("io.fresh").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.report().problems()).isEmpty();
        });
    }

    @Test
    void reportsALibraryJarThatIsNotAPlugin() {
        PluginJarBuilder.plugin("io.lib").withoutPluginManifest().buildInto(plugins);
        withHost(host -> assertThat(onlyProblem(host, "io.lib-1.0.0.jar").message())
                .isEqualTo(jar("io.lib-1.0.0.jar") + " is not a Tessera plugin: its manifest has no "
                        + "Tessera-Api"));
    }

    @Test
    void reportsASplitPackageBetweenAPluginAndAPluginItRequires(@TempDir Path build) {
        // io.x was compiled against an io.y that kept io.shared private; the io.y installed now exports it
        Path oldY = TestPlugins.hookPlugin("io.y", "").exports("io.y").buildInto(build);
        TestPlugins.hookPlugin("io.y", "").exports("io.y").exports("io.shared")
                .source("io.shared.Util", "package io.shared; public final class Util { }")
                .buildInto(plugins);
        TestPlugins.hookPlugin("io.x", "").requires("io.y", "[1.0,2.0)").compileAgainst(oldY)
                .source("io.shared.Mine", "package io.shared; public final class Mine { }")
                .buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.y").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.plugin("io.x").orElseThrow().state()).isEqualTo(INSTALLED);
            assertThat(onlyProblem(host, "io.x").message()).isEqualTo("plugin io.x 1.0.0 (" + jar("io.x-1.0.0.jar")
                    + ") contains package io.shared, which plugin io.y 1.0.0 (" + jar("io.y-1.0.0.jar")
                    + ") also exports to it (split package)");
        });
    }

    @Test
    void reportsASplitPackageBetweenAPluginAndItsPrivateLibrary(@TempDir Path build) throws Exception {
        // io.x was compiled against a version of io.lib without package io.x; the library beside it now has one
        Path oldLib = PluginJarBuilder.plugin("io.lib").withoutPluginManifest().exports("io.lib")
                .source("io.lib.L", "package io.lib; public final class L { }").buildInto(build);
        Path folder = Files.createDirectories(plugins.resolve("io.x"));
        TestPlugins.hookPlugin("io.x", "").moduleRequires("io.lib").compileAgainst(oldLib).buildInto(folder);
        PluginJarBuilder.plugin("io.lib").withoutPluginManifest().exports("io.lib").exports("io.x")
                .source("io.lib.L", "package io.lib; public final class L { }")
                .source("io.x.FromLib", "package io.x; public final class FromLib { }")
                .buildAs(folder.resolve("lib.jar"));
        withHost(host -> {
            assertThat(host.plugin("io.x").orElseThrow().state()).isEqualTo(INSTALLED);
            assertThat(onlyProblem(host, "io.x").message()).isEqualTo("plugin io.x 1.0.0 (" + folder
                    + ") contains package io.x, which module io.lib also exports to it (split package)");
        });
    }

    @Test
    void reportsTwoPrivateLibrariesThatContainTheSamePackageFromTheirDescriptors() throws Exception {
        // neither library exports io.shared, so only the module descriptors' package lists show the clash: one
        // class loader cannot define io.shared for two modules
        Path folder = Files.createDirectories(plugins.resolve("io.x"));
        Path a = PluginJarBuilder.plugin("io.liba").withoutPluginManifest().exports("io.liba")
                .source("io.liba.A", "package io.liba; public final class A { }")
                .source("io.shared.S", "package io.shared; final class S { }")
                .buildAs(folder.resolve("a.jar"));
        Path b = PluginJarBuilder.plugin("io.libb").withoutPluginManifest().exports("io.libb")
                .source("io.libb.B", "package io.libb; public final class B { }")
                .source("io.shared.S", "package io.shared; final class S { }")
                .buildAs(folder.resolve("b.jar"));
        TestPlugins.hookPlugin("io.x", "").moduleRequires("io.liba").moduleRequires("io.libb")
                .compileAgainst(a, b).buildInto(folder);
        withHost(host -> {
            assertThat(host.plugin("io.x").orElseThrow().state()).isNotEqualTo(ACTIVE);
            Problem p = onlyProblem(host, "io.x");
            assertThat(p.severity()).isEqualTo(Severity.ERROR);
            assertThat(p.message()).isEqualTo("plugin io.x 1.0.0 (" + folder + ") cannot be loaded: package "
                    + "io.shared is in both module io.liba and module io.libb (split package)");
            assertThat(p.hint()).isEqualTo("keep each package in one module only");
        });
    }

    @Test
    void runsAPluginFolderWithItsPrivateLibrary() throws Exception {
        Path folder = Files.createDirectories(plugins.resolve("io.x"));
        Path lib = PluginJarBuilder.plugin("io.lib").withoutPluginManifest().exports("io.lib")
                .source("io.lib.Shout", """
                        package io.lib;
                        public final class Shout { public static String of(String s) { return s.toUpperCase(); } }
                        """)
                .buildAs(folder.resolve("lib.jar"));
        TestPlugins.hookPlugin("io.x", "context.services().register(CharSequence.class, io.lib.Shout.of(\"hi\"));")
                .moduleRequires("io.lib").compileAgainst(lib).buildInto(folder);
        withHost(host -> {
            assertThat(host.plugins()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(ACTIVE);
                assertThat(p.source()).isEqualTo(folder.toString());
            });
            assertThat(host.extensions(CharSequence.class)).containsExactly("HI");
        });
    }

    @Test
    void reportsAModuleRequirementNobodyProvides() {
        Path lib = PluginJarBuilder.plugin("io.lib").withoutPluginManifest().exports("io.lib")
                .source("io.lib.L", "package io.lib; public final class L { }").buildInto(plugins.getParent()
                        .resolve(plugins.getFileName() + "-build"));
        TestPlugins.hookPlugin("io.x", "").moduleRequires("io.lib").compileAgainst(lib).buildInto(plugins);
        withHost(host -> assertThat(onlyProblem(host, "io.x").message()).isEqualTo("plugin io.x 1.0.0 ("
                + jar("io.x-1.0.0.jar") + "): module-info requires module io.lib, which is neither a plugin, nor in "
                + "the host, nor a jar beside the plugin"));
    }

    @Test
    void givesOneLinePerProblemAndStartsEveryGoodPluginInAFolderFullOfBadOnes(@TempDir Path build) {
        TestPlugins.stepPlugin("io.good.one", "1.0.0").buildInto(plugins);
        TestPlugins.stepPlugin("io.good.two", "1.0.0").buildInto(plugins);
        TestPlugins.hookPlugin("io.missing", "").manifestRequires("io.nowhere", "[1.0,2.0)").buildInto(plugins);
        TestPlugins.hookPlugin("io.future", "").apiRange("[2.0,3.0)").buildInto(plugins);
        TestPlugins.hookPlugin("io.plain", "").withoutModuleInfo().buildInto(plugins);
        TestPlugins.hookPlugin("io.a", "").manifestRequires("io.b", "[1.0,2.0)").buildInto(plugins);
        TestPlugins.hookPlugin("io.b", "").manifestRequires("io.a", "[1.0,2.0)").buildInto(plugins);
        PluginFiles.garbageJar(plugins.resolve("garbage.jar"));
        TestPlugins.hookPlugin("io.thrower", "throw new IllegalStateException(\"boom\");").buildInto(plugins);
        withHost(host -> {
            assertThat(host.plugin("io.good.one").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.plugin("io.good.two").orElseThrow().state()).isEqualTo(ACTIVE);
            assertThat(host.extensions(Step.class)).hasSize(2);
            assertThat(host.report().problems()).hasSize(7).allSatisfy(p -> {
                assertThat(p.severity()).isEqualTo(Severity.ERROR);
                assertThat(p.message()).doesNotContain("\n");
            });
            assertThat(host.plugins()).filteredOn(p -> !p.id().startsWith("io.good"))
                    .allSatisfy(p -> assertThat(p.problems()).hasSize(1));
        });
    }
}
