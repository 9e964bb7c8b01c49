package io.tessera.example.hello;

import io.tessera.api.plugin.PluginDescriptor;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Composes greetings; one instance per plugin, injected wherever the plugin needs it. */
@Singleton
public final class Greeter {

    private final String signature;

    /** The host injects the plugin's own descriptor. */
    @Inject
    public Greeter(PluginDescriptor descriptor) {
        this("(" + descriptor.id() + " " + descriptor.version() + ")");
    }

    Greeter(String signature) {
        this.signature = signature;
    }

    /** {@code greeting, name!} repeated {@code times} times, then the signature. */
    public String greet(String greeting, String name, int times) {
        String one = greeting + ", " + name + "!";
        return (one + " ").repeat(times) + signature;
    }
}
