package io.tessera.host.internal;

import io.tessera.api.plugin.Requirement;
import io.tessera.api.plugin.Version;
import io.tessera.api.plugin.VersionRange;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from descriptors alone, which plugins can get a layer and in which order: checks the API range, duplicate
 * ids, dependency cycles, missing and wrong-version dependencies, {@code module-info} requirements the manifest does
 * not declare, and split packages. Every problem is collected; one bad plugin only affects the plugins that need it.
 */
final class PluginResolver {

    /**
     * The outcome of a resolution.
     *
     * @param order        the resolvable folder plugins, every plugin after the plugins it requires
     * @param dependencies for each resolvable plugin, the plugins (boot or folder) it requires, in manifest order
     * @param problems     the problems of each plugin, resolvable or not (warnings included)
     * @param unresolved   the folder plugins that cannot be resolved
     */
    record Resolution(List<PluginCandidate> order, Map<PluginCandidate, List<PluginCandidate>> dependencies,
                      Map<PluginCandidate, List<Problem>> problems, Set<PluginCandidate> unresolved) {
    }

    private final List<PluginCandidate> boot;
    private final List<PluginCandidate> candidates;
    private final Version apiVersion;
    private final ModuleLayer apiLayer;

    private final Map<String, PluginCandidate> bootById = new HashMap<>();
    private final Map<String, PluginCandidate> winnerById = new HashMap<>();
    private final Map<PluginCandidate, List<Problem>> problems = new IdentityHashMap<>();
    private final Set<PluginCandidate> failed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<PluginCandidate> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<PluginCandidate, List<PluginCandidate>> dependencies = new IdentityHashMap<>();
    private final List<PluginCandidate> order = new ArrayList<>();

    private PluginResolver(List<PluginCandidate> boot, List<PluginCandidate> candidates, Version apiVersion,
                           ModuleLayer apiLayer) {
        this.boot = boot;
        this.candidates = candidates;
        this.apiVersion = apiVersion;
        this.apiLayer = apiLayer;
    }

    /**
     * Resolves folder plugins against the boot plugins (already running) and each other.
     *
     * @param apiLayer the layer holding {@code io.tessera.api}; {@code null} if the API is not a named module
     */
    static Resolution resolve(List<PluginCandidate> boot, List<PluginCandidate> candidates, Version apiVersion,
                              ModuleLayer apiLayer) {
        return new PluginResolver(boot, candidates, apiVersion, apiLayer).run();
    }

    private Resolution run() {
        for (PluginCandidate b : boot) {
            bootById.put(b.id(), b);
        }
        List<PluginCandidate> sorted = new ArrayList<>(candidates);
        sorted.sort(PluginCandidate.BY_ID_THEN_SOURCE);
        for (PluginCandidate c : sorted) {
            problems.put(c, new ArrayList<>(c.warnings()));
        }
        if (apiLayer == null) {
            for (PluginCandidate c : sorted) {
                error(c, c.label() + " cannot get a module layer: the host runs with io.tessera.api on the class "
                        + "path", "run the host with tessera-api on the module path (java --module-path ...)");
            }
        }
        pickWinners(sorted);
        for (PluginCandidate c : sorted) {
            if (!c.descriptor().apiRange().includes(apiVersion)) {
                error(c, c.label() + " needs Tessera API " + c.descriptor().apiRange() + " but this host provides "
                        + apiVersion, "use a build of the plugin made for API " + apiVersion
                        + ", or a host whose API is in " + c.descriptor().apiRange());
            }
        }
        findCycles(sorted);
        for (PluginCandidate c : sorted) {
            visit(c);
        }
        Set<PluginCandidate> unresolved = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        unresolved.addAll(failed);
        // identity keys: candidates are looked up as the same instances, and a record's hashCode costs a cold
        // invokedynamic bootstrap (ObjectMethods) plus hashing its module descriptor
        Map<PluginCandidate, List<Problem>> frozen = new IdentityHashMap<>();
        for (Map.Entry<PluginCandidate, List<Problem>> e : problems.entrySet()) {
            frozen.put(e.getKey(), List.copyOf(e.getValue()));
        }
        return new Resolution(List.copyOf(order), dependencies, frozen, unresolved);
    }

    // duplicate ids: a boot plugin wins; among folder plugins the highest version, then the first path
    private void pickWinners(List<PluginCandidate> sorted) {
        Map<String, List<PluginCandidate>> byId = new LinkedHashMap<>();
        for (PluginCandidate c : sorted) {
            List<PluginCandidate> same = byId.get(c.id());
            if (same == null) {
                same = new ArrayList<>(1);
                byId.put(c.id(), same);
            }
            same.add(c);
        }
        for (Map.Entry<String, List<PluginCandidate>> e : byId.entrySet()) {
            List<PluginCandidate> same = e.getValue();
            PluginCandidate winner = bootById.get(e.getKey());
            if (winner == null) {
                // the highest version; among equal versions the first path
                for (PluginCandidate c : same) {
                    if (winner == null) {
                        winner = c;
                        continue;
                    }
                    int byVersion = c.descriptor().version().compareTo(winner.descriptor().version());
                    if (byVersion > 0 || byVersion == 0 && c.sourceText().compareTo(winner.sourceText()) < 0) {
                        winner = c;
                    }
                }
                winnerById.put(e.getKey(), winner);
            }
            for (PluginCandidate c : same) {
                if (c != winner) {
                    error(c, c.label() + " has the same id as " + winner.label() + ", which is used instead "
                            + "(duplicate id)", "remove one of the two from the plugin folders");
                }
            }
        }
    }

    private void findCycles(List<PluginCandidate> sorted) {
        // Tarjan's strongly connected components over Tessera-Requires edges between winners
        Map<PluginCandidate, Integer> index = new IdentityHashMap<>();
        Map<PluginCandidate, Integer> low = new IdentityHashMap<>();
        Deque<PluginCandidate> stack = new ArrayDeque<>();
        Set<PluginCandidate> onStack = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        int[] counter = {0};
        for (PluginCandidate c : sorted) {
            if (winnerById.get(c.id()) == c && !index.containsKey(c)) {
                strongConnect(c, index, low, stack, onStack, counter);
            }
        }
    }

    private void strongConnect(PluginCandidate v, Map<PluginCandidate, Integer> index,
                               Map<PluginCandidate, Integer> low, Deque<PluginCandidate> stack,
                               Set<PluginCandidate> onStack, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (PluginCandidate w : requiredWinners(v)) {
            if (!index.containsKey(w)) {
                strongConnect(w, index, low, stack, onStack, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<PluginCandidate> component = new ArrayList<>();
            PluginCandidate w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (w != v);
            boolean selfLoop = requiredWinners(v).contains(v);
            if (component.size() > 1 || selfLoop) {
                for (PluginCandidate c : component) {
                    error(c, c.label() + " is part of a dependency cycle: " + cyclePath(c, component),
                            "remove the Tessera-Requires entry (or requires static) that closes the cycle; several "
                                    + "plugins may require the same one, but no plugin may require itself through "
                                    + "others");
                }
            }
        }
    }

    private String cyclePath(PluginCandidate start, List<PluginCandidate> component) {
        List<String> path = new ArrayList<>();
        Set<PluginCandidate> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        PluginCandidate current = start;
        while (current != null && seen.add(current)) {
            path.add(current.id());
            PluginCandidate next = null;
            for (PluginCandidate w : requiredWinners(current)) {
                if (component.contains(w)) {
                    next = w;
                    break;
                }
            }
            current = next;
        }
        path.add(current == null ? "?" : current.id());
        return String.join(" -> ", path);
    }

    private List<PluginCandidate> requiredWinners(PluginCandidate c) {
        List<PluginCandidate> result = new ArrayList<>();
        for (Requirement r : requirements(c)) {
            PluginCandidate w = winnerById.get(r.pluginId());
            if (w != null) {
                result.add(w);
            }
        }
        return result;
    }

    /** Depth-first resolution; returns whether {@code c} resolves. Cycles were already marked failed. */
    private boolean visit(PluginCandidate c) {
        if (done.contains(c)) {
            return !failed.contains(c);
        }
        done.add(c);
        if (failed.contains(c)) {
            return false;
        }
        List<PluginCandidate> deps = new ArrayList<>();
        boolean ok = true;
        for (Requirement r : requirements(c)) {
            PluginCandidate provider = bootById.getOrDefault(r.pluginId(), winnerById.get(r.pluginId()));
            if (r.optional()) {
                optional(c, r, provider).ifPresent(deps::add);
                continue;
            }
            if (provider == null) {
                String accepted = r.range().equals(VersionRange.ANY) ? "(any version)" : r.range().toString();
                error(c, c.label() + " requires " + r.pluginId() + " " + accepted + " but no plugin "
                        + r.pluginId() + " is installed", "add a jar of " + r.pluginId()
                        + (r.range().equals(VersionRange.ANY) ? "" : " in a version in " + r.range())
                        + " to a plugin folder, or mark the requirement optional (" + r.pluginId()
                        + ";resolution:=optional with requires static in module-info) if " + c.id()
                        + " can run without it");
                ok = false;
                continue;
            }
            Version found = provider.descriptor().version();
            if (!r.range().includes(found)) {
                error(c, c.label() + " requires " + r.pluginId() + " " + r.range() + " but found " + found + " ("
                        + provider.sourceText() + ")", "install " + r.pluginId() + " in a version in " + r.range()
                        + ", or a version of " + c.id() + " that accepts " + found);
                ok = false;
                continue;
            }
            if (!provider.isBoot() && !visit(provider)) {
                error(c, c.label() + " requires " + provider.label() + ", which cannot be resolved",
                        "fix the problems of " + provider.id() + " first");
                ok = false;
                continue;
            }
            deps.add(provider);
        }
        if (ok) {
            ok = checkModuleRequires(c, deps);
        }
        if (ok) {
            ok = checkSplitPackages(c, deps);
        }
        if (!ok || failed.contains(c)) {
            failed.add(c);
            return false;
        }
        dependencies.put(c, List.copyOf(deps));
        order.add(c);
        return true;
    }

    /**
     * What {@code c} requires: its {@code Tessera-Requires} entries, plus an optional requirement (any version) for
     * each {@code requires static} of its module-info that names an installed plugin the manifest does not list.
     * module-info is the source of truth for optional plugins; the manifest only adds a version range.
     */
    private List<Requirement> requirements(PluginCandidate c) {
        List<Requirement> declared = c.descriptor().requires();
        List<Requirement> result = null;
        for (ModuleDescriptor.Requires req : c.module().requires()) {
            String name = req.name();
            if (req.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC) && !name.equals(c.id())
                    && (bootById.containsKey(name) || winnerById.containsKey(name))
                    && declared.stream().noneMatch(r -> r.pluginId().equals(name))) {
                if (result == null) {
                    result = new ArrayList<>(declared);
                }
                result.add(new Requirement(name, VersionRange.ANY, true));
            }
        }
        return result == null ? declared : result;
    }

    /**
     * An optional requirement: the provider if it is installed, accepted and resolvable; otherwise nothing, and a
     * warning when it is there but cannot be used, so that the author knows why {@code c} runs without it.
     */
    private Optional<PluginCandidate> optional(PluginCandidate c, Requirement r, PluginCandidate provider) {
        ModuleDescriptor.Requires req = c.module().requires().stream().filter(q -> q.name().equals(r.pluginId()))
                .findFirst().orElse(null);
        if (req == null) {
            warning(c, c.label() + " lists " + r.pluginId() + " as optional in Tessera-Requires, but its module-info "
                    + "does not require it, so it could never read it", "add requires static " + r.pluginId()
                    + "; to module-info, or remove the entry");
            return Optional.empty();
        }
        if (!req.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
            warning(c, c.label() + " lists " + r.pluginId() + " as optional in Tessera-Requires, but its module-info "
                    + "requires it without static, so it cannot start without it", "write requires static "
                    + r.pluginId() + "; in module-info, or drop resolution:=optional");
        }
        if (provider == null) {
            return Optional.empty();
        }
        Version found = provider.descriptor().version();
        if (!r.range().includes(found)) {
            warning(c, c.label() + " runs without its optional " + r.pluginId() + ": it accepts " + r.range()
                    + " but found " + found + " (" + provider.sourceText() + ")", "install " + r.pluginId()
                    + " in a version in " + r.range() + " to use it");
            return Optional.empty();
        }
        if (!provider.isBoot() && !visit(provider)) {
            warning(c, c.label() + " runs without its optional " + provider.label() + ", which cannot be resolved",
                    "fix the problems of " + provider.id() + " to use it");
            return Optional.empty();
        }
        return Optional.of(provider);
    }

    // every 'requires' of module-info must be satisfiable by the layer's parents or the plugin's own folder
    private boolean checkModuleRequires(PluginCandidate c, List<PluginCandidate> deps) {
        boolean ok = true;
        Set<String> declared = new HashSet<>();
        for (Requirement r : requirements(c)) {
            declared.add(r.pluginId());
        }
        for (ModuleDescriptor.Requires req : c.module().requires()) {
            if (req.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                continue;
            }
            String name = req.name();
            boolean isPlugin = bootById.containsKey(name) || winnerById.containsKey(name);
            if (isPlugin && !declared.contains(name) && !bootById.containsKey(name)) {
                error(c, c.label() + ": module-info requires " + name + " but Tessera-Requires does not list it "
                        + "(manifest/module mismatch)", "add " + name + ";version=\"[x.y,z)\" to Tessera-Requires");
                ok = false;
            } else if (!isPlugin && !inApiLayer(name) && c.finder().find(name).isEmpty()) {
                error(c, c.label() + ": module-info requires module " + name + ", which is neither a plugin, nor in "
                        + "the host, nor a jar beside the plugin", "put " + name + "'s jar beside the plugin jar in "
                        + "a folder of its own, e.g. plugins/" + c.id() + "/");
                ok = false;
            }
        }
        return ok;
    }

    private boolean inApiLayer(String module) {
        return apiLayer != null && apiLayer.findModule(module).isPresent();
    }

    // JPMS forbids a module to contain a package it also reads from another module, or to read a package from two
    private boolean checkSplitPackages(PluginCandidate c, List<PluginCandidate> deps) {
        Map<String, String> exportedToC = new HashMap<>();
        boolean ok = true;
        for (ModuleDescriptor read : readModules(c, deps)) {
            String owner = null;
            for (ModuleDescriptor.Exports e : read.exports()) {
                if (e.isQualified() && !e.targets().contains(c.id())) {
                    continue;
                }
                if (owner == null) {
                    owner = ownerLabel(read.name(), deps);
                }
                String previous = exportedToC.putIfAbsent(e.source(), owner);
                if (previous != null && !previous.equals(owner)) {
                    error(c, c.label() + " reads package " + e.source() + " from both " + previous + " and " + owner
                            + " (split package)", "keep the package in one module only");
                    ok = false;
                }
            }
        }
        for (String pkg : c.module().packages()) {
            String owner = exportedToC.get(pkg);
            if (owner != null) {
                error(c, c.label() + " contains package " + pkg + ", which " + owner + " also exports to it (split "
                        + "package)", "rename the package in " + c.id() + " or move the classes into " + owner);
                ok = false;
            }
        }
        return ok;
    }

    private String ownerLabel(String moduleName, List<PluginCandidate> deps) {
        for (PluginCandidate d : deps) {
            if (d.id().equals(moduleName)) {
                return d.label();
            }
        }
        return "module " + moduleName;
    }

    /** The modules {@code c} reads: its direct requires and everything they require transitively. */
    private List<ModuleDescriptor> readModules(PluginCandidate c, List<PluginCandidate> deps) {
        Map<String, ModuleDescriptor> result = new LinkedHashMap<>();
        Deque<ModuleDescriptor.Requires> work = new ArrayDeque<>(c.module().requires());
        while (!work.isEmpty()) {
            ModuleDescriptor.Requires req = work.poll();
            if (result.containsKey(req.name())) {
                continue;
            }
            Optional<ModuleDescriptor> md = lookup(req.name(), c, deps);
            if (md.isEmpty()) {
                continue;
            }
            result.put(req.name(), md.get());
            for (ModuleDescriptor.Requires next : md.get().requires()) {
                if (next.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)) {
                    work.add(next);
                }
            }
        }
        return new ArrayList<>(result.values());
    }

    private Optional<ModuleDescriptor> lookup(String name, PluginCandidate c, List<PluginCandidate> deps) {
        for (PluginCandidate d : deps) {
            if (d.id().equals(name)) {
                return Optional.of(d.module());
            }
        }
        Optional<ModuleReference> own = c.finder().find(name);
        if (own.isPresent()) {
            return Optional.of(own.get().descriptor());
        }
        if (apiLayer != null) {
            Optional<Module> inApi = apiLayer.findModule(name);
            return inApi.isPresent() ? Optional.of(inApi.get().getDescriptor()) : Optional.empty();
        }
        return Optional.empty();
    }

    private void warning(PluginCandidate c, String message, String hint) {
        problems.computeIfAbsent(c, k -> new ArrayList<>()).add(Problem.plugin(Severity.WARNING, c.id(),
                c.sourceText(), message, hint));
    }

    private void error(PluginCandidate c, String message, String hint) {
        List<Problem> list = problems.get(c);
        if (list == null) {
            list = new ArrayList<>();
            problems.put(c, list);
        }
        list.add(Problem.plugin(Severity.ERROR, c.id(), c.sourceText(), message, hint));
        failed.add(c);
    }
}
