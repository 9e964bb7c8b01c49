package io.tessera.host.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import java.util.Map;
import java.util.Set;

/**
 * Makes the explicit bindings of the host injector available in a plugin's injector, each through a provider that
 * asks the host injector, so scopes (host singletons) are the host's. Guice's own keys ({@link Injector},
 * * {@link Stage}, {@code java.util.logging.Logger}) and the keys the plugin injector binds itself are left out.
 */
final class HostBindings extends AbstractModule {

    private final Injector host;
    private final Set<Key<?>> excluded;

    HostBindings(Injector host, Set<Key<?>> excluded) {
        this.host = host;
        this.excluded = excluded;
    }

    @Override
    protected void configure() {
        for (Map.Entry<Key<?>, Binding<?>> e : host.getBindings().entrySet()) {
            Key<?> key = e.getKey();
            Class<?> raw = key.getTypeLiteral().getRawType();
            if (raw == Injector.class || raw == Stage.class || raw.getName().equals("java.util.logging.Logger")
                    || excluded.contains(key)) {
                continue;
            }
            bridge(key);
        }
    }

    private <T> void bridge(Key<T> key) {
        bind(key).toProvider(host.getProvider(key));
    }
}
