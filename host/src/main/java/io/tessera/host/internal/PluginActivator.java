package io.tessera.host.internal;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.Scopes;
import com.google.inject.spi.Dependency;
import com.google.inject.spi.InjectionPoint;
import com.google.inject.spi.Message;
import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginContext;
import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.ServiceRegistry;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts and stops one plugin: finds its provider types with {@link ServiceLoader}, instantiates them with a Guice
 * injector of the plugin's own, runs its {@link Plugin} hooks on a thread of their own under a timeout, and
 * publishes its extensions in the registry.
 *
 * <p>The plugin's injector is a child of the host injector in effect, not in Guice's terms: it sees every binding of
 * the host injector through {@link HostBindings}, which delegate to the host's instances (so host singletons stay
 * single). A real {@code createChildInjector} keeps the child's keys in the parent's state (Guice "blacklists" them
 * to forbid parent just-in-time bindings) until some later parent operation purges them, which kept an uninstalled
 * plugin's class loader reachable; see {@code UnloadTest}. Every class of the plugin that Guice constructs is bound
 * explicitly, so the instances of a class that provides several services are one singleton.
 */
final class PluginActivator {

    /** A plugin that did not start; the message says why in a person's words. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        StartFailure(String message, Throwable cause, boolean timedOut) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        boolean timedOut() {
            return timedOut;
        }
    }

    /**
     * A started plugin: what must be undone to stop it.
     *
     * @param context    the context given to its hooks; owns its registrations
     * @param hooks      its {@link Plugin} implementations, in start order
     * @param extensions every instance it provides, by service type (for listings)
     */
    record Activation(DefaultPluginContext context, List<Plugin> hooks, Map<Class<?>, List<Object>> extensions) {
    }

    /** Keys every plugin injector binds itself; an embedder binding of them is not passed on. */
    private static final java.util.Set<Key<?>> PLUGIN_KEYS = java.util.Set.of(Key.get(PluginContext.class),
            Key.get(PluginDescriptor.class), Key.get(ServiceRegistry.class), Key.get(System.Logger.class));

    private final Injector hostInjector;
    private final DefaultServiceRegistry registry;
    private final PluginEvents events;

    PluginActivator(Injector hostInjector, DefaultServiceRegistry registry, PluginEvents events) {
        this.hostInjector = hostInjector;
        this.registry = registry;
        this.events = events;
    }

    /**
     * Starts a plugin: instantiate, call {@link Plugin#start}, then publish extensions.
     *
     * @param label  how messages name the plugin
     * @param layer  the layer the plugin's module is in
     * @param module the plugin's module
     */
    Activation start(String label, PluginDescriptor descriptor, ModuleLayer layer, Module module, Duration timeout)
            throws StartFailure {
        OwnedServiceRegistry owned = new OwnedServiceRegistry(registry, descriptor.id());
        DefaultPluginContext context = new DefaultPluginContext(descriptor, owned, events);
        Activation activation;
        try {
            activation = onOwnThread("tessera-start-" + descriptor.id(), module.getClassLoader(), timeout,
                    () -> instantiateAndStart(label, context, layer, module));
        } catch (TimeoutException e) {
            owned.closeAll();
            throw new StartFailure(label + " did not finish starting within " + human(timeout)
                    + "; it was abandoned", null, true);
        } catch (ExecutionException e) {
            owned.closeAll();
            Throwable cause = e.getCause();
            if (cause instanceof StartFailure sf) {
                throw sf;
            }
            throw new StartFailure(label + " failed in start: " + describe(cause), cause, false);
        }
        for (Map.Entry<Class<?>, List<Object>> e : activation.extensions().entrySet()) {
            for (Object instance : e.getValue()) {
                owned.own(publish(e.getKey(), instance, descriptor.id()));
            }
        }
        return activation;
    }

    /**
     * Stops a plugin: withdraw its extensions and registrations, then call {@link Plugin#stop} in reverse order.
     *
     * @return a description of what went wrong, or {@code null} if it stopped cleanly
     * @throws TimeoutException if a stop hook did not return in time
     */
    String stop(String label, Activation activation, ClassLoader loader, Duration timeout) throws TimeoutException {
        activation.context().ownedServices().closeAll();
        List<Plugin> hooks = new ArrayList<>(activation.hooks());
        java.util.Collections.reverse(hooks);
        try {
            onOwnThread("tessera-stop-" + activation.context().descriptor().id(), loader, timeout, () -> {
                for (Plugin hook : hooks) {
                    hook.stop(activation.context());
                }
                return null;
            });
            return null;
        } catch (ExecutionException e) {
            return label + " failed in stop: " + describe(e.getCause());
        }
    }

    private <T> io.tessera.api.plugin.Subscription publish(Class<T> type, Object instance, String owner) {
        return registry.register(type, type.cast(instance), owner);
    }

    private Activation instantiateAndStart(String label, DefaultPluginContext context, ModuleLayer layer,
                                           Module module) throws Exception {
        Map<Class<?>, List<ServiceLoader.Provider<?>>> providers = findProviders(label, layer, module);
        Set<Class<?>> injectable = new LinkedHashSet<>();
        for (List<ServiceLoader.Provider<?>> list : providers.values()) {
            for (ServiceLoader.Provider<?> p : list) {
                if (constructedByInjector(p.type())) {
                    injectable.add(p.type());
                }
            }
        }
        Set<Class<?>> local = localClosure(injectable, module);
        Injector injector;
        try {
            injector = Guice.createInjector(new HostBindings(hostInjector, PLUGIN_KEYS), new AbstractModule() {
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
        } catch (CreationException e) {
            throw new StartFailure(label + " cannot wire its classes: " + firstMessage(e.getErrorMessages()), e,
                    false);
        }
        Map<Class<?>, Object> byImplementation = new IdentityHashMap<>();
        Map<Class<?>, List<Object>> extensions = new LinkedHashMap<>();
        List<Plugin> hooks = new ArrayList<>();
        for (Map.Entry<Class<?>, List<ServiceLoader.Provider<?>>> e : providers.entrySet()) {
            for (ServiceLoader.Provider<?> p : e.getValue()) {
                Object instance;
                try {
                    instance = injectable.contains(p.type())
                            ? byImplementation.computeIfAbsent(p.type(), injector::getInstance)
                            : createWithFactory(p, injector);
                } catch (ProvisionException | ConfigurationException ex) {
                    throw new StartFailure(label + " cannot create " + p.type().getName() + ": "
                            + firstMessage(ex instanceof ProvisionException pe ? pe.getErrorMessages()
                                    : ((ConfigurationException) ex).getErrorMessages()), ex, false);
                } catch (java.util.ServiceConfigurationError ex) {
                    throw new StartFailure(label + " cannot create " + p.type().getName() + ": "
                            + PluginReader.rootMessage(ex), ex, false);
                }
                if (e.getKey() == Plugin.class) {
                    hooks.add((Plugin) instance);
                } else {
                    extensions.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(instance);
                }
            }
        }
        for (Plugin hook : hooks) {
            hook.start(context);
        }
        return new Activation(context, List.copyOf(hooks), extensions);
    }

    private static Object createWithFactory(ServiceLoader.Provider<?> provider, Injector injector) {
        Object instance = provider.get();
        injector.injectMembers(instance);
        return instance;
    }

    /** The providers of every service the plugin module declares, keyed by service type. */
    private Map<Class<?>, List<ServiceLoader.Provider<?>>> findProviders(String label, ModuleLayer layer,
                                                                       Module module) throws StartFailure {
        Map<Class<?>, List<ServiceLoader.Provider<?>>> result = new LinkedHashMap<>();
        for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
            Class<?> serviceType;
            try {
                serviceType = Class.forName(provides.service(), false, module.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new StartFailure(label + " provides " + provides.service() + ", a type its layer cannot load",
                        e, false);
            }
            // ServiceLoader checks that the caller declares 'uses'; extension points of plugins are only known now
            PluginActivator.class.getModule().addUses(serviceType);
            List<ServiceLoader.Provider<?>> list = new ArrayList<>();
            try {
                ServiceLoader.load(layer, serviceType).stream()
                        .filter(p -> p.type().getModule() == module)
                        .forEach(list::add);
            } catch (java.util.ServiceConfigurationError e) {
                throw new StartFailure(label + " has an unusable provider of " + provides.service() + ": "
                        + PluginReader.rootMessage(e), e, false);
            }
            result.put(serviceType, list);
        }
        return result;
    }

    // Guice builds a type that has an @Inject constructor, or is concrete without a provider() factory
    private static boolean constructedByInjector(Class<?> type) {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            return false;
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.isAnnotationPresent(jakarta.inject.Inject.class)
                    || c.isAnnotationPresent(com.google.inject.Inject.class)) {
                return true;
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals("provider") && m.getParameterCount() == 0 && Modifier.isStatic(m.getModifiers())
                    && Modifier.isPublic(m.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** The provider types plus every concrete class of the plugin module they depend on, transitively. */
    private static Set<Class<?>> localClosure(Collection<Class<?>> roots, Module module) {
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
                // no usable constructor: Guice reports it when the child injector is created
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

    /** Runs a task on a new daemon thread with the plugin's loader as context loader; waits at most {@code timeout}. */
    private static <T> T onOwnThread(String name, ClassLoader loader, Duration timeout,
                                     java.util.concurrent.Callable<T> task)
            throws TimeoutException, ExecutionException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.setContextClassLoader(loader);
        thread.start();
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
            throw new ExecutionException("interrupted while waiting for " + name, e);
        }
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

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
