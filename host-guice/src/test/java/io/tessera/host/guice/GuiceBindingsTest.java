package io.tessera.host.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import io.tessera.api.plugin.PluginState;
import io.tessera.host.Tessera;
import io.tessera.host.TesseraBuilder;
import io.tessera.host.TesseraHost;
import io.tessera.testkit.PluginJarBuilder;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuiceBindingsTest {

    @TempDir
    Path plugins;

    @Test
    void letsPluginsInjectWhatTheEmbedderBinds() {
        PluginJarBuilder.plugin("io.acme.config").source("io.acme.config.Uses", """
                        package io.acme.config;
                        import jakarta.inject.Inject;
                        import java.util.function.Supplier;
                        public final class Uses implements Supplier<String> {
                            private final CharSequence setting;
                            @Inject public Uses(CharSequence setting) { this.setting = setting; }
                            // javac wants a provider method or a no-argument constructor; the host uses @Inject
                            public static Uses provider() { throw new UnsupportedOperationException(); }
                            public String get() { return "setting=" + setting; }
                        }
                        """)
                .provides("java.util.function.Supplier", "io.acme.config.Uses")
                .buildInto(plugins);
        TesseraBuilder builder = Tessera.builder().bootPlugins(false).pluginDirectory(plugins);
        GuiceBindings.install(builder, new AbstractModule() {
            @Override
            protected void configure() {
                bind(CharSequence.class).toInstance("from the embedder");
            }
        });
        try (TesseraHost host = builder.build()) {
            host.start();
            assertThat(host.plugin("io.acme.config").orElseThrow().state()).isEqualTo(PluginState.ACTIVE);
            assertThat(host.extensions(Supplier.class)).extracting(Supplier::get)
                    .containsExactly("setting=from the embedder");
        }
    }

    @Test
    void refusesABuilderThatIsNotTheRuntimes() {
        TesseraBuilder foreign = (TesseraBuilder) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TesseraBuilder.class}, (proxy, method, args) -> null);
        assertThatThrownBy(() -> GuiceBindings.install(foreign, new AbstractModule() { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tessera.builder()");
    }
}
