package io.tessera.host;

import io.tessera.api.plugin.ServiceReference;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Chooses the tensor backend, deterministically and offline (ARCHITECTURE §3): the backend named by the user
 * ({@code --backend}, {@code TESSERA_BACKEND}, or an embedder's explicit name), otherwise the highest-priority available
 * provider, otherwise an error that lists every provider found and why each is unavailable. A named backend that
 * exists but cannot run here is an error too: only {@code auto} falls back to another backend.
 *
 * <p>A selection is a snapshot: it asks every provider once for its name, priority, capabilities and availability,
 * and keeps the answers. A provider that throws while being created or asked is listed as unavailable with the error,
 * so one broken backend jar never hides the others.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class BackendSelection {

    /** Highest priority first; ties broken by name and then origin so the choice never depends on discovery order. */
    private static final Comparator<Entry> SELECTION_ORDER = Comparator
            .comparingInt((Entry e) -> e.candidate().priority()).reversed()
            .thenComparing(e -> e.candidate().name())
            .thenComparing(e -> e.candidate().origin());

    private final List<Entry> entries;
    private final List<String> warnings;

    private BackendSelection(List<Entry> discovered) {
        List<String> found = new ArrayList<>();
        List<Entry> entries = refuseDuplicateNames(discovered, found);
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(SELECTION_ORDER);
        this.entries = List.copyOf(sorted);
        this.warnings = List.copyOf(found);
    }

    /**
     * A backend name names one backend: of several providers with the same name (ignoring case), the one of the
     * application (module path or class path) is kept over a plugin's, otherwise the first found; every other one is
     * listed as unavailable with the reason, and a warning names both. So a plugin cannot take over {@code cpu} by
     * announcing a higher priority (docs/security.md).
     */
    private static List<Entry> refuseDuplicateNames(List<Entry> discovered, List<String> warnings) {
        java.util.Map<String, Entry> keeper = new java.util.LinkedHashMap<>();
        for (Entry e : discovered) {
            if (e.provider() == null) {
                continue;
            }
            String key = e.candidate().name().toLowerCase(Locale.ROOT);
            Entry k = keeper.get(key);
            if (k == null || (fromPlugin(k) && !fromPlugin(e))) {
                keeper.put(key, e);
            }
        }
        List<Entry> result = new ArrayList<>(discovered.size());
        for (Entry e : discovered) {
            Entry k = e.provider() == null ? null : keeper.get(e.candidate().name().toLowerCase(Locale.ROOT));
            if (k == null || k == e) {
                result.add(e);
                continue;
            }
            BackendCandidate c = e.candidate();
            warnings.add("two tensor backends are named '" + c.name() + "': " + k.candidate().origin() + " and "
                    + c.origin() + "; the one of " + k.candidate().origin() + " is used and the one of " + c.origin()
                    + " is refused (rename it)");
            result.add(new Entry(new BackendCandidate(c.name(), c.priority(), false, "refused: the name '" + c.name()
                    + "' is already taken by the backend of " + k.candidate().origin() + "; give this backend a name "
                    + "of its own", c.capabilities(), c.origin()), null));
        }
        return result;
    }

    private static boolean fromPlugin(Entry e) {
        return e.candidate().origin().startsWith("plugin ");
    }

    /** Warnings about the providers found, e.g. two backends with one name (the second refused); may be empty. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * A selection among the given providers (their origin is their module name, or {@code class path}); an instance
     * given twice is listed once.
     */
    public static BackendSelection of(Collection<? extends TensorBackendProvider> providers) {
        Discovery discovery = new Discovery();
        Set<TensorBackendProvider> added = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TensorBackendProvider provider : providers) {
            if (added.add(provider)) {
                discovery.describe(provider, originOf(provider.getClass()));
            }
        }
        return new BackendSelection(discovery.entries);
    }

    /**
     * The providers visible to {@code loader} through {@link ServiceLoader}: named modules of its layers (the boot
     * layer for the application class loader) and {@code META-INF/services} entries on its class path.
     */
    public static BackendSelection discover(ClassLoader loader) {
        Discovery discovery = new Discovery();
        discovery.addServiceLoader(loader);
        return new BackendSelection(discovery.entries);
    }

    /**
     * The providers visible to {@code loader} (see {@link #discover(ClassLoader)}) plus those that active plugins
     * contributed to {@code registry}. A provider class found both ways is listed once.
     */
    public static BackendSelection discover(ClassLoader loader, ServiceRegistry registry) {
        Discovery discovery = new Discovery();
        discovery.addServiceLoader(loader);
        for (ServiceReference<TensorBackendProvider> reference : registry.references(TensorBackendProvider.class)) {
            String origin = "host".equals(reference.pluginId())
                    ? originOf(reference.service().getClass())
                    : "plugin " + reference.pluginId();
            discovery.add(reference.service(), origin);
        }
        return new BackendSelection(discovery.entries);
    }

    /**
     * The providers of the boot layer and class path (through the application class loader) plus those contributed
     * by the started plugins of {@code host}.
     */
    public static BackendSelection discover(TesseraHost host) {
        return discover(ClassLoader.getSystemClassLoader(), host.services());
    }

    /** Every provider found, in selection order: highest priority first, then by name. */
    public List<BackendCandidate> candidates() {
        return entries.stream().map(Entry::candidate).toList();
    }

    /**
     * Selects the backend for {@code request}.
     *
     * @throws BackendSelectionException when the named backend is unknown ({@link BackendSelectionException.Kind#UNKNOWN_NAME})
     *                                   or unavailable, or when {@code auto} finds nothing available; the message lists
     *                                   every provider and why it was not usable
     */
    public Choice select(BackendRequest request) {
        Objects.requireNonNull(request, "request");
        if (request.isAuto()) {
            List<String> skipped = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.candidate().available()) {
                    return new Choice(entry.candidate(), entry.provider(), "the highest-priority available backend of "
                            + entries.size() + " found" + (request.origin().equals("default") ? ""
                            : " (" + request.origin() + " asked for " + BackendRequest.AUTO + ")")
                            + (skipped.isEmpty() ? "" : "; passed over: " + String.join("; ", skipped)));
                }
                // a higher-priority backend that cannot run here: the choice says why it fell back
                skipped.add(entry.candidate().name() + " (priority " + entry.candidate().priority()
                        + ") is unavailable: " + entry.candidate().reason());
            }
            String message = entries.isEmpty()
                    ? "no tensor backend was found: put a backend module such as tessera-backend-cpu on the module"
                    + " path or class path, or its plugin jar into a plugin directory"
                    : "no tensor backend is available on this machine; found:" + listing()
                    + "\nfix one of the reasons above, or name a backend with --backend or "
                    + BackendRequest.ENVIRONMENT_VARIABLE;
            throw new BackendSelectionException(BackendSelectionException.Kind.NONE_AVAILABLE, message, candidates());
        }
        List<Entry> named = entries.stream().filter(e -> e.candidate().name().toLowerCase(Locale.ROOT).equals(request.name())).toList();
        if (named.isEmpty()) {
            String known = entries.stream().map(e -> e.candidate().name()).distinct()
                    .collect(Collectors.joining(", "));
            throw new BackendSelectionException(BackendSelectionException.Kind.UNKNOWN_NAME,
                    "unknown backend '" + request.name() + "' (from " + request.origin() + "); "
                            + (known.isEmpty() ? "no backend was found at all" : "known backends: " + known
                            + ", or " + BackendRequest.AUTO + " for the highest-priority available one")
                            + missingDependencyHint(request.name()),
                    candidates());
        }
        for (Entry entry : named) {
            if (entry.candidate().available()) {
                return new Choice(entry.candidate(), entry.provider(), "named by " + request.origin());
            }
        }
        String others = entries.stream().filter(e -> e.candidate().available())
                .map(e -> e.candidate().name()).distinct().collect(Collectors.joining(", "));
        throw new BackendSelectionException(BackendSelectionException.Kind.UNAVAILABLE,
                "backend '" + request.name() + "' (from " + request.origin() + ") is not available here:"
                        + named.stream().map(e -> "\n  - " + e.candidate().describe()).collect(Collectors.joining())
                        + (others.isEmpty() ? "\nno other backend is available either" + listing()
                        : "\navailable instead: " + others + " (use --backend " + BackendRequest.AUTO
                        + " to take the best available one)"),
                candidates());
    }

    private String listing() {
        return entries.stream().map(e -> "\n  - " + e.candidate().describe()).collect(Collectors.joining());
    }

    private static String originOf(Class<?> type) {
        Module module = type.getModule();
        return module.isNamed() ? module.getName() : "class path";
    }

    /**
     * The selected backend.
     *
     * @param candidate what the provider said about itself
     * @param provider  the provider; call {@link TensorBackendProvider#create()} to get a backend
     * @param why       why it was chosen, in words: {@code named by --backend}, or the highest-priority available
     */
    public record Choice(BackendCandidate candidate, TensorBackendProvider provider, String why) {
        public Choice {
            Objects.requireNonNull(candidate, "candidate");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(why, "why");
        }
    }

    /** A candidate and its provider; the provider is {@code null} when it could not be created. */
    private record Entry(BackendCandidate candidate, TensorBackendProvider provider) {
    }

    /** Collects entries, listing each provider class once. */
    private static final class Discovery {
        private static final int MAX_CONSECUTIVE_ERRORS = 100;

        private final List<Entry> entries = new ArrayList<>();
        private final Set<Class<?>> seen = new HashSet<>();

        void addServiceLoader(ClassLoader loader) {
            Module self = BackendSelection.class.getModule();
            if (self.isNamed() && !self.canUse(TensorBackendProvider.class)) {
                self.addUses(TensorBackendProvider.class);
            }
            Iterator<ServiceLoader.Provider<TensorBackendProvider>> providers =
                    ServiceLoader.load(TensorBackendProvider.class, loader).stream().iterator();
            int consecutiveErrors = 0;
            while (consecutiveErrors < MAX_CONSECUTIVE_ERRORS) {
                ServiceLoader.Provider<TensorBackendProvider> provider;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    provider = providers.next();
                    consecutiveErrors = 0;
                } catch (ServiceConfigurationError e) {
                    // A malformed META-INF/services entry or a provider class that does not load.
                    consecutiveErrors++;
                    entries.add(new Entry(new BackendCandidate("(unloadable)", 0, false,
                            "its service declaration is broken: " + messageOf(e), Set.of(), "class path"), null));
                    continue;
                }
                Class<? extends TensorBackendProvider> type = provider.type();
                if (!seen.add(type)) {
                    continue;
                }
                TensorBackendProvider instance;
                try {
                    instance = provider.get();
                } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    entries.add(new Entry(new BackendCandidate(type.getSimpleName(), 0, false,
                            "its provider " + type.getName() + " could not be created: " + messageOf(e), Set.of(),
                            originOf(type)), null));
                    continue;
                }
                describe(instance, originOf(type));
            }
        }

        void add(TensorBackendProvider provider, String origin) {
            if (seen.add(provider.getClass())) {
                describe(provider, origin);
            }
        }

        void describe(TensorBackendProvider provider, String origin) {
            String name;
            int priority;
            Set<String> capabilities;
            try {
                name = Objects.requireNonNull(provider.name(), "name()");
                priority = provider.priority();
                capabilities = Objects.requireNonNullElse(provider.capabilities(), Set.of());
            } catch (RuntimeException | LinkageError e) {
                entries.add(new Entry(new BackendCandidate(provider.getClass().getSimpleName(), 0, false,
                        "its provider " + provider.getClass().getName() + " failed to describe itself: "
                                + messageOf(e), Set.of(), origin), null));
                return;
            }
            Availability availability;
            try {
                availability = Objects.requireNonNull(provider.availability(), "availability()");
            } catch (RuntimeException | LinkageError e) {
                availability = Availability.unavailable("checking availability failed: " + messageOf(e));
            }
            entries.add(new Entry(new BackendCandidate(name, priority, availability.available(),
                    availability.reason(), capabilities, origin), provider));
        }

        private static String messageOf(Throwable error) {
            StringBuilder message = new StringBuilder(String.valueOf(error));
            for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause();
                 cause = cause.getCause()) {
                message.append("; caused by ").append(cause);
            }
            return message.toString();
        }
    }

    /**
     * For the backends Tessera ships, the dependency that brings them: a missing backend is nearly always a missing
     * jar (docs/embedding.md).
     */
    private static String missingDependencyHint(String name) {
        return switch (name) {
            case "cpu" -> "; the cpu backend is the dependency io.tessera:tessera-backend-cpu (io.tessera:"
                    + "tessera-embedded brings it with the host): add it, with ND4J on the class path";
            case "gpu" -> "; the gpu backend is the dependency io.tessera:tessera-backend-gpu: add it, on a machine "
                    + "with an NVIDIA driver";
            default -> "";
        };
    }
}
