package io.tessera.host.internal;

import com.google.inject.Injector;
import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.Plugin;
import io.tessera.api.plugin.PluginDescriptor;
import java.lang.annotation.Annotation;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Starts and stops one plugin: finds its provider types with {@link ServiceLoader}, instantiates them, runs its
 * {@link Plugin} hooks off the host's thread under a timeout ({@link HookRunner}), and publishes its extensions in the
 * registry.
 *
 * <p>Guice constructs the provider types that have an {@code @Inject} constructor, or that are concrete and have no
 * {@code provider()} factory, in an injector of the plugin's own that also sees the host's bindings (see
 * {@link GuiceWiring}). When none of a plugin's provider types asks for injection (no {@code @Inject} constructor,
 * field or method anywhere in its class hierarchy, no Guice annotation or custom scope on the class), that injector
 * would do nothing but call the public no-arg constructors that {@link ServiceLoader} already checked, so the host
 * skips it and calls them through {@link ServiceLoader.Provider#get()}: same instances (one per class), same order,
 * no Guice. Such plugins also keep their packages closed: they are opened to Guice only when Guice needs them.
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

    /** The host injector of the embedder's modules; {@code null} when there are none (it would bind nothing). */
    private final Injector hostInjector;
    private final DefaultServiceRegistry registry;
    private final PluginEvents events;
    private final PluginCallbacks callbacks;
    private final HookRunner runner = new HookRunner();

    PluginActivator(Injector hostInjector, DefaultServiceRegistry registry, PluginEvents events,
                    PluginCallbacks callbacks) {
        this.hostInjector = hostInjector;
        this.registry = registry;
        this.events = events;
        this.callbacks = callbacks;
    }

    /**
     * Starts a plugin: instantiate, call {@link Plugin#start}, then publish extensions.
     *
     * @param label  how messages name the plugin
     * @param layer  the layer the plugin's module is in
     * @param module the plugin's module
     * @param access the plugin's own layer, which can open its packages to Guice; {@code null} for a boot plugin
     */
    Activation start(String label, PluginDescriptor descriptor, ModuleLayer layer, Module module, PluginLayer access,
                     Duration timeout) throws StartFailure {
        OwnedServiceRegistry owned = new OwnedServiceRegistry(registry, descriptor.id(), callbacks);
        DefaultPluginContext context = new DefaultPluginContext(descriptor, owned, events);
        // what the plugin's code is doing, so that a timeout can say where it hung
        java.util.concurrent.atomic.AtomicReference<String> doing = new java.util.concurrent.atomic.AtomicReference<>(
                "instantiating its classes");
        Activation activation;
        try {
            activation = runner.run("tessera-start-" + descriptor.id(), module.getClassLoader(), timeout,
                    new java.util.concurrent.Callable<Activation>() {
                        @Override
                        public Activation call() throws Exception {
                            return instantiateAndStart(label, context, layer, module, access, doing);
                        }
                    });
        } catch (TimeoutException e) {
            owned.closeAll();
            throw new StartFailure(label + " did not finish starting within " + human(timeout)
                    + " (it was " + doing.get() + "); it was abandoned and everything it registered was withdrawn",
                    null, true);
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
     * Ends the current lifecycle pass: the thread that ran the pass's plugin code ends (see {@link HookRunner}).
     * Called by the host at the end of every start, refresh and close.
     */
    void endPass() {
        runner.endPass();
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
            runner.run("tessera-stop-" + activation.context().descriptor().id(), loader, timeout, () -> {
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

    /** The plugin's injector, created on first need; see {@link GuiceWiring}. */
    private final class Wiring {
        private final String label;
        private final DefaultPluginContext context;
        private final Module module;
        private final PluginLayer access;
        private final Set<Class<?>> injectable;
        private Injector injector;

        Wiring(String label, DefaultPluginContext context, Module module, PluginLayer access,
               Set<Class<?>> injectable) {
            this.label = label;
            this.context = context;
            this.module = module;
            this.access = access;
            this.injectable = injectable;
        }

        Injector injector() throws StartFailure {
            if (injector == null) {
                // Guice reflects on plugin classes from its own module; its generated "fast classes" are hidden
                // nestmates in the plugin's module (which is why the host requires jdk.unsupported), so opening the
                // plugin's packages to Guice is all it needs
                if (access != null) {
                    access.openTo(GuiceWiring.guiceModule());
                }
                injector = GuiceWiring.pluginInjector(label, hostInjector, context, injectable, module);
            }
            return injector;
        }

        boolean created() {
            return injector != null;
        }
    }

    private Activation instantiateAndStart(String label, DefaultPluginContext context, ModuleLayer layer,
                                           Module module, PluginLayer access,
                                           java.util.concurrent.atomic.AtomicReference<String> doing)
            throws Exception {
        Map<Class<?>, List<ServiceLoader.Provider<?>>> providers = findProviders(label, layer, module);
        Set<Class<?>> injectable = new LinkedHashSet<>();
        boolean injects = false;
        for (List<ServiceLoader.Provider<?>> list : providers.values()) {
            for (ServiceLoader.Provider<?> p : list) {
                if (constructedByInjector(p.type())) {
                    injectable.add(p.type());
                    injects |= needsInjector(p.type());
                }
            }
        }
        Wiring wiring = new Wiring(label, context, module, access, injectable);
        if (injects) {
            // created before any instance, so that a wiring error stops the plugin before any of its code runs
            wiring.injector();
        }
        Map<Class<?>, Object> byImplementation = new IdentityHashMap<>();
        Map<Class<?>, List<Object>> extensions = new LinkedHashMap<>();
        List<Plugin> hooks = new ArrayList<>();
        for (Map.Entry<Class<?>, List<ServiceLoader.Provider<?>>> e : providers.entrySet()) {
            for (ServiceLoader.Provider<?> p : e.getValue()) {
                Object instance;
                if (injectable.contains(p.type())) {
                    instance = byImplementation.get(p.type());
                    if (instance == null) {
                        instance = wiring.created() ? GuiceWiring.instance(label, wiring.injector(), p.type())
                                : create(label, p);
                        byImplementation.put(p.type(), instance);
                    }
                } else {
                    instance = create(label, p);
                    // a provider() factory may return a subclass; its @Inject members are injected as before
                    if (wiring.created() || hasInjectableMembers(instance.getClass())) {
                        GuiceWiring.injectMembers(label, wiring.injector(), p.type(), instance);
                    }
                }
                if (e.getKey() == Plugin.class) {
                    hooks.add((Plugin) instance);
                } else {
                    List<Object> instances = extensions.get(e.getKey());
                    if (instances == null) {
                        instances = new ArrayList<>(1);
                        extensions.put(e.getKey(), instances);
                    }
                    instances.add(instance);
                }
            }
        }
        for (Object step : extensions.getOrDefault(Step.class, List.of())) {
            StepConfigAccess.grant(label, (Step<?>) step, module, access);
        }
        for (Plugin hook : hooks) {
            doing.set("running " + hook.getClass().getName() + ".start");
            hook.start(context);
        }
        for (Object step : extensions.getOrDefault(Step.class, List.of())) {
            probeStep(label, (Step<?>) step, doing);
        }
        return new Activation(context, List.copyOf(hooks), extensions.isEmpty() ? Map.of() : extensions);
    }

    /**
     * Asks a step for its metadata once, here, under the start timeout: the pipelines library, {@code tessera steps}
     * and {@code tessera validate} ask every step of the registry for it on the host's thread, so a step whose
     * {@code name()} loops or whose {@code outputs()} throws must not get there (docs/security.md). The plugin fails
     * to start with a problem naming the step and the method.
     */
    private static void probeStep(String label, Step<?> step, java.util.concurrent.atomic.AtomicReference<String> doing)
            throws StartFailure {
        String type = step.getClass().getName();
        String method = "name()";
        try {
            doing.set("calling name() of its step " + type);
            String name = step.name();
            if (name == null || name.isBlank()) {
                throw new StartFailure(label + ": its step " + type + " has no name (name() returned "
                        + (name == null ? "null" : "a blank string") + ")", null, false);
            }
            method = "description()";
            doing.set("calling description() of its step " + name);
            step.description();
            method = "configType()";
            doing.set("calling configType() of its step " + name);
            Objects.requireNonNull(step.configType(), "configType() returned null");
            method = "defaultConfig()";
            doing.set("calling defaultConfig() of its step " + name);
            step.defaultConfig();
            method = "inputs()";
            doing.set("calling inputs() of its step " + name);
            Objects.requireNonNull(step.inputs(), "inputs() returned null");
            method = "outputs()";
            doing.set("calling outputs() of its step " + name);
            Objects.requireNonNull(step.outputs(), "outputs() returned null");
            doing.set("publishing its extensions");
        } catch (StartFailure f) {
            throw f;
        } catch (Throwable t) {
            PluginCallbacks.rethrowIfFatal(t);
            throw new StartFailure(label + ": its step " + type + " failed in " + method + ": " + describe(t), t,
                    false);
        }
    }

    /** An instance from the provider: its public no-arg constructor or its {@code provider()} factory. */
    private static Object create(String label, ServiceLoader.Provider<?> provider) throws StartFailure {
        try {
            return provider.get();
        } catch (ServiceConfigurationError ex) {
            throw new StartFailure(label + " cannot create " + provider.type().getName() + ": "
                    + PluginReader.rootMessage(ex), ex, false);
        }
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
            // the layer's own providers come before those of its parent layers: stop once the module's are all found,
            // so that the provider classes of the boot layer and of required plugins are not looked at again
            int declared = provides.providers().size();
            List<ServiceLoader.Provider<?>> list = new ArrayList<>(declared);
            try {
                Iterator<? extends ServiceLoader.Provider<?>> it = ServiceLoader.load(layer, serviceType).stream()
                        .iterator();
                while (list.size() < declared && it.hasNext()) {
                    ServiceLoader.Provider<?> p = it.next();
                    if (p.type().getModule() == module) {
                        list.add(p);
                    }
                }
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
            if (annotatedInject(c)) {
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

    /**
     * Whether Guice would do more for this type than call its no-arg constructor: an {@code @Inject} constructor,
     * field or method, a Guice annotation ({@code @ProvidedBy}, {@code @ImplementedBy}...) or a scope other than
     * singleton on the class. Annotations are compared by name, so that asking loads no Guice class.
     */
    static boolean needsInjector(Class<?> type) {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (annotatedInject(c)) {
                return true;
            }
        }
        for (Annotation a : type.getAnnotations()) {
            String name = a.annotationType().getName();
            if (name.equals("jakarta.inject.Singleton") || name.equals("com.google.inject.Singleton")) {
                continue;
            }
            if (name.startsWith("com.google.inject.")) {
                return true;
            }
            for (Annotation meta : a.annotationType().getDeclaredAnnotations()) {
                String metaName = meta.annotationType().getName();
                if (metaName.equals("jakarta.inject.Scope") || metaName.equals("com.google.inject.ScopeAnnotation")) {
                    return true;
                }
            }
        }
        return hasInjectableMembers(type);
    }

    /** Whether the type or a superclass has an {@code @Inject} field or method. */
    static boolean hasInjectableMembers(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (annotatedInject(f)) {
                    return true;
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (annotatedInject(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean annotatedInject(AccessibleObject member) {
        for (Annotation a : member.getDeclaredAnnotations()) {
            String name = a.annotationType().getName();
            if (name.equals("jakarta.inject.Inject") || name.equals("com.google.inject.Inject")) {
                return true;
            }
        }
        return false;
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
