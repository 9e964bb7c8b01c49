package io.tessera.host.internal;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Scopes;
import com.google.inject.spi.Dependency;
import com.google.inject.spi.InjectionPoint;
import com.google.inject.spi.Message;
import io.tessera.api.plugin.PluginContext;
import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.ServiceRegistry;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the host does with Guice, in one class that the JVM loads only when some injection is needed: the host
 * injector of the embedder's modules, and a plugin's injector. A host with no embedder modules whose plugins inject
 * nothing never loads a Guice class (Guice's cold start, about 100 ms, and its per-plugin injector, several KB of
 * heap, are then not paid at all; see {@link PluginActivator}).
 *
 * <p>A plugin's injector is a child of the host injector in effect, not in Guice's terms: it sees every binding of the
 * host injector through {@link HostBindings}, which delegate to the host's instances (so host singletons stay
 * single). A real {@code createChildInjector} keeps the child's keys in the parent's state (Guice "blacklists" them to
 * forbid parent just-in-time bindings) until some later parent operation purges them, which kept an uninstalled
 * plugin's class loader reachable; see {@code UnloadTest}. Every class of the plugin that Guice constructs is bound
 * explicitly, so the instances of a class that provides several services are one singleton.
 */
final class GuiceWiring {

    /** Keys every plugin injector binds itself; an embedder binding of them is not passed on. */
    private static final Set<Key<?>> PLUGIN_KEYS = Set.of(Key.get(PluginContext.class),
            Key.get(PluginDescriptor.class), Key.get(ServiceRegistry.class), Key.get(System.Logger.class));

    private GuiceWiring() {
    }

    /**
     * The injector of the embedder's modules.
     *
     * @throws IllegalStateException if the modules are invalid
     */
    static Injector hostInjector(List<Module> modules) {
        try {
            return Guice.createInjector(modules);
        } catch (CreationException e) {
            throw new IllegalStateException("the Guice modules given to GuiceBindings.install(...) are invalid: "
                    + e.getMessage(), e);
        }
    }

    /** Guice's module, to which a plugin opens its packages before Guice constructs its classes. */
    static java.lang.Module guiceModule() {
        return Injector.class.getModule();
    }

    /**
     * A plugin's injector: the host's bindings (if there is a host injector), the plugin's own context, descriptor,
     * registry and logger, and its classes that Guice constructs together with every concrete class of the plugin
     * module they depend on.
     *
     * @param host       the host injector, or {@code null} when the embedder gave no modules (it would bind nothing)
     * @param injectable the provider types Guice constructs; bound as singletons
     */
    static Injector pluginInjector(String label, Injector host, DefaultPluginContext context,
                                   Set<Class<?>> injectable, java.lang.Module module)
            throws PluginActivator.StartFailure {
        Set<Class<?>> local = localClosure(injectable, module);
        List<Module> modules = new ArrayList<>(2);
        if (host != null) {
            modules.add(new HostBindings(host, PLUGIN_KEYS));
        }
        modules.add(new AbstractModule() {
            @Override
            protected void configure() {
                bind(PluginContext.class).toInstance(context);
                bind(PluginDescriptor.class).toInstance(context.descriptor());
                bind(ServiceRegistry.class).toInstance(context.services());
                bind(System.Logger.class).toInstance(context.logger());
                for (Class<?> type : local) {
                    if (injectable.contains(type)) {
                        bind(type).in(Scopes.SINGLETON);
                    } else {
                        bind(type);
                    }
                }
            }
        });
        try {
            return Guice.createInjector(modules);
        } catch (CreationException e) {
            throw new PluginActivator.StartFailure(label + " cannot wire its classes: "
                    + firstMessage(e.getErrorMessages()), e, false);
        }
    }

    /** The injector's (singleton) instance of a provider type. */
    static Object instance(String label, Injector injector, Class<?> type) throws PluginActivator.StartFailure {
        try {
            return injector.getInstance(type);
        } catch (ProvisionException e) {
            throw cannotCreate(label, type, e, e.getErrorMessages());
        } catch (ConfigurationException e) {
            throw cannotCreate(label, type, e, e.getErrorMessages());
        }
    }

    /** Injects the {@code @Inject} fields and methods of an instance a provider factory made. */
    static void injectMembers(String label, Injector injector, Class<?> type, Object instance)
            throws PluginActivator.StartFailure {
        try {
            injector.injectMembers(instance);
        } catch (ProvisionException e) {
            throw cannotCreate(label, type, e, e.getErrorMessages());
        } catch (ConfigurationException e) {
            throw cannotCreate(label, type, e, e.getErrorMessages());
        }
    }

    private static PluginActivator.StartFailure cannotCreate(String label, Class<?> type, RuntimeException e,
                                                             Collection<Message> messages) {
        return new PluginActivator.StartFailure(label + " cannot create " + type.getName() + ": "
                + firstMessage(messages), e, false);
    }

    /** The provider types plus every concrete class of the plugin module they depend on, transitively. */
    private static Set<Class<?>> localClosure(Collection<Class<?>> roots, java.lang.Module module) {
        Set<Class<?>> result = new LinkedHashSet<>();
        Deque<Class<?>> work = new ArrayDeque<>(roots);
        while (!work.isEmpty()) {
            Class<?> type = work.poll();
            if (!result.add(type)) {
                continue;
            }
            List<Dependency<?>> deps = new ArrayList<>();
            try {
                deps.addAll(InjectionPoint.forConstructorOf(type).getDependencies());
            } catch (ConfigurationException e) {
                // no usable constructor: Guice reports it when the plugin injector is created
            }
            try {
                for (InjectionPoint ip : InjectionPoint.forInstanceMethodsAndFields(type)) {
                    deps.addAll(ip.getDependencies());
                }
            } catch (ConfigurationException e) {
                // reported by Guice at creation
            }
            for (Dependency<?> d : deps) {
                if (d.getKey().getAnnotationType() != null) {
                    continue;
                }
                Class<?> raw = rawTarget(d.getKey().getTypeLiteral().getType());
                if (raw != null && raw.getModule() == module && !raw.isInterface()
                        && !Modifier.isAbstract(raw.getModifiers()) && !raw.isPrimitive() && !raw.isArray()) {
                    work.add(raw);
                }
            }
        }
        return result;
    }

    // Provider<X> and jakarta.inject.Provider<X> depend on X
    private static Class<?> rawTarget(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
            if ((raw == jakarta.inject.Provider.class || raw == com.google.inject.Provider.class)
                    && pt.getActualTypeArguments().length == 1) {
                return rawTarget(pt.getActualTypeArguments()[0]);
            }
            return raw;
        }
        return null;
    }

    private static String firstMessage(Collection<Message> messages) {
        if (messages.isEmpty()) {
            return "unknown injection error";
        }
        Message m = messages.iterator().next();
        String text = m.getMessage().strip();
        int nl = text.indexOf('\n');
        return nl > 0 ? text.substring(0, nl).strip() : text;
    }
}
