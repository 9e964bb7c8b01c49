package io.tessera.host.internal;

import io.tessera.host.Problem;
import io.tessera.host.Severity;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Creates the {@link ModuleLayer} of a folder plugin: one class loader for the plugin module and its private
 * dependency modules, parents = the layers of the plugins it requires, then the API layer. Opens the plugin's packages
 * to Guice with {@link ModuleLayer.Controller#addOpens} so that it can inject classes the plugin did not open.
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
    private final Module injectorModule;

    /**
     * @param apiLayer       the layer holding io.tessera.api
     * @param injectorModule the module that must be able to reflect on plugin classes (Guice)
     */
    LayerFactory(ModuleLayer apiLayer, Module injectorModule) {
        this.apiLayer = apiLayer;
        this.injectorModule = injectorModule;
    }

    PluginLayer create(PluginCandidate candidate, List<ModuleLayer> requiredLayers) throws LayerException {
        List<ModuleLayer> parents = new ArrayList<>(new LinkedHashSet<>(requiredLayers));
        if (!parents.contains(apiLayer)) {
            parents.add(apiLayer);
        }
        List<ModuleReader> readers = Collections.synchronizedList(new ArrayList<>());
        ModuleFinder finder = new TrackingFinder(candidate.finder(), readers);
        try {
            List<Configuration> parentConfigs = parents.stream().map(ModuleLayer::configuration).toList();
            // resolve, not resolveAndBind: services are looked up per plugin, never bound across layers
            Configuration cf = Configuration.resolve(finder, parentConfigs, ModuleFinder.of(), Set.of(candidate.id()));
            ClassLoader parentLoader = apiLayer.findLoader("io.tessera.api");
            ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf, parents, parentLoader);
            ModuleLayer layer = controller.layer();
            Module module = layer.findModule(candidate.id()).orElseThrow();
            // Guice reflects on plugin classes from its own module; its generated "fast classes" are hidden nestmates
            // in the plugin's module (which is why the host requires jdk.unsupported), so this is all it needs
            for (String pkg : module.getPackages()) {
                if (!module.isOpen(pkg, injectorModule)) {
                    controller.addOpens(module, pkg, injectorModule);
                }
            }
            return new PluginLayer(layer, module, readers);
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
            return delegate.find(name).map(this::track);
        }

        @Override
        public Set<ModuleReference> findAll() {
            return delegate.findAll().stream().map(this::track).collect(Collectors.toSet());
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
