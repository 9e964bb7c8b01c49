package io.tessera.host.guice;

import com.google.inject.Module;
import io.tessera.host.TesseraBuilder;
import io.tessera.host.internal.DefaultTesseraBuilder;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Adds the embedding application's Guice bindings to a host: plugins can inject what the modules bind (host
 * singletons stay single; a plugin's own context, descriptor, registry and logger are not overridden).
 *
 * <pre>{@code
 * TesseraBuilder builder = Tessera.builder().pluginDirectory(Path.of("plugins"));
 * GuiceBindings.install(builder, new AbstractModule() {
 *     protected void configure() { bind(Clock.class).toInstance(Clock.systemUTC()); }
 * });
 * try (TesseraHost host = builder.build()) { host.start(); }
 * }</pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GuiceBindings {

    private GuiceBindings() {
    }

    /**
     * Adds {@code modules} to {@code builder}; repeatable. Invalid modules make {@link TesseraBuilder#build()}'s host
     * fail to start with Guice's first error.
     *
     * @return {@code builder}
     * @throws IllegalArgumentException if {@code builder} is not one from {@code Tessera.builder()}
     */
    public static TesseraBuilder install(TesseraBuilder builder, Module... modules) {
        Objects.requireNonNull(builder, "builder");
        if (!(builder instanceof DefaultTesseraBuilder host)) {
            throw new IllegalArgumentException("not a builder from Tessera.builder(): " + builder.getClass().getName());
        }
        for (Module module : modules) {
            host.module(module);
        }
        return builder;
    }
}
