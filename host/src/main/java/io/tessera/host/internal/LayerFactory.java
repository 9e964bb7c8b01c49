package io.tessera.host.internal;

import io.tessera.host.Problem;
import io.tessera.host.Severity;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates the {@link ModuleLayer} of a folder plugin: one class loader for the plugin module and its private
 * dependency modules, parents = the layers of the plugins it requires, then the API layer. The layer keeps its
 * {@link ModuleLayer.Controller}, so that the plugin's packages can be opened to Guice ({@link PluginLayer#openTo})
 * when, and only when, Guice has to construct classes the plugin did not open.
 */
final class LayerFactory {

    /** Thrown when the JPMS rejects a layer; carries the problem to report. */
    static final class LayerException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Problem problem;

        LayerException(Problem problem) {
            super(problem.message());
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }

    private final ModuleLayer apiLayer;
    private final ClassLoader parentLoader;
    /** Closes the jar readers of layers whose class loader became unreachable; one daemon thread per host. */
    private final Cleaner cleaner = Cleaner.create();
    /** Layers the host dropped whose jar readers are still open (their loaders not collected yet). */
    private final Set<Object> retired = ConcurrentHashMap.newKeySet();
    /** {@link #retired} size at which the next collection is asked for: always RETIRED_OPEN_LIMIT more than remain. */
    private int collectAt = RETIRED_OPEN_LIMIT;

    /**
     * Retired layers with open jars tolerated before the host asks the JVM for a collection. Each holds one file
     * descriptor per jar; a host that reloads often but allocates little would otherwise collect (and close) rarely.
     */
    static final int RETIRED_OPEN_LIMIT = 32;

    /** @param apiLayer the layer holding io.tessera.api */
    LayerFactory(ModuleLayer apiLayer) {
        this.apiLayer = apiLayer;
        this.parentLoader = apiLayer.findLoader("io.tessera.api");
    }

    PluginLayer create(PluginCandidate candidate, List<ModuleLayer> requiredLayers) throws LayerException {
        List<ModuleLayer> parents = new ArrayList<>(new LinkedHashSet<>(requiredLayers));
        if (!parents.contains(apiLayer)) {
            parents.add(apiLayer);
        }
        List<ModuleReader> readers = Collections.synchronizedList(new ArrayList<>(1));
        ModuleFinder finder = new TrackingFinder(candidate.finder(), readers);
        try {
            List<Configuration> parentConfigs = new ArrayList<>(parents.size());
            for (ModuleLayer parent : parents) {
                parentConfigs.add(parent.configuration());
            }
            // resolve, not resolveAndBind: services are looked up per plugin, never bound across layers
            Configuration cf = Configuration.resolve(finder, parentConfigs, ModuleFinder.of(), Set.of(candidate.id()));
            ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf, parents, parentLoader);
            Module module = controller.layer().findModule(candidate.id()).orElseThrow();
            return new PluginLayer(controller, module, readers, cleaner, retired);
        } catch (ResolutionException | FindException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean split = message.contains("package");
            throw new LayerException(new Problem(Severity.ERROR, candidate.id(), candidate.sourceText(),
                    candidate.label() + " cannot be resolved by the module system: " + message
                            + (split ? " (split package)" : ""),
                    split ? "keep each package in one module only" : "check the module-info requires of "
                            + candidate.id()));
        } catch (LayerInstantiationException e) {
            throw new LayerException(new Problem(Severity.ERROR, candidate.id(), candidate.sourceText(),
                    candidate.label() + " cannot get a module layer: " + e.getMessage(),
                    "a package may be in two jars of the plugin folder; keep each package in one jar"));
        }
    }

    /**
     * The host dropped {@code layer} (uninstall, replacement, host close). Its readers close once its loader is
     * collected; when many dropped layers are waiting for that, a collection is requested so that their jar
     * descriptors do not pile up. Layers kept alive by calls that are still running only raise the next threshold.
     */
    void retire(PluginLayer layer) {
        layer.retire();
        int open = retired.size();
        if (open >= collectAt) {
            System.gc();
            collectAt = open + RETIRED_OPEN_LIMIT;
        } else {
            collectAt = Math.min(collectAt, open + RETIRED_OPEN_LIMIT);
        }
    }

    /** Delegates to a finder and remembers every reader opened on its modules, so they can be closed on unload. */
    private static final class TrackingFinder implements ModuleFinder {
        private final ModuleFinder delegate;
        private final List<ModuleReader> readers;

        TrackingFinder(ModuleFinder delegate, List<ModuleReader> readers) {
            this.delegate = delegate;
            this.readers = readers;
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            Optional<ModuleReference> found = delegate.find(name);
            return found.isPresent() ? Optional.of(track(found.get())) : found;
        }

        @Override
        public Set<ModuleReference> findAll() {
            Set<ModuleReference> all = new HashSet<>();
            for (ModuleReference ref : delegate.findAll()) {
                all.add(track(ref));
            }
            return all;
        }

        private ModuleReference track(ModuleReference ref) {
            return new TrackedReference(ref, readers);
        }
    }

    private static final class TrackedReference extends ModuleReference {
        private final ModuleReference delegate;
        private final List<ModuleReader> readers;

        TrackedReference(ModuleReference delegate, List<ModuleReader> readers) {
            super(delegate.descriptor(), delegate.location().orElse(null));
            this.delegate = delegate;
            this.readers = readers;
        }

        @Override
        public ModuleReader open() throws IOException {
            ModuleReader reader = delegate.open();
            readers.add(reader);
            return reader;
        }
    }
}
