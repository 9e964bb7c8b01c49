package io.tessera.host.internal;

import com.google.inject.Injector;
import io.tessera.api.TesseraApi;
import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.PluginEvent;
import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.PluginState;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.plugin.Subscription;
import io.tessera.api.plugin.Version;
import io.tessera.host.PluginView;
import io.tessera.api.problem.Problem;
import io.tessera.host.ResolutionReport;
import io.tessera.api.problem.Severity;
import io.tessera.host.TesseraHost;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;

/**
 * The host. All lifecycle work (start, refresh, close) runs under one lock, so plugins change state one at a time
 * and events arrive in order; views and the registry can be read at any time.
 */
final class DefaultTesseraHost implements TesseraHost {

    /**
     * Orders the report: severity, plugin, source. A plain class rather than {@code Comparator.comparing(...)}: every
     * lambda costs a class spun at run time on first use, and start-up pays for each one on its path.
     */
    private static final Comparator<Problem> REPORT_ORDER = new Comparator<>() {
        @Override
        public int compare(Problem a, Problem b) {
            int c = a.severity().compareTo(b.severity());
            if (c == 0) {
                c = a.pluginId().compareTo(b.pluginId());
            }
            return c != 0 ? c : a.source().compareTo(b.source());
        }
    };

    private static final Comparator<Module> BY_MODULE_NAME = new Comparator<>() {
        @Override
        public int compare(Module a, Module b) {
            return a.getName().compareTo(b.getName());
        }
    };

    private final HostConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final DefaultServiceRegistry registry = new DefaultServiceRegistry();
    private final PluginEvents events = new PluginEvents();
    private final Version apiVersion = Version.parse(TesseraApi.VERSION);

    private volatile List<PluginRecord> records = List.of();
    private final List<PluginRecord> bootRecords = new ArrayList<>();
    private Map<Path, PluginSource> applied = new LinkedHashMap<>();
    private final Map<Path, Observation> observations = new HashMap<>();
    private final Map<Path, ReadEntry> readCache = new HashMap<>();
    private final PluginScanner scanner = new PluginScanner();
    /** Ids stopped through {@link #stop(String)}: not started again by reloads until {@link #start(String)}. */
    private final Set<String> stoppedByUser = new HashSet<>();
    /** Dependents stopped because the plugin they map to was stopped; {@link #start(String)} restarts them. */
    private final Map<String, String> stoppedWith = new HashMap<>();
    /** Folder sources uninstalled through {@link #uninstall(String)}, ignored while their fingerprint stays. */
    private final Map<Path, String> uninstalled = new HashMap<>();

    private ModuleLayer apiLayer;
    private LayerFactory layerFactory;
    private PluginActivator activator;
    private PluginDirectoryWatcher watcher;
    private boolean started;
    private volatile boolean closed;

    /** A changed source seen first at {@code since} (nanoTime) with this fingerprint, not yet loaded. */
    private record Observation(String fingerprint, long since) {
    }

    private record ReadEntry(String fingerprint, PluginReader.Result result) {
    }

    /** Runs plugins' listeners under the callback timeout; problems go to the plugin's record. */
    private final PluginCallbacks callbacks;
    /** Problems found while closing (threads a plugin left running), kept for {@link #report()} after close. */
    private volatile List<Problem> closeProblems = List.of();
    /** Names the plugin that calls System.exit while this host runs; removed at close. */
    private Thread exitWatch;

    DefaultTesseraHost(HostConfig config) {
        this.config = config;
        this.callbacks = new PluginCallbacks(config.callbackTimeout(), this::callbackProblem);
        for (PluginListener l : config.listeners()) {
            events.subscribe(l);
        }
    }

    @Override
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this host is closed; build a new one with Tessera.builder()");
            }
            if (started) {
                throw new IllegalStateException("this host is already started; call refresh() to rescan plugins");
            }
            started = true;
            // Guice is loaded only when needed: for the embedder's modules (validated here, at start) or for the
            // first plugin whose classes ask for injection; without modules the host injector would bind nothing
            Injector hostInjector = config.modules().isEmpty() ? null : GuiceWiring.hostInjector(config.modules());
            apiLayer = PluginDescriptor.class.getModule().getLayer();
            layerFactory = apiLayer == null ? null : new LayerFactory(apiLayer);
            activator = new PluginActivator(hostInjector, registry, events, callbacks);
            exitWatch = ExitWatch.install(this::pluginOfModule);
            if (config.bootPlugins()) {
                startBootPlugins();
            }
            applyFolderChanges(true);
            if (config.watch()) {
                watcher = new PluginDirectoryWatcher(config.pluginDirectories(), config.settleTime(),
                        this::refreshFromWatcher);
                watcher.start();
            }
        } finally {
            endPass();
            lock.unlock();
        }
    }

    @Override
    public void refresh() {
        lock.lock();
        try {
            requireRunning();
            applyFolderChanges(false);
        } finally {
            endPass();
            lock.unlock();
        }
    }

    /** Called by the watcher; returns whether changed files are still settling and need another look. */
    private boolean refreshFromWatcher() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            return applyFolderChanges(false);
        } finally {
            endPass();
            lock.unlock();
        }
    }

    @Override
    public List<PluginView> plugins() {
        List<PluginRecord> all = records;
        List<PluginView> views = new ArrayList<>(all.size());
        for (PluginRecord r : all) {
            views.add(r.view());
        }
        return java.util.Collections.unmodifiableList(views);
    }

    @Override
    public Optional<PluginView> plugin(String id) {
        return Optional.ofNullable(find(id)).map(PluginRecord::view);
    }

    /** The record of the plugin with this id; of several (a duplicate id), the one furthest in its lifecycle. */
    private PluginRecord find(String id) {
        Objects.requireNonNull(id, "id");
        PluginRecord best = null;
        for (PluginRecord r : records) {
            if (r.id.equals(id) && (best == null || rank(r.state) > rank(best.state))) {
                best = r;
            }
        }
        return best;
    }


    private static int rank(PluginState s) {
        return switch (s) {
            case ACTIVE -> 5;
            case STARTING, STOPPING -> 4;
            case RESOLVED -> 3;
            case INSTALLED -> 2;
            case FAILED -> 1;
            case UNINSTALLED -> 0;
        };
    }

    /** A problem of a plugin's listener, attached to the plugin's current record. */
    private void callbackProblem(String pluginId, Problem problem) {
        PluginRecord r = find(pluginId);
        if (r != null) {
            r.addLifecycleProblem(Problem.plugin(problem.severity(), r.id, r.source, problem.message(), problem.hint()));
        }
    }

    /** How messages name the plugin that holds the named module ({@code null} if no plugin of this host does). */
    private String pluginOfModule(String moduleName) {
        for (PluginRecord r : records) {
            if (r.id.equals(moduleName)) {
                return r.label();
            }
            PluginLayer l = r.layer;
            if (l != null && l.layer().findModule(moduleName).isPresent()
                    && l.layer().findModule(moduleName).get().getLayer() == l.layer()) {
                return r.label();
            }
        }
        return null;
    }

    @Override
    public ResolutionReport report() {
        List<Problem> all = new ArrayList<>(closeProblems);
        for (PluginRecord r : records) {
            all.addAll(r.problems());
        }
        all.sort(REPORT_ORDER);
        return new ResolutionReport(all);
    }

    @Override
    public ServiceRegistry services() {
        return registry;
    }

    @Override
    public <T> List<T> extensions(Class<T> type) {
        return registry.all(type);
    }

    @Override
    public Subscription addPluginListener(PluginListener listener) {
        return events.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PluginDirectoryWatcher w = watcher;
        if (w != null) {
            w.close();
        }
        lock.lock();
        try {
            List<PluginRecord> all = new ArrayList<>(records);
            List<Problem> left = new ArrayList<>();
            for (int i = all.size() - 1; i >= 0; i--) {
                left.addAll(stopRecord(all.get(i)));
            }
            for (int i = all.size() - 1; i >= 0; i--) {
                uninstall(all.get(i));
            }
            for (Problem p : left) {
                // the records go: the problems stay readable in report(), and the log says why the JVM may not exit
                System.getLogger(TesseraHost.class.getName()).log(System.Logger.Level.WARNING, p.describe());
            }
            closeProblems = List.copyOf(left);
            ExitWatch.remove(exitWatch);
            exitWatch = null;
            records = List.of();
            bootRecords.clear();
            applied.clear();
            readCache.clear();
            observations.clear();
        } finally {
            endPass();
            lock.unlock();
        }
    }

    /** Ends the thread that ran this pass's plugin code; called under the lock at the end of every pass. */
    private void endPass() {
        if (activator != null) {
            activator.endPass();
        }
    }

    private void requireRunning() {
        if (closed) {
            throw new IllegalStateException("this host is closed");
        }
        if (!started) {
            throw new IllegalStateException("this host is not started; call start() first");
        }
    }

    // ---------------------------------------------------------------- boot layer

    private void startBootPlugins() {
        List<PluginCandidate> candidates = new ArrayList<>();
        List<PluginRecord> unusable = new ArrayList<>();
        for (Module module : bootModules()) {
            Manifest manifest = bootManifest(module);
            if (manifest == null) {
                continue;
            }
            if (!PluginDescriptor.isPlugin(manifest)) {
                continue;
            }
            String where = "boot";
            try {
                boolean legacy = PluginDescriptor.isLegacy(manifest);
                PluginDescriptor d = legacy ? PluginDescriptor.fromManifest(manifest)
                        : PluginDescriptor.fromModule(module.getDescriptor(), manifest);
                if (!d.id().equals(module.getName())) {
                    throw new IllegalArgumentException("manifest says Tessera-Plugin-Id " + d.id()
                            + " but the module is " + module.getName() + " (manifest/module mismatch)");
                }
                List<Problem> warnings = !legacy ? List.of() : List.of(Problem.plugin(Severity.WARNING, d.id(), where,
                        "plugin " + d + " (boot): its manifest repeats the plugin identity (Tessera-Plugin-Id, "
                        + "Tessera-Plugin-Version), which is deprecated: module-info says it",
                        "build the jar with the tessera-maven-plugin (goal manifest)"));
                candidates.add(new PluginCandidate(d, module.getDescriptor(), null, ModuleFinder.of(), module,
                        warnings));
            } catch (IllegalArgumentException e) {
                PluginRecord r = new PluginRecord(module.getName(), "?", where, null, module);
                r.resolutionProblems(List.of(Problem.plugin(Severity.ERROR, module.getName(), where, "boot module "
                        + module.getName() + " has an invalid plugin manifest: " + e.getMessage(),
                        "fix the manifest entry and rebuild the jar")));
                unusable.add(r);
            }
        }
        for (ClassPathPlugins.Found f : ClassPathPlugins.scan()) {
            if (candidates.stream().anyMatch(c -> c.id().equals(f.id()))) {
                continue; // the same plugin is on the module path too, and loads from there
            }
            PluginRecord r = new PluginRecord(f.id(), f.version(), f.location().toString(), null, null);
            r.resolutionProblems(List.of(f.problem()));
            unusable.add(r);
        }
        PluginResolver.Resolution res = PluginResolver.resolve(List.of(), candidates, apiVersion, apiLayer);
        Map<String, PluginRecord> byId = new HashMap<>();
        for (PluginCandidate c : res.order()) {
            PluginRecord r = newRecord(c);
            r.resolutionProblems(res.problems().getOrDefault(c, List.of()));
            List<PluginRecord> deps = new ArrayList<>();
            for (PluginCandidate d : res.dependencies().getOrDefault(c, List.of())) {
                PluginRecord dr = byId.get(d.id());
                if (dr != null) {
                    deps.add(dr);
                }
            }
            r.dependencies = List.copyOf(deps);
            transition(r, PluginState.RESOLVED, null);
            byId.put(c.id(), r);
            bootRecords.add(r);
        }
        for (PluginCandidate c : res.unresolved()) {
            PluginRecord r = newRecord(c);
            r.resolutionProblems(res.problems().getOrDefault(c, List.of()));
            bootRecords.add(r);
        }
        for (PluginRecord r : unusable) {
            transition(r, PluginState.INSTALLED, null);
            transition(r, PluginState.FAILED, r.problems().get(0).message());
            bootRecords.add(r);
        }
        records = List.copyOf(bootRecords);
        for (PluginRecord r : bootRecords) {
            startIfReady(r);
        }
    }

    /**
     * The manifest of a boot module, or {@code null} if it has none or it cannot be read. Most jars store their
     * manifest as their first entry, where a {@link JarInputStream} finds it after reading a few hundred bytes; the
     * module's class loader would open the jar and read its whole central directory instead (hundreds of KB for a
     * jar like Guava's, which the host otherwise never opens). Anything else takes that authoritative path.
     */
    private static Manifest bootManifest(Module module) {
        Path jar = jarOf(module);
        if (jar != null) {
            try (JarInputStream in = new JarInputStream(Files.newInputStream(jar), false)) {
                Manifest manifest = in.getManifest();
                if (manifest != null) {
                    return manifest;
                }
            } catch (IOException | RuntimeException e) {
                // not a plain jar after all: ask the module's class loader below
            }
        }
        try (InputStream in = module.getResourceAsStream("META-INF/MANIFEST.MF")) {
            return in == null ? null : new Manifest(in);
        } catch (IOException e) {
            return null;
        }
    }

    /** The jar file a module was loaded from, or {@code null} (exploded folder, run-time image, unknown). */
    private static Path jarOf(Module module) {
        ModuleLayer layer = module.getLayer();
        if (layer == null) {
            return null;
        }
        Optional<java.lang.module.ResolvedModule> resolved = layer.configuration().findModule(module.getName());
        if (resolved.isEmpty()) {
            return null;
        }
        Optional<java.net.URI> location = resolved.get().reference().location();
        if (location.isEmpty() || !"file".equalsIgnoreCase(location.get().getScheme())) {
            return null;
        }
        try {
            Path path = Path.of(location.get());
            return Files.isRegularFile(path) ? path : null;
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private List<Module> bootModules() {
        Set<ModuleLayer> layers = new LinkedHashSet<>();
        ModuleLayer hostLayer = DefaultTesseraHost.class.getModule().getLayer();
        if (hostLayer != null) {
            layers.add(hostLayer);
        }
        if (apiLayer != null) {
            layers.add(apiLayer);
        }
        List<Module> modules = new ArrayList<>();
        for (ModuleLayer layer : layers) {
            for (Module m : layer.modules()) {
                String n = m.getName();
                if (!n.startsWith("java.") && !n.startsWith("jdk.") && !modules.contains(m)) {
                    modules.add(m);
                }
            }
        }
        modules.sort(BY_MODULE_NAME);
        return modules;
    }

    // ---------------------------------------------------------------- plugin folders

    /**
     * Rescans the plugin folders and applies what changed. With {@code immediately}, every jar is taken as it is
     * (host start); otherwise a new or changed source is taken only once its files stopped changing for the settle
     * time and open as zips, so a copy in progress is not loaded half-written.
     *
     * @return whether some sources are still settling
     */
    private boolean applyFolderChanges(boolean immediately) {
        Map<Path, PluginSource> scanned = scanner.scan(config.pluginDirectories());
        // a source uninstalled by the embedder stays out until its content changes or it leaves the folder
        uninstalled.entrySet().removeIf(e -> scanned.get(e.getKey()) == null
                || !scanned.get(e.getKey()).fingerprint().equals(e.getValue()));
        scanned.keySet().removeAll(uninstalled.keySet());
        Map<Path, PluginSource> next = new LinkedHashMap<>();
        boolean changed = false;
        boolean settling = false;
        long now = System.nanoTime();
        for (PluginSource s : scanned.values()) {
            PluginSource previous = applied.get(s.path());
            if (previous != null && previous.fingerprint().equals(s.fingerprint())) {
                next.put(s.path(), previous);
                observations.remove(s.path());
                continue;
            }
            if (immediately || settled(s, now)) {
                next.put(s.path(), s);
                observations.remove(s.path());
                changed = true;
            } else {
                settling = true;
                if (previous != null) {
                    next.put(s.path(), previous);
                }
            }
        }
        for (Path p : applied.keySet()) {
            if (!scanned.containsKey(p)) {
                changed = true;
            }
        }
        observations.keySet().retainAll(scanned.keySet());
        if (changed || immediately) {
            applied = next;
            reconcile();
        }
        return settling;
    }

    private boolean settled(PluginSource s, long now) {
        Observation o = observations.get(s.path());
        if (o == null || !o.fingerprint().equals(s.fingerprint())) {
            observations.put(s.path(), new Observation(s.fingerprint(), now));
            return config.settleTime().isZero() && zipsOpen(s);
        }
        long quiet = now - o.since();
        if (quiet < config.settleTime().toNanos()) {
            return false;
        }
        // unchanged but not a valid zip yet: give a stalled copy more time before calling the jar corrupt
        return zipsOpen(s) || quiet >= Math.max(4 * config.settleTime().toNanos(), Duration.ofSeconds(2).toNanos());
    }

    private static boolean zipsOpen(PluginSource s) {
        for (Path jar : s.jars()) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.size();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Brings the folder plugins in line with {@link #applied}: keep what is unchanged, replace the rest. */
    private void reconcile() {
        List<PluginCandidate> candidates = new ArrayList<>();
        List<PluginReader.Unreadable> unreadables = new ArrayList<>();
        Map<Path, ReadEntry> cache = new HashMap<>();
        LockState lock = lockState();
        for (PluginSource s : applied.values()) {
            ReadEntry e = readCache.get(s.path());
            String key = s.fingerprint() + lock.stamp();
            if (e == null || !e.fingerprint().equals(key)) {
                e = new ReadEntry(key, read(s, lock));
            }
            cache.put(s.path(), e);
            if (e.result() instanceof PluginReader.Readable r) {
                candidates.add(r.candidate());
            } else {
                unreadables.add((PluginReader.Unreadable) e.result());
            }
        }
        readCache.clear();
        readCache.putAll(cache);

        List<PluginCandidate> bootResolved = new ArrayList<>();
        for (PluginRecord r : bootRecords) {
            if (r.candidate != null && r.state != PluginState.INSTALLED && r.state != PluginState.UNINSTALLED) {
                bootResolved.add(r.candidate);
            }
        }
        PluginResolver.Resolution res = PluginResolver.resolve(bootResolved, candidates, apiVersion, apiLayer);

        List<PluginRecord> current = new ArrayList<>(records);
        current.removeAll(bootRecords);
        Map<Object, PluginRecord> byOrigin = new IdentityHashMap<>();
        for (PluginRecord r : current) {
            byOrigin.put(r.origin, r);
        }
        // keep a layered plugin only if its jar and all the plugins it was resolved against are unchanged
        Map<PluginCandidate, PluginRecord> kept = new IdentityHashMap<>();
        for (PluginCandidate c : res.order()) {
            PluginRecord r = byOrigin.get(c);
            if (r == null || r.layer == null) {
                continue;
            }
            List<PluginCandidate> deps = res.dependencies().getOrDefault(c, List.of());
            boolean same = deps.size() == r.dependencies.size();
            for (int i = 0; same && i < deps.size(); i++) {
                PluginCandidate d = deps.get(i);
                PluginRecord dr = r.dependencies.get(i);
                same = dr.candidate == d && (d.isBoot() || kept.get(d) == dr);
            }
            if (same) {
                kept.put(c, r);
            }
        }
        Set<PluginRecord> reused = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        reused.addAll(kept.values());
        for (PluginCandidate c : res.unresolved()) {
            PluginRecord r = byOrigin.get(c);
            if (r != null && r.layer == null && r.state == PluginState.INSTALLED) {
                reused.add(r);
            }
        }
        for (PluginReader.Unreadable u : unreadables) {
            PluginRecord r = byOrigin.get(u);
            if (r != null) {
                reused.add(r);
            }
        }
        // stop everything that goes, dependents first, then release their layers
        for (int i = current.size() - 1; i >= 0; i--) {
            if (!reused.contains(current.get(i))) {
                stopRecord(current.get(i));
            }
        }
        for (int i = current.size() - 1; i >= 0; i--) {
            if (!reused.contains(current.get(i))) {
                uninstall(current.get(i));
            }
        }

        List<PluginRecord> next = new ArrayList<>(bootRecords);
        Map<PluginCandidate, PluginRecord> recordOf = new IdentityHashMap<>();
        for (PluginRecord b : bootRecords) {
            if (b.candidate != null) {
                recordOf.put(b.candidate, b);
            }
        }
        List<PluginRecord> fresh = new ArrayList<>();
        for (PluginCandidate c : res.order()) {
            PluginRecord r = kept.get(c);
            if (r == null) {
                r = newRecord(c);
                // a dependency without a record stays null here; createLayer reports it
                List<PluginRecord> deps = new ArrayList<>();
                for (PluginCandidate d : res.dependencies().getOrDefault(c, List.of())) {
                    deps.add(recordOf.get(d));
                }
                r.dependencies = deps.isEmpty() ? List.of() : java.util.Collections.unmodifiableList(deps);
                fresh.add(r);
                createLayer(r);
            }
            r.resolutionProblems(res.problems().getOrDefault(c, List.of()));
            recordOf.put(c, r);
            next.add(r);
        }
        List<PluginCandidate> unresolved = new ArrayList<>(res.unresolved());
        unresolved.sort(PluginCandidate.BY_ID_THEN_SOURCE);
        for (PluginCandidate c : unresolved) {
            PluginRecord r = byOrigin.get(c);
            if (r == null || !reused.contains(r)) {
                r = newRecord(c);
            }
            r.resolutionProblems(res.problems().getOrDefault(c, List.of()));
            next.add(r);
        }
        for (PluginReader.Unreadable u : unreadables) {
            PluginRecord r = byOrigin.get(u);
            if (r == null || !reused.contains(r)) {
                r = new PluginRecord(u.id(), u.version(), u.source().path().toString(), null, u);
                r.resolutionProblems(u.problems());
                transition(r, PluginState.INSTALLED, null);
                transition(r, PluginState.FAILED, u.problems().get(0).message());
            }
            next.add(r);
        }
        records = List.copyOf(next);
        for (PluginRecord r : fresh) {
            startIfReady(r);
        }
    }

    /**
     * The plugin lock as of now: the lock (or why it cannot be used) and a stamp that changes with the file, so that
     * cached reads are redone when the lock changes. No lock configured: stamp "" and nothing is checked.
     */
    private record LockState(io.tessera.host.PluginLock lock, String error, String stamp) {
    }

    private LockState lockState() {
        Path file = config.pluginLock();
        if (file == null) {
            return new LockState(null, null, "");
        }
        String stamp;
        try {
            stamp = "|lock:" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return new LockState(null, "the plugin lock " + file + " cannot be read ("
                    + PluginReader.rootMessage(e) + ")", "|lock:missing");
        }
        try {
            return new LockState(io.tessera.host.PluginLock.read(file), null, stamp);
        } catch (IOException | IllegalArgumentException e) {
            return new LockState(null, "the plugin lock " + file + " cannot be used: " + PluginReader.rootMessage(e),
                    stamp);
        }
    }

    /** Reads a folder plugin, refusing it first if a plugin lock is configured and does not list its jars. */
    private PluginReader.Result read(PluginSource s, LockState lock) {
        if (config.pluginLock() == null) {
            return PluginReader.read(s);
        }
        String name = s.path().getFileName().toString();
        String where = s.path().toString();
        String update = "if you trust it, update the lock: tessera plugins lock --plugins-dir "
                + s.path().getParent() + " --output " + config.pluginLock() + " (or set " + io.tessera.host.PluginLock
                .ENVIRONMENT_VARIABLE + " to another lock)";
        if (lock.lock() == null) {
            return new PluginReader.Unreadable(s, name, "?", List.of(Problem.plugin(Severity.ERROR, name, where,
                    where + " was not loaded: " + lock.error() + ", and only plugins listed in it are trusted",
                    "write the lock with: tessera plugins lock --plugins-dir " + s.path().getParent() + " --output "
                            + config.pluginLock())));
        }
        // hashed and checked before the jar is opened as a zip: an untrusted jar's bytes are not parsed at all
        Map<Path, List<io.tessera.host.PluginLock.Entry>> trusted = new LinkedHashMap<>();
        List<String> untrusted = new ArrayList<>();
        for (Path jar : s.jars()) {
            String sha;
            try {
                sha = LockFiles.sha256(jar);
            } catch (IOException e) {
                return new PluginReader.Unreadable(s, name, "?", List.of(Problem.plugin(Severity.ERROR, name, where,
                        jar + " cannot be read to check it against the plugin lock (" + PluginReader.rootMessage(e)
                                + ")", "copy the jar again")));
            }
            List<io.tessera.host.PluginLock.Entry> entries = lock.lock().entriesFor(sha);
            if (entries.isEmpty()) {
                untrusted.add(s.path().getParent().relativize(jar) + " (sha256:" + sha + ")");
            }
            trusted.put(jar, entries);
        }
        if (!untrusted.isEmpty()) {
            return new PluginReader.Unreadable(s, name, "?", List.of(Problem.plugin(Severity.ERROR, name, where,
                    where + " was not loaded: " + String.join(", ", untrusted) + (untrusted.size() == 1 ? " is" : " are")
                            + " not in the plugin lock " + config.pluginLock(), update)));
        }
        PluginReader.Result result = PluginReader.read(s);
        if (result instanceof PluginReader.Readable r) {
            String id = r.candidate().id();
            String version = r.candidate().descriptor().version().toString();
            for (Map.Entry<Path, List<io.tessera.host.PluginLock.Entry>> e : trusted.entrySet()) {
                boolean listed = false;
                for (io.tessera.host.PluginLock.Entry entry : e.getValue()) {
                    listed |= entry.id().equals(id) && entry.version().equals(version);
                }
                if (!listed) {
                    io.tessera.host.PluginLock.Entry first = e.getValue().get(0);
                    return new PluginReader.Unreadable(s, id, version, List.of(Problem.plugin(Severity.ERROR, id, where,
                            r.candidate().label() + " was not loaded: the plugin lock " + config.pluginLock()
                                    + " lists " + e.getKey().getFileName() + " as " + first.id() + " "
                                    + first.version() + ", not as " + id + " " + version, update)));
                }
            }
        }
        return result;
    }

    private PluginRecord newRecord(PluginCandidate c) {
        PluginRecord r = new PluginRecord(c.id(), c.descriptor().version().toString(), c.sourceText(), c, c);
        transition(r, PluginState.INSTALLED, null);
        return r;
    }

    private void createLayer(PluginRecord r) {
        List<ModuleLayer> parents = new ArrayList<>();
        for (PluginRecord d : r.dependencies) {
            ModuleLayer l = d == null ? null : d.moduleLayer();
            if (l == null) {
                r.addLifecycleProblem(Problem.plugin(Severity.ERROR, r.id, r.source, r.label() + " cannot get a module "
                        + "layer because " + (d == null ? "a required plugin" : d.label()) + " has none",
                        "fix the problems of the required plugin first"));
                return;
            }
            parents.add(l);
        }
        try {
            r.layer = layerFactory.create(r.candidate, parents);
            transition(r, PluginState.RESOLVED, null);
        } catch (LayerFactory.LayerException e) {
            r.addLifecycleProblem(e.problem());
        }
    }

    // ---------------------------------------------------------------- per-plugin control

    @Override
    public PluginView stop(String id) {
        lock.lock();
        try {
            requireRunning();
            PluginRecord r = record(id);
            List<PluginRecord> dependents = dependentsOf(r);
            for (int i = dependents.size() - 1; i >= 0; i--) {
                PluginRecord d = dependents.get(i);
                if (d.state == PluginState.ACTIVE) {
                    stopRecord(d);
                    stoppedWith.put(d.id, r.id);
                }
            }
            stopRecord(r);
            stoppedByUser.add(r.id);
            stoppedWith.remove(r.id);
            return r.view();
        } finally {
            endPass();
            lock.unlock();
        }
    }

    @Override
    public PluginView start(String id) {
        lock.lock();
        try {
            requireRunning();
            PluginRecord r = record(id);
            startWithRequirements(r, new HashSet<>());
            if (r.state == PluginState.ACTIVE) {
                // the dependents stopped with it (directly or through a plugin between), in dependency order
                for (PluginRecord d : dependentsOf(r)) {
                    if (d.state == PluginState.RESOLVED && stoppedWith.containsKey(d.id)
                            && !stoppedByUser.contains(d.id)) {
                        stoppedWith.remove(d.id);
                        startIfReady(d);
                    }
                }
            }
            return r.view();
        } finally {
            endPass();
            lock.unlock();
        }
    }

    @Override
    public PluginView restart(String id) {
        lock.lock(); // reentrant: no other pass runs between the stop and the start
        try {
            stop(id);
            return start(id);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void uninstall(String id) {
        lock.lock();
        try {
            requireRunning();
            PluginRecord r = record(id);
            if (r.isBoot()) {
                throw new IllegalArgumentException(r.label() + " is on the module path, and the boot layer cannot "
                        + "drop a module: stop it with stop(\"" + id + "\"), or move its jar to a plugin folder");
            }
            if (!(r.origin instanceof PluginCandidate c) || c.source() == null) {
                throw new IllegalArgumentException(r.label() + " has no plugin folder source to uninstall");
            }
            PluginSource source = c.source();
            PluginSource current = applied.remove(source.path());
            uninstalled.put(source.path(), (current == null ? source : current).fingerprint());
            stoppedByUser.remove(r.id);
            stoppedWith.remove(r.id);
            reconcile();
        } finally {
            endPass();
            lock.unlock();
        }
    }

    /** Starts the stopped plugins {@code r} requires, then {@code r}; {@code seen} guards against revisiting. */
    private void startWithRequirements(PluginRecord r, Set<PluginRecord> seen) {
        if (!seen.add(r)) {
            return;
        }
        if (r.moduleLayer() == null) {
            throw new IllegalStateException(r.label() + " cannot be started: it has no module layer because it did "
                    + "not resolve; see its problems (host.report() or tessera plugins)");
        }
        stoppedByUser.remove(r.id);
        stoppedWith.remove(r.id);
        for (PluginRecord d : r.dependencies) {
            if (d.state != PluginState.ACTIVE) {
                startWithRequirements(d, seen);
            }
        }
        if (r.state == PluginState.FAILED && r.activation == null) {
            transition(r, PluginState.RESOLVED, null); // a failed start (or stop) may be retried
        }
        startIfReady(r);
    }

    /** The current record of a plugin, as {@link #plugin(String)} picks it. */
    private PluginRecord record(String id) {
        PluginRecord best = find(id);
        if (best == null) {
            List<String> ids = new ArrayList<>();
            for (PluginRecord r : records) {
                ids.add(r.id);
            }
            throw new java.util.NoSuchElementException("this host has no plugin '" + id + "'"
                    + (ids.isEmpty() ? "" : "; it has " + String.join(", ", ids)));
        }
        return best;
    }

    /** Every record that requires {@code r}, directly or through others, in dependency order. */
    private List<PluginRecord> dependentsOf(PluginRecord r) {
        Set<PluginRecord> reached = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        reached.add(r);
        List<PluginRecord> result = new ArrayList<>();
        for (PluginRecord candidate : records) { // records are in dependency order: requirements come first
            for (PluginRecord d : candidate.dependencies) {
                if (reached.contains(d)) {
                    reached.add(candidate);
                    result.add(candidate);
                    break;
                }
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- lifecycle

    private void startIfReady(PluginRecord r) {
        if (r.state != PluginState.RESOLVED || stoppedByUser.contains(r.id)) {
            return;
        }
        for (PluginRecord d : r.dependencies) {
            String cause = d.state == PluginState.ACTIVE ? null
                    : stoppedByUser.contains(d.id) ? d.id : stoppedWith.get(d.id);
            if (cause != null) {
                // a plugin it requires was stopped on purpose: this one waits for start(cause), no problem to report
                stoppedWith.put(r.id, cause);
                return;
            }
        }
        for (PluginRecord d : r.dependencies) {
            if (d.state != PluginState.ACTIVE) {
                r.addLifecycleProblem(Problem.plugin(Severity.ERROR, r.id, r.source, r.label() + " was not started "
                        + "because it requires " + d.label() + ", which is " + d.state,
                        "fix the problems of " + d.id + " first"));
                return;
            }
        }
        transition(r, PluginState.STARTING, null);
        r.clearLifecycleProblems();
        try {
            r.activation = activator.start(r.label(), r.candidate.descriptor(), r.moduleLayer(), r.module(),
                    r.layer, config.startTimeout());
            transition(r, PluginState.ACTIVE, null);
        } catch (PluginActivator.StartFailure f) {
            // looked up here, not in a static field: creating a System.Logger starts java.util.logging (~20 ms)
            System.getLogger(TesseraHost.class.getName()).log(System.Logger.Level.WARNING, f.getMessage(),
                    f.getCause());
            String hint;
            if (f.timedOut()) {
                hint = "make Plugin.start return within " + PluginActivator.human(config.startTimeout())
                        + "; run long work on a thread of your own, or raise the start timeout";
            } else if (r.isBoot() && f.getMessage().contains("does not export")) {
                // no Controller for the boot layer: the host cannot open a module-path plugin's packages
                hint = "a plugin on the module path must export the packages of its provider classes (exports "
                        + "<package>;), or be installed in a plugin folder, where the host grants access itself";
            } else {
                hint = "fix the plugin; the stack trace is in the host log";
            }
            r.addLifecycleProblem(Problem.plugin(Severity.ERROR, r.id, r.source, f.getMessage(), hint));
            transition(r, PluginState.FAILED, f.getMessage());
        }
    }

    /** Stops a plugin; returns the problems about threads it left running (also added to its record). */
    private List<Problem> stopRecord(PluginRecord r) {
        if (r.state != PluginState.ACTIVE || r.activation == null) {
            return List.of();
        }
        transition(r, PluginState.STOPPING, null);
        PluginActivator.Activation a = r.activation;
        r.activation = null;
        try {
            String failure = activator.stop(r.label(), a, r.module().getClassLoader(), config.stopTimeout());
            if (failure != null) {
                r.addLifecycleProblem(Problem.plugin(Severity.WARNING, r.id, r.source, failure,
                        "make Plugin.stop release its resources without throwing"));
            }
            List<Problem> lingering = PluginThreads.lingering(r.id, r.source, r.label(), r.module(), r.isBoot());
            lingering.forEach(r::addLifecycleProblem);
            transition(r, PluginState.RESOLVED, null);
            return lingering;
        } catch (TimeoutException e) {
            String message = r.label() + " did not finish stopping within "
                    + PluginActivator.human(config.stopTimeout()) + "; it was abandoned";
            r.addLifecycleProblem(Problem.plugin(Severity.ERROR, r.id, r.source, message,
                    "make Plugin.stop return promptly; its layer cannot be unloaded while its thread runs"));
            transition(r, PluginState.FAILED, message);
            return List.of();
        }
    }

    private void uninstall(PluginRecord r) {
        stopRecord(r);
        if (r.layer != null) {
            // its jar readers close once calls still running in it have returned and its loader is collected
            layerFactory.retire(r.layer);
            r.layer = null;
        }
        r.dependencies = List.of();
        if (r.state != PluginState.UNINSTALLED) {
            transition(r, PluginState.UNINSTALLED, null);
        }
    }

    private void transition(PluginRecord r, PluginState to, String failure) {
        PluginState from = r.state;
        r.state = to;
        events.publish(new PluginEvent(r.id, r.semanticVersion(), r.source, from, to, failure));
    }
}
