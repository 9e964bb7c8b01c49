package io.tessera.host.internal;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.module.ResolvedModule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
        List<Configuration> parentConfigs = new ArrayList<>(parents.size());
        for (ModuleLayer parent : parents) {
            parentConfigs.add(parent.configuration());
        }
        List<String> splits = splitPackages(candidate.finder(), parentConfigs, candidate.id());
        if (!splits.isEmpty()) {
            throw new LayerException(Problem.plugin(Severity.ERROR, candidate.id(), candidate.sourceText(),
                    candidate.label() + " cannot be loaded: " + String.join("; ", splits) + " (split package)",
                    "keep each package in one module only"));
        }
        try {
            // resolve, not resolveAndBind: services are looked up per plugin, never bound across layers
            Configuration cf = Configuration.resolve(finder, parentConfigs, ModuleFinder.of(), Set.of(candidate.id()));
            ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf, parents, parentLoader);
            Module module = controller.layer().findModule(candidate.id()).orElseThrow();
            return new PluginLayer(controller, module, readers, cleaner, retired);
        } catch (ResolutionException | FindException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new LayerException(Problem.plugin(Severity.ERROR, candidate.id(), candidate.sourceText(),
                    candidate.label() + " cannot be resolved by the module system: " + message,
                    "check the module-info requires of " + candidate.id() + " and of the jars beside it"));
        } catch (LayerInstantiationException e) {
            throw new LayerException(Problem.plugin(Severity.ERROR, candidate.id(), candidate.sourceText(),
                    candidate.label() + " cannot get a module layer: " + e.getMessage(),
                    "check the module-info of " + candidate.id() + " and of the jars beside it"));
        }
    }

    /**
     * The split packages the module system would reject when it resolves {@code root} from {@code own} (the plugin
     * jar and the jars beside it) over {@code parents}, found from the module descriptors alone: a package that two
     * of the plugin's own modules contain (they share one class loader); a package an own module contains while a
     * module it reads exports it to it; a package an own module reads from two modules. A module is looked up as the
     * module system does: in {@code own} first, then in the parents. Each entry names the package and both modules.
     */
    static List<String> splitPackages(ModuleFinder own, List<Configuration> parents, String root) {
        Map<String, ModuleDescriptor> ownModules = new TreeMap<>();
        Deque<String> work = new ArrayDeque<>(List.of(root));
        while (!work.isEmpty()) {
            String name = work.poll();
            if (ownModules.containsKey(name)) {
                continue;
            }
            Optional<ModuleReference> ref = own.find(name);
            if (ref.isEmpty()) {
                continue;
            }
            ModuleDescriptor md = ref.get().descriptor();
            ownModules.put(name, md);
            for (ModuleDescriptor.Requires r : md.requires()) {
                if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    work.add(r.name());
                }
            }
        }
        Set<String> found = new LinkedHashSet<>();
        Map<String, String> ownerOfPackage = new HashMap<>();
        for (ModuleDescriptor md : ownModules.values()) {
            for (String pkg : new TreeSet<>(md.packages())) {
                String other = ownerOfPackage.putIfAbsent(pkg, md.name());
                if (other != null) {
                    found.add("package " + pkg + " is in both module " + other + " and module " + md.name());
                }
            }
        }
        for (ModuleDescriptor md : ownModules.values()) {
            Map<String, String> exportedTo = new HashMap<>();
            for (ModuleDescriptor read : reads(md, ownModules, parents)) {
                for (String pkg : new TreeSet<>(exportedPackages(read, md.name()))) {
                    String other = exportedTo.putIfAbsent(pkg, read.name());
                    if (other != null && !other.equals(read.name())) {
                        found.add("module " + md.name() + " reads package " + pkg + " from both module " + other
                                + " and module " + read.name());
                    }
                    if (md.packages().contains(pkg)) {
                        found.add("module " + md.name() + " contains package " + pkg + ", which module "
                                + read.name() + " also exports to it");
                    }
                }
            }
        }
        return new ArrayList<>(found);
    }

    /** The modules {@code md} reads: what it requires, and what those require transitively. */
    private static Collection<ModuleDescriptor> reads(ModuleDescriptor md, Map<String, ModuleDescriptor> ownModules,
                                                      List<Configuration> parents) {
        Map<String, ModuleDescriptor> result = new LinkedHashMap<>();
        Deque<ModuleDescriptor.Requires> work = new ArrayDeque<>(md.requires());
        while (!work.isEmpty()) {
            ModuleDescriptor.Requires r = work.poll();
            if (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC) || result.containsKey(r.name())
                    || r.name().equals(md.name())) {
                continue;
            }
            ModuleDescriptor read = ownModules.containsKey(r.name()) ? ownModules.get(r.name())
                    : inParents(parents, r.name()).orElse(null);
            if (read == null) {
                continue;
            }
            result.put(r.name(), read);
            for (ModuleDescriptor.Requires next : read.requires()) {
                if (next.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)) {
                    work.add(next);
                }
            }
        }
        return result.values();
    }

    /** The packages {@code read} exports to module {@code reader}; an automatic module exports all. */
    private static Set<String> exportedPackages(ModuleDescriptor read, String reader) {
        if (read.isAutomatic()) {
            return read.packages();
        }
        Set<String> packages = new HashSet<>();
        for (ModuleDescriptor.Exports e : read.exports()) {
            if (!e.isQualified() || e.targets().contains(reader)) {
                packages.add(e.source());
            }
        }
        return packages;
    }

    private static Optional<ModuleDescriptor> inParents(List<Configuration> parents, String name) {
        for (Configuration parent : parents) {
            Optional<ResolvedModule> found = parent.findModule(name);
            if (found.isPresent()) {
                return Optional.of(found.get().reference().descriptor());
            }
        }
        return Optional.empty();
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
