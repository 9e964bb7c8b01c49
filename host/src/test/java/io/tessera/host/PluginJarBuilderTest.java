package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.PluginJarBuilder;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarBuilderTest {

    @TempDir
    Path dir;

    @Test
    void buildsAModularJarWithThePluginManifest() throws Exception {
        Path jar = PluginJarBuilder.plugin("io.acme.x").version("1.2.0").moduleVersion("1.2.0")
                .manifestRequires("io.acme.y", "[2.0,3.0)")
                .source("io.acme.x.Hooks", """
                        package io.acme.x;
                        public final class Hooks implements io.tessera.api.plugin.Plugin { }
                        """)
                .provides("io.tessera.api.plugin.Plugin", "io.acme.x.Hooks")
                .buildInto(dir);

        assertThat(jar).hasFileName("io.acme.x-1.2.0.jar");
        Manifest m;
        try (JarFile jf = new JarFile(jar.toFile())) {
            m = jf.getManifest();
            assertThat(jf.getEntry("META-INF/services/io.tessera.api.plugin.Plugin")).isNotNull();
        }
        // module-info is the identity: the manifest keeps only the ranges
        assertThat(m.getMainAttributes().getValue("Tessera-Plugin-Id")).isNull();
        assertThat(m.getMainAttributes().getValue("Tessera-Plugin-Version")).isNull();
        assertThat(m.getMainAttributes().getValue("Tessera-Api")).isEqualTo("[1.0,2.0)");
        assertThat(m.getMainAttributes().getValue("Tessera-Requires")).isEqualTo("io.acme.y;version=\"[2.0,3.0)\"");
        ModuleDescriptor md = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        assertThat(md.name()).isEqualTo("io.acme.x");
        assertThat(md.rawVersion()).contains("1.2.0");
        assertThat(md.provides()).singleElement().satisfies(p ->
                assertThat(p.providers()).containsExactly("io.acme.x.Hooks"));
    }

    @Test
    void buildsANonModularJarOnRequest() {
        Path jar = PluginJarBuilder.plugin("io.acme.plain")
                .source("io.acme.plain.A", "package io.acme.plain; public final class A { }")
                .withoutModuleInfo().buildInto(dir);
        assertThat(ModuleFinder.of(jar).findAll().iterator().next().descriptor().isAutomatic()).isTrue();
    }

    @Test
    void reportsCompileErrorsWithTheGeneratedModuleInfo() {
        assertThatThrownBy(() -> PluginJarBuilder.plugin("io.acme.bad")
                .source("io.acme.bad.A", "package io.acme.bad; class A { int x = \"no\"; }").buildInto(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("plugin io.acme.bad does not compile")
                .hasMessageContaining("module io.acme.bad {");
    }
}
