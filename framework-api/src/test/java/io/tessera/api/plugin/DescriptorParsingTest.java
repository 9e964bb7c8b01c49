package io.tessera.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

class DescriptorParsingTest {

    @Test
    void ordersVersionsBySemanticVersioningRules() {
        assertThat(Version.parse("1.0.0-SNAPSHOT")).isLessThan(Version.parse("1.0.0"));
        assertThat(Version.parse("1.0.0-rc.2")).isLessThan(Version.parse("1.0.0-rc.10"));
        assertThat(Version.parse("1.2")).isEqualTo(Version.of(1, 2, 0));
        assertThat(Version.parse("2.0.0+build.7").sameAs(Version.of(2, 0, 0))).isTrue();
        assertThat(Version.parse("1.10.0")).isGreaterThan(Version.parse("1.9.9"));
    }

    @Test
    void rejectsTextThatIsNotAVersionAndSaysHowToWriteOne() {
        assertThatThrownBy(() -> Version.parse("one.two")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'one.two' is not a semantic version; write MAJOR.MINOR.PATCH, e.g. 1.2.0 or "
                        + "1.2.0-SNAPSHOT");
    }

    @Test
    void readsIntervalRangesInOsgiNotation() {
        VersionRange r = VersionRange.parse("[1.0,2.0)");
        assertThat(r.includes(Version.parse("1.0.0"))).isTrue();
        assertThat(r.includes(Version.parse("1.9.9"))).isTrue();
        assertThat(r.includes(Version.parse("2.0.0"))).isFalse();
        assertThat(VersionRange.parse("(1.0,2.0]").includes(Version.parse("1.0.0"))).isFalse();
        assertThat(VersionRange.parse("(1.0,2.0]").includes(Version.parse("2.0.0"))).isTrue();
        assertThat(VersionRange.parse("[1.2.3]").includes(Version.parse("1.2.3"))).isTrue();
        assertThat(VersionRange.parse("[1.2.3]").includes(Version.parse("1.2.4"))).isFalse();
        assertThat(VersionRange.parse("1.5").includes(Version.parse("7.0.0"))).isTrue();
        assertThat(VersionRange.parse("[1.0,)").includes(Version.parse("0.9.0"))).isFalse();
        assertThat(r).hasToString("[1.0,2.0)");
        assertThat(VersionRange.parse("[1.2.3]")).hasToString("[1.2.3]");
    }

    @Test
    void rejectsEmptyAndMalformedRanges() {
        assertThatThrownBy(() -> VersionRange.parse("[2.0,1.0)")).hasMessageContaining("empty version range");
        assertThatThrownBy(() -> VersionRange.parse("[1.0,2.0")).hasMessageStartingWith("'[1.0,2.0' is not a "
                + "version range; write [1.0,2.0)");
    }

    @Test
    void splitsRequirementsOnCommasOutsideRanges() {
        List<Requirement> rs = Requirement.parseList("io.y;version=\"[2.0,3.0)\", io.z;version=\"[1.0,1.5]\",io.w");
        assertThat(rs).extracting(Requirement::pluginId).containsExactly("io.y", "io.z", "io.w");
        assertThat(rs.get(0).range()).isEqualTo(VersionRange.parse("[2.0,3.0)"));
        assertThat(rs.get(2).range()).isEqualTo(VersionRange.ANY);
        assertThat(rs.get(0)).hasToString("io.y;version=\"[2.0,3.0)\"");
    }

    @Test
    void readsAndWritesTheManifestDescriptor() {
        Manifest m = new Manifest();
        PluginDescriptor d = new PluginDescriptor("io.acme.x", Version.parse("1.2.0"), VersionRange.parse("[1.0,2.0)"),
                Requirement.parseList("io.acme.y;version=\"[2.0,3.0)\""));
        d.writeTo(m);
        assertThat(PluginDescriptor.isPlugin(m)).isTrue();
        assertThat(PluginDescriptor.fromManifest(m)).isEqualTo(d);
    }

    @Test
    void namesTheMissingManifestAttribute() {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue(PluginDescriptor.ID, "io.acme.x");
        m.getMainAttributes().putValue(PluginDescriptor.API_RANGE, "[1.0,2.0)");
        assertThatThrownBy(() -> PluginDescriptor.fromManifest(m)).hasMessage("manifest attribute "
                + "Tessera-Plugin-Version is missing; add Tessera-Plugin-Version: a semantic version, e.g. 1.0.0");
    }

    @Test
    void takesIdentityFromModuleInfoAndOnlyRangesFromTheManifest() {
        PluginDescriptor d = new PluginDescriptor("io.acme.x", Version.parse("1.2.0"), VersionRange.parse("[1.0,2.0)"),
                Requirement.parseList("io.acme.y;version=\"[2.0,3.0)\""));
        Manifest m = new Manifest();
        d.writeRangesTo(m);
        assertThat(PluginDescriptor.isPlugin(m)).isTrue();
        assertThat(PluginDescriptor.isLegacy(m)).isFalse();
        java.lang.module.ModuleDescriptor module = java.lang.module.ModuleDescriptor.newModule("io.acme.x")
                .version("1.2.0").requires("io.acme.y").build();
        assertThat(PluginDescriptor.fromModule(module, m)).isEqualTo(d);

        Manifest legacy = new Manifest();
        d.writeTo(legacy);
        assertThat(PluginDescriptor.isLegacy(legacy)).isTrue();
    }

    @Test
    void saysHowToGiveAModuleWithoutVersionOne() {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue(PluginDescriptor.API_RANGE, "[1.0,2.0)");
        java.lang.module.ModuleDescriptor module = java.lang.module.ModuleDescriptor.newModule("io.acme.x").build();
        assertThatThrownBy(() -> PluginDescriptor.fromModule(module, m)).hasMessageStartingWith(
                "module io.acme.x has no version; compile it with javac --module-version");
    }
}
