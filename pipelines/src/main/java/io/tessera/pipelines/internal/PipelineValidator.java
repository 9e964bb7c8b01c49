package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Port;
import io.tessera.api.problem.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Checks a pipeline tree before anything runs and collects every problem, each at its location: the document's
 * shape, unknown keys, unknown steps (with "did you mean"), config keys, types and ranges (from the step's record),
 * inputs (unknown port, missing step or output, wrong type, missing required input), cycles and the backend name.
 */
final class PipelineValidator {
    static final List<String> TOP_LEVEL_KEYS = List.of("name", "description", "backend", "seed", "plugins", "steps",
            "outputs");
    static final List<String> STEP_KEYS = List.of("uses", "with", "inputs", "description", "seed", "matrix", "retries",
            "executor", "max_parallel", "spark");

    private final StepCatalog catalog;
    private final Collection<String> backends;
    private final Set<String> executors;
    private final List<Problem> problems = new ArrayList<>();
    private long pipelineSeed;

    private PipelineValidator(StepCatalog catalog, Collection<String> backends, Set<String> executors) {
        this.catalog = catalog;
        this.backends = backends;
        this.executors = executors;
    }

    /** The validated pipeline, or empty with problems added to {@code out}. */
    static Optional<ValidatedPipeline> validate(Node root, String source, StepCatalog catalog,
            Collection<String> backends, Set<String> executors, List<Problem> out) {
        PipelineValidator v = new PipelineValidator(catalog, backends, executors);
        Optional<ValidatedPipeline> result = v.run(root, source);
        out.addAll(v.problems);
        return v.problems.isEmpty() ? result : Optional.empty();
    }

    private void problem(Loc loc, String path, String message) {
        problems.add(Problems.at(loc, path, message));
    }

    private Optional<ValidatedPipeline> run(Node root, String source) {
        if (!(root instanceof MappingNode top)) {
            problem(YamlTree.loc(root), "", "a pipeline is a map with 'name:' and 'steps:', found " + YamlTree.describe(root));
            return Optional.empty();
        }
        for (YamlTree.Entry e : YamlTree.entries(top)) {
            if (!TOP_LEVEL_KEYS.contains(e.key())) {
                problem(e.keyLoc(), e.key(), "unknown key '" + e.key() + "'" + Suggestions.hint(e.key(),
                        TOP_LEVEL_KEYS) + "; a pipeline has: " + String.join(", ", TOP_LEVEL_KEYS));
            }
        }
        String name = "";
        Optional<YamlTree.Entry> nameEntry = YamlTree.entry(top, "name");
        if (nameEntry.isEmpty()) {
            problem(YamlTree.loc(top), "name", "missing 'name:' (it names the run folders, e.g. name: quickstart)");
        } else if (!(YamlTree.scalar(nameEntry.get().value()) instanceof String str)
                || !str.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            problem(YamlTree.loc(nameEntry.get().value()), "name", "'name' must be a word of letters, digits, '.', '_' or"
                    + " '-' (it names the run folder), found " + YamlTree.describe(nameEntry.get().value()));
        } else {
            name = str;
        }
        String backend = "auto";
        Optional<YamlTree.Entry> backendEntry = YamlTree.entry(top, "backend");
        if (backendEntry.isPresent()) {
            Node b = backendEntry.get().value();
            if (YamlTree.scalar(b) instanceof String str) {
                String lower = str.strip().toLowerCase(java.util.Locale.ROOT);
                if (!backends.contains(lower)) {
                    problem(YamlTree.loc(b), "backend", "unknown backend '" + str + "'" + Suggestions.hint(lower, backends)
                            + "; use one of: " + String.join(", ", new TreeSet<>(backends)));
                } else {
                    backend = lower;
                }
            } else {
                problem(YamlTree.loc(b), "backend", "'backend' must be cpu, gpu or auto, found " + YamlTree.describe(b));
            }
        }
        YamlTree.get(top, "plugins").ifPresent(p -> {
            if (PluginFolders.names(p) == null) {
                problem(YamlTree.loc(p), "plugins", "'plugins' must list folders of plugin jars, relative to this "
                        + "file (plugins: [plugins, ../more-plugins]), found " + YamlTree.describe(p));
            }
        });
        long seed = 0;
        Optional<YamlTree.Entry> seedEntry = YamlTree.entry(top, "seed");
        if (seedEntry.isPresent()) {
            Node s = seedEntry.get().value();
            if (YamlTree.scalar(s) instanceof Long l) {
                seed = l;
                pipelineSeed = l;
            } else {
                problem(YamlTree.loc(s), "seed", "'seed' must be an integer, found " + YamlTree.describe(s));
            }
        }
        Optional<YamlTree.Entry> stepsEntry = YamlTree.entry(top, "steps");
        if (stepsEntry.isEmpty()) {
            problem(YamlTree.loc(top), "steps", "missing 'steps:', the map of step id to { uses: ..., with: ..., inputs: ..."
                    + " }");
            return Optional.empty();
        }
        if (!(stepsEntry.get().value() instanceof MappingNode stepsMap) || YamlTree.entries(stepsMap).isEmpty()) {
            problem(YamlTree.loc(stepsEntry.get().value()), "steps", "'steps' must be a map of step id to step with at"
                    + " least one step, found " + YamlTree.describe(stepsEntry.get().value()));
            return Optional.empty();
        }

        // Pass 1: each step on its own (id, keys, uses, config).
        Map<String, StepDraft> drafts = new LinkedHashMap<>();
        for (YamlTree.Entry e : YamlTree.entries(stepsMap)) {
            StepDraft d = step(e);
            if (d != null) {
                drafts.put(e.key(), d);
            }
        }
        // the ids of fan-out items must not be step ids
        for (Map.Entry<String, StepDraft> e : drafts.entrySet()) {
            if (e.getValue().fanOut() != null) {
                for (FanOut.Item item : e.getValue().fanOut().items()) {
                    if (drafts.containsKey(item.id())) {
                        problem(drafts.get(item.id()).keyLoc(), "steps." + item.id(), "step id '" + item.id()
                                + "' is also the id of item " + item.index() + " of fan-out step '" + e.getKey()
                                + "' (items are <step>-<index>); rename one of the steps");
                    }
                }
            }
        }
        // Pass 2: inputs, which need every step's outputs.
        Map<String, Map<String, List<ValidatedPipeline.Ref>>> inputs = new LinkedHashMap<>();
        Map<String, Map<String, Loc>> edgeLocs = new HashMap<>();
        for (YamlTree.Entry e : YamlTree.entries(stepsMap)) {
            StepDraft d = drafts.get(e.key());
            if (d == null) {
                continue;
            }
            Map<String, Loc> edges = new LinkedHashMap<>();
            inputs.put(e.key(), inputs(e.key(), d, stepsMap, drafts, edges));
            edgeLocs.put(e.key(), edges);
        }
        Map<String, ValidatedPipeline.Ref> outputs = outputs(top, stepsMap, drafts);
        List<String> order = order(stepsMap, inputs, edgeLocs);
        if (!problems.isEmpty() || order == null) {
            return Optional.empty();
        }
        List<ValidatedPipeline.StepNode> nodes = new ArrayList<>();
        for (String id : order) {
            StepDraft d = drafts.get(id);
            Set<String> deps = new LinkedHashSet<>();
            inputs.get(id).values().forEach(refs -> refs.forEach(r -> deps.add(r.step())));
            nodes.add(new ValidatedPipeline.StepNode(id, d.entry.step().name(), d.entry.step(), d.entry.schema(),
                    d.config, inputs.get(id), deps, d.seed, d.fanOut));
        }
        return Optional.of(new ValidatedPipeline(name, backend, seed, nodes, outputs, source));
    }

    /** A step after pass 1. */
    private record StepDraft(StepCatalog.Entry entry, Record config, MappingNode node, Loc keyLoc, Long seed,
                             FanOut fanOut) {
    }

    private StepDraft step(YamlTree.Entry e) {
        String id = e.key();
        String path = "steps." + id;
        if (!id.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
            problem(e.keyLoc(), path, "step id '" + id + "' must start with a letter or '_' and hold only letters,"
                    + " digits, '_' and '-' (inputs refer to it as " + id + ".<output>)");
        }
        if (!(e.value() instanceof MappingNode node)) {
            problem(YamlTree.loc(e.value()), path, "step '" + id + "' must be a map like { uses: core/train, with: {...},"
                    + " inputs: {...} }, found " + YamlTree.describe(e.value()));
            return null;
        }
        for (YamlTree.Entry k : YamlTree.entries(node)) {
            if (!STEP_KEYS.contains(k.key())) {
                problem(k.keyLoc(), path + "." + k.key(), "step '" + id + "' has unknown key '" + k.key() + "'"
                        + Suggestions.hint(k.key(), STEP_KEYS) + "; a step has: " + String.join(", ", STEP_KEYS));
            }
        }
        Optional<YamlTree.Entry> uses = YamlTree.entry(node, "uses");
        if (uses.isEmpty()) {
            problem(YamlTree.loc(node), path, "step '" + id + "' has no 'uses:'; name the step type, e.g. uses: core/train"
                    + " (tessera steps lists them)");
            return null;
        }
        if (!(YamlTree.scalar(uses.get().value()) instanceof String usesName)) {
            problem(YamlTree.loc(uses.get().value()), path + ".uses", "'uses' must be a step name such as core/train, found "
                    + YamlTree.describe(uses.get().value()));
            return null;
        }
        Optional<StepCatalog.Entry> entry = catalog.find(usesName);
        if (entry.isEmpty()) {
            problem(YamlTree.loc(uses.get().value()), path + ".uses", "step '" + id + "' uses '" + usesName
                    + "' but no active plugin provides it" + Suggestions.hint(usesName, catalog.names())
                    + "; run 'tessera steps' for the list, and load the plugin's folder with --plugins-dir, "
                    + "TESSERA_PLUGINS or the pipeline's plugins: key");
            return null;
        }
        Node with = YamlTree.get(node, "with").orElse(null);
        Loc withLoc = YamlTree.entry(node, "with").map(YamlTree.Entry::keyLoc).orElse(uses.get().keyLoc());
        Optional<Record> config = entry.get().schema().build(with, withLoc, path + ".with", problems);
        Long seed = FanOutChecks.seed(node, path, problems);
        long stepSeed = seed != null ? seed : PipelineEngine.stepSeed(pipelineSeed, id);
        FanOut fanOut = FanOutChecks.check(id, node, path, entry.get(), config.orElse(null), stepSeed, executors,
                problems);
        return new StepDraft(entry.get(), config.orElse(null), node, e.keyLoc(), seed, fanOut);
    }

    private Map<String, List<ValidatedPipeline.Ref>> inputs(String id, StepDraft d, MappingNode stepsMap,
            Map<String, StepDraft> drafts, Map<String, Loc> edges) {
        String path = "steps." + id + ".inputs";
        Map<String, List<ValidatedPipeline.Ref>> out = new LinkedHashMap<>();
        List<Port> ports = d.entry().step().inputs();
        List<String> portNames = ports.stream().map(Port::name).toList();
        Optional<Node> node = YamlTree.get(d.node(), "inputs");
        Set<String> given = new HashSet<>();
        if (node.isPresent() && !(YamlTree.isNull(node.get()))) {
            if (!(node.get() instanceof MappingNode map)) {
                problem(YamlTree.loc(node.get()), path, "'inputs' must map input names to <step>.<output>, found "
                        + YamlTree.describe(node.get()));
                return out;
            }
            for (YamlTree.Entry in : YamlTree.entries(map)) {
                String inPath = path + "." + in.key();
                Optional<Port> port = ports.stream().filter(p -> p.name().equals(in.key())).findFirst();
                if (port.isEmpty()) {
                    problem(in.keyLoc(), inPath, "step '" + id + "' (" + d.entry().step().name()
                            + ") has no input '" + in.key() + "'" + Suggestions.hint(in.key(), portNames)
                            + (portNames.isEmpty() ? "; it takes no inputs" : "; its inputs are: "
                            + String.join(", ", portNames)));
                    continue;
                }
                given.add(in.key());
                boolean many = port.get().type() == List.class;
                List<Node> items = in.value() instanceof SequenceNode l ? l.getValue() : List.of(in.value());
                if (!many && items.size() != 1) {
                    problem(YamlTree.loc(in.value()), inPath, "input '" + in.key() + "' of step '" + id + "' takes one"
                            + " <step>.<output>, found a list of " + items.size());
                    continue;
                }
                List<ValidatedPipeline.Ref> refs = new ArrayList<>();
                for (Node item : items) {
                    ValidatedPipeline.Ref ref = reference(item, inPath, id, stepsMap, drafts);
                    if (ref == null) {
                        continue;
                    }
                    Optional<Port> out2 = drafts.get(ref.step()).entry().step().outputs().stream()
                            .filter(p -> p.name().equals(ref.output())).findFirst();
                    FanOut producerFan = drafts.get(ref.step()).fanOut();
                    if (producerFan != null && out2.isPresent()) {
                        String fanProblem = fanOutInput(ref, out2.get(), producerFan, many, in.key(), id);
                        if (fanProblem != null) {
                            problem(YamlTree.loc(item), inPath, fanProblem);
                            continue;
                        }
                        refs.add(ref);
                        edges.putIfAbsent(ref.step(), YamlTree.loc(item));
                        continue;
                    }
                    if (out2.isPresent() && !many && !port.get().type().isAssignableFrom(out2.get().type())) {
                        problem(YamlTree.loc(item), inPath, "input '" + in.key() + "' of step '" + id + "' takes "
                                + article(port.get().type().getSimpleName()) + " but " + ref + " is "
                                + article(out2.get().type().getSimpleName()));
                        continue;
                    }
                    refs.add(ref);
                    edges.putIfAbsent(ref.step(), YamlTree.loc(item));
                }
                out.put(in.key(), refs);
            }
        }
        for (Port p : ports) {
            if (p.required() && !given.contains(p.name())) {
                problem(d.keyLoc(), path, "step '" + id + "' (" + d.entry().step().name() + ") needs input '"
                        + p.name() + "' (" + p.type().getSimpleName() + (p.description().isEmpty() ? ""
                        : ": " + p.description()) + "); add inputs: { " + p.name() + ": <step>.<output> }");
            }
        }
        return out;
    }

    private ValidatedPipeline.Ref reference(Node item, String path, String id, MappingNode stepsMap,
            Map<String, StepDraft> drafts) {
        if (!(YamlTree.scalar(item) instanceof String text)
                || !text.matches("[^.\\s]+\\.[^.\\s]+")) {
            problem(YamlTree.loc(item), path, "an input is <step>.<output> such as data.train, found " + YamlTree.describe(item));
            return null;
        }
        String[] parts = text.split("\\.");
        List<String> ids = YamlTree.entries(stepsMap).stream().map(YamlTree.Entry::key).toList();
        if (!ids.contains(parts[0])) {
            problem(YamlTree.loc(item), path, "'" + text + "' refers to step '" + parts[0] + "', which this pipeline does"
                    + " not have" + Suggestions.hint(parts[0], ids));
            return null;
        }
        if (parts[0].equals(id)) {
            problem(YamlTree.loc(item), path, "step '" + id + "' reads its own output '" + text + "'; a step can only read"
                    + " steps before it");
            return null;
        }
        StepDraft producer = drafts.get(parts[0]);
        if (producer == null) {
            return null; // that step has its own problem already
        }
        List<String> outs = producer.entry().step().outputs().stream().map(Port::name).toList();
        if (!outs.contains(parts[1])) {
            problem(YamlTree.loc(item), path, "step '" + parts[0] + "' (" + producer.entry().step().name()
                    + ") has no output '" + parts[1] + "'" + Suggestions.hint(parts[1], outs) + "; its outputs are: "
                    + String.join(", ", outs));
            return null;
        }
        return new ValidatedPipeline.Ref(parts[0], parts[1]);
    }

    private Map<String, ValidatedPipeline.Ref> outputs(MappingNode top, MappingNode stepsMap,
            Map<String, StepDraft> drafts) {
        Map<String, ValidatedPipeline.Ref> out = new LinkedHashMap<>();
        Optional<Node> node = YamlTree.get(top, "outputs");
        if (node.isEmpty() || (YamlTree.isNull(node.get()))) {
            return out;
        }
        if (!(node.get() instanceof MappingNode map)) {
            problem(YamlTree.loc(node.get()), "outputs", "'outputs' must map names to <step>.<output>, found "
                    + YamlTree.describe(node.get()));
            return out;
        }
        for (YamlTree.Entry e : YamlTree.entries(map)) {
            ValidatedPipeline.Ref ref = reference(e.value(), "outputs." + e.key(), "", stepsMap, drafts);
            if (ref != null) {
                out.put(e.key(), ref);
            }
        }
        return out;
    }

    /** A topological order (file order among independent steps), or null after reporting each cycle. */
    private List<String> order(MappingNode stepsMap, Map<String, Map<String, List<ValidatedPipeline.Ref>>> inputs,
            Map<String, Map<String, Loc>> edgeLocs) {
        List<String> ids = new ArrayList<>(inputs.keySet());
        Map<String, Set<String>> deps = new LinkedHashMap<>();
        for (String id : ids) {
            Set<String> d = new LinkedHashSet<>();
            inputs.get(id).values().forEach(refs -> refs.forEach(r -> d.add(r.step())));
            d.retainAll(inputs.keySet());
            deps.put(id, d);
        }
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String id : ids) {
                if (!done.contains(id) && done.containsAll(deps.get(id))) {
                    done.add(id);
                    order.add(id);
                    progress = true;
                }
            }
        }
        if (order.size() == ids.size()) {
            return order;
        }
        // Report each cycle once, at the input that closes it.
        Set<String> reported = new HashSet<>();
        for (String start : ids) {
            if (done.contains(start) || reported.contains(start)) {
                continue;
            }
            List<String> cycle = findCycle(start, deps, done);
            if (cycle == null || cycle.stream().anyMatch(reported::contains)) {
                continue;
            }
            reported.addAll(cycle);
            String first = cycle.get(0);
            String read = cycle.size() > 1 ? cycle.get(1) : first;
            Loc loc = edgeLocs.getOrDefault(first, Map.of()).getOrDefault(read, YamlTree.loc(stepsMap));
            List<String> shown = new ArrayList<>(cycle);
            shown.add(first);
            List<String> arrow = new ArrayList<>(shown);
            java.util.Collections.reverse(arrow);
            problem(loc, "steps." + first + ".inputs", "steps form a cycle: " + String.join(" -> ", arrow)
                    + " (each reads the output of the one before); a pipeline must be a DAG, so remove one of these"
                    + " inputs");
        }
        return null;
    }

    /** A cycle through {@code start} following dependencies among unfinished steps, as [start, dep, dep's dep...]. */
    private static List<String> findCycle(String start, Map<String, Set<String>> deps, Set<String> done) {
        Map<String, String> parent = new HashMap<>();
        List<String> stack = new ArrayList<>();
        stack.add(start);
        Set<String> seen = new HashSet<>();
        seen.add(start);
        while (!stack.isEmpty()) {
            String cur = stack.remove(stack.size() - 1);
            for (String d : deps.get(cur)) {
                if (done.contains(d)) {
                    continue;
                }
                if (d.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String s = cur; s != null; s = parent.get(s)) {
                        path.add(0, s);
                    }
                    return path;
                }
                if (seen.add(d)) {
                    parent.put(d, cur);
                    stack.add(d);
                }
            }
        }
        return null;
    }

    /** Why a fan-out step's output cannot feed this input, or null when it can. */
    private static String fanOutInput(ValidatedPipeline.Ref ref, Port output, FanOut fan, boolean many, String port,
            String id) {
        if (output.type() != io.tessera.api.pipeline.Metrics.class) {
            return "step '" + ref.step() + "' fans out over " + fan.size() + " items, and only its Metrics"
                    + " outputs reach other steps (as a list, one per item); '" + ref.output() + "' ("
                    + output.type().getSimpleName() + ") stays in each item's folder steps/" + ref.step()
                    + "/items/<index>/. Evaluate inside the sweep or read the item's files";
        }
        if (!many) {
            return "step '" + ref.step() + "' fans out over " + fan.size() + " items, so " + ref + " is a list"
                    + " of " + fan.size() + " Metrics; input '" + port + "' of step '" + id + "' takes one."
                    + " Feed it to a list input such as core/compare's metrics";
        }
        return null;
    }

    private static String article(String noun) {
        return ("AEIOUaeiou".indexOf(noun.isEmpty() ? 'x' : noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }
}
