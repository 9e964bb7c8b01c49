package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Metrics;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.executor.FanOutJob;
import io.tessera.pipelines.executor.ItemExecutor;
import io.tessera.pipelines.executor.ItemOutcome;
import io.tessera.pipelines.executor.ItemSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one fan-out step (docs/pipelines.md, "Fan-out"): each item is the step with the item's config and seed, in its
 * own folder {@code steps/<step>/items/<index>/} with its own checkpoints, log and metrics ({@code <step>-<index>}).
 * An item's outcome is written to {@code item.json} in its folder the moment it finishes, so a resumed run skips
 * it. Items run on the local pool or on an {@link ItemExecutor}; a failed item is retried, then reported, and the
 * step fails only after every other item has finished. The step's outputs are its {@code Metrics} outputs, one list
 * per port in matrix order.
 */
final class FanOutRun {
    /** Heap an item is assumed to need when the local pool is sized to the heap. */
    static final long ITEM_HEAP = 512L << 20;

    private final ValidatedPipeline.StepNode node;
    private final FanOut fan;
    private final ValidatedPipeline pipeline;
    private final Map<String, Object> resolved;
    private final RunFolder folder;
    private final LineFiles lines;
    private final ServiceRegistry services;
    private final Supplier<TensorBackend> backend;
    private final String backendName;
    private final RunRecord record;
    private final Consumer<PipelineEvent> events;
    private final BooleanSupplier cancelled;
    private final System.Logger log;
    private final ItemOutcome[] outcomes;
    private final AtomicInteger finished = new AtomicInteger();

    FanOutRun(ValidatedPipeline.StepNode node, ValidatedPipeline pipeline, Map<String, Object> resolved,
            RunFolder folder, LineFiles lines, ServiceRegistry services, Supplier<TensorBackend> backend,
            String backendName, RunRecord record, Consumer<PipelineEvent> events, BooleanSupplier cancelled,
            System.Logger log) {
        this.node = node;
        this.fan = node.fanOut();
        this.pipeline = pipeline;
        this.resolved = resolved;
        this.folder = folder;
        this.lines = lines;
        this.services = services;
        this.backend = backend;
        this.backendName = backendName;
        this.record = record;
        this.events = events;
        this.cancelled = cancelled;
        this.log = log;
        this.outcomes = new ItemOutcome[fan.items().size()];
    }

    Path itemDir(int index) {
        return folder.stepDir(node.id()).resolve("items").resolve(Integer.toString(index));
    }

    /** Runs the items not yet finished; returns the gathered outputs or throws naming the failed items. */
    PortValues run(PortValues in) throws Exception {
        List<FanOut.Item> todo = new ArrayList<>();
        for (FanOut.Item item : fan.items()) {
            ItemOutcome done = previous(item);
            if (done != null) {
                outcomes[item.index()] = done;
                replay(done);
                finished.incrementAndGet();
                log.log(System.Logger.Level.INFO, "item " + item.id() + " (" + label(item) + ") finished in an earlier"
                        + " attempt of this run; skipped");
            } else {
                record.status(item.id(), "pending", -1);
                todo.add(item);
            }
        }
        int total = fan.items().size();
        events.accept(new PipelineEvent.StepProgress(node.id(), finished.get(), total, todo.size() + " of " + total
                + " items to run on executor " + fan.executor()));
        log.log(System.Logger.Level.INFO, "fan-out over " + total + " items (" + (total - todo.size())
                + " already finished) on executor " + fan.executor() + ", " + fan.retries() + " retries per item");
        if (!todo.isEmpty()) {
            if (fan.executor().equals(FanOutChecks.LOCAL)) {
                runLocal(todo, in);
            } else {
                runOn(ItemExecutors.all(services).get(fan.executor()), todo);
            }
        }
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("cancelled during fan-out step '" + node.id() + "'");
        }
        List<String> failures = new ArrayList<>();
        for (FanOut.Item item : fan.items()) {
            ItemOutcome o = outcomes[item.index()];
            if (o == null) {
                failures.add(item.id() + " (" + label(item) + "): the executor returned without running it");
            } else if (!o.succeeded()) {
                failures.add(item.id() + " (" + label(item) + ") after " + o.attempts() + " attempt"
                        + (o.attempts() == 1 ? "" : "s") + ": " + o.message());
            }
        }
        summarize();
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + total + " items failed: "
                    + String.join("; ", failures.subList(0, Math.min(5, failures.size())))
                    + (failures.size() > 5 ? "; ..." : "") + ". The " + (total - failures.size()) + " finished items"
                    + " are kept in " + folder.stepDir(node.id()).resolve("items") + "; --resume runs only the failed"
                    + " ones");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Port p : node.step().outputs()) {
            if (p.type() == Metrics.class) {
                List<Metrics> list = new ArrayList<>();
                for (ItemOutcome o : outcomes) {
                    Metrics m = o.outputs().get(p.name());
                    if (m != null) {
                        list.add(m);
                    }
                }
                out.put(p.name(), List.copyOf(list));
            }
        }
        return new PortValues(out);
    }

    /** The step's own metrics: item counts and, for each metric every item has, its mean and standard deviation. */
    private void summarize() {
        int ok = 0;
        Map<String, List<Double>> byName = new LinkedHashMap<>();
        for (ItemOutcome o : outcomes) {
            if (o != null && o.succeeded()) {
                ok++;
                o.metrics().forEach((k, v) -> byName.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
        }
        record.metric(node.id(), "items", outcomes.length);
        record.metric(node.id(), "items_succeeded", ok);
        for (Map.Entry<String, List<Double>> e : byName.entrySet()) {
            List<Double> v = e.getValue();
            if (v.size() != ok || ok == 0) {
                continue;
            }
            double mean = v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
            double sq = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            record.metric(node.id(), e.getKey() + "_mean", mean);
            record.metric(node.id(), e.getKey() + "_std", v.size() > 1 ? Math.sqrt(sq / (v.size() - 1)) : 0.0);
        }
    }

    /** The outcome an earlier attempt of this run wrote, when the item succeeded. */
    private ItemOutcome previous(FanOut.Item item) throws IOException {
        Path file = itemDir(item.index()).resolve("item.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            ItemOutcome o = ItemOutcome.fromJson(Files.readString(file));
            return o.succeeded() && o.id().equals(item.id()) ? o : null;
        } catch (IllegalArgumentException e) {
            log.log(System.Logger.Level.WARNING, file + " is unreadable (" + e.getMessage() + "); item " + item.id()
                    + " runs again");
            return null;
        }
    }

    /** Puts an outcome into the run's record (metrics.json, run.json). */
    private void replay(ItemOutcome o) {
        if (o.succeeded()) {
            o.metrics().forEach((k, v) -> record.metric(o.id(), k, v));
            o.epochs().forEach((e, v) -> record.epoch(o.id(), e, v));
        }
        record.status(o.id(), o.succeeded() ? "succeeded" : "failed", o.seconds());
    }

    /** Records a finished item: {@code item.json} first (what resume reads), then the record, log and progress. */
    private synchronized void finish(ItemOutcome o) {
        if (o.index() < 0 || o.index() >= outcomes.length || !fan.items().get(o.index()).id().equals(o.id())) {
            log.log(System.Logger.Level.WARNING, "an executor reported an unknown item " + o.id() + " #" + o.index());
            return;
        }
        if (outcomes[o.index()] != null && outcomes[o.index()].succeeded()) {
            return; // a speculative or repeated task: the first success stands
        }
        try {
            Files.createDirectories(itemDir(o.index()));
            AtomicFiles.writeString(itemDir(o.index()).resolve("item.json"), o.toJson() + "\n");
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot write item.json of " + o.id() + ": " + e.getMessage()
                    + "; a resumed run will run it again");
        }
        outcomes[o.index()] = o;
        if (!o.succeeded() || !fan.executor().equals(FanOutChecks.LOCAL)) {
            replay(o);
        } else {
            record.status(o.id(), "succeeded", o.seconds());
        }
        int n = finished.incrementAndGet();
        FanOut.Item item = fan.items().get(o.index());
        String line = "item " + o.id() + " (" + label(item) + ") " + (o.succeeded() ? "succeeded" : "failed")
                + String.format(" in %.1f s", o.seconds()) + (o.attempts() > 1 ? " after " + o.attempts()
                + " attempts" : "") + (o.where().isEmpty() ? "" : " on " + o.where())
                + (o.succeeded() ? "" : ": " + o.message());
        log.log(o.succeeded() ? System.Logger.Level.INFO : System.Logger.Level.ERROR, line);
        events.accept(new PipelineEvent.StepProgress(node.id(), n, outcomes.length, line));
    }

    private static String label(FanOut.Item item) {
        StringBuilder b = new StringBuilder();
        item.values().forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }

    // ---- executor: local ----

    /** Items at once on this machine: {@code max_parallel}, else the cores, bounded by the free heap. */
    static int localParallelism(int maxParallel, int items) {
        if (maxParallel > 0) {
            return Math.min(maxParallel, items);
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        int byHeap = (int) Math.max(1, free / ITEM_HEAP);
        return Math.max(1, Math.min(items, Math.min(rt.availableProcessors(), byHeap)));
    }

    private void runLocal(List<FanOut.Item> todo, PortValues in) throws InterruptedException {
        int threads = localParallelism(fan.maxParallel(), todo.size());
        log.log(System.Logger.Level.INFO, "executor local: " + threads + " items at once");
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tessera-item");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (FanOut.Item item : todo) {
                futures.add(pool.submit(() -> {
                    if (!cancelled.getAsBoolean()) {
                        finish(runLocalItem(item, in));
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    log.log(System.Logger.Level.ERROR, "an item thread failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One item in this JVM, tried up to 1 + retries times; each try continues from the item's checkpoints. */
    private ItemOutcome runLocalItem(FanOut.Item item, PortValues in) {
        ItemSpec spec = spec(item);
        String where = "local:" + itemDir(item.index());
        ItemOutcome last = null;
        for (int attempt = 1; attempt <= 1 + fan.retries() && !cancelled.getAsBoolean(); attempt++) {
            long t0 = System.nanoTime();
            record.status(item.id(), "running", -1);
            try {
                Files.createDirectories(itemDir(item.index()));
                RunLogger itemLog = new RunLogger(item.id(), folder.logs(), lines);
                itemLog.log(System.Logger.Level.INFO, "item " + item.id() + " (" + spec.label() + ") attempt "
                        + attempt + " starts");
                RunStepContext ctx = new RunStepContext(item.id(), itemDir(item.index()), folder.dir(), itemLog,
                        services, backend, item.seed(), record, events, cancelled, folder.checkpoints(item.id()));
                @SuppressWarnings({"unchecked", "rawtypes"})
                Step<Record> step = (Step) node.step();
                PortValues out = step.run(ctx, item.config(), in);
                if (out == null) {
                    throw new IllegalStateException("the step returned null instead of its outputs");
                }
                Map<String, Metrics> metricsOut = new LinkedHashMap<>();
                Set<Object> seen = new LinkedHashSet<>();
                for (Map.Entry<String, Object> e : out.values().entrySet()) {
                    if (e.getValue() instanceof Metrics m) {
                        metricsOut.put(e.getKey(), m);
                    } else if (e.getValue() instanceof AutoCloseable c && seen.add(c)) {
                        c.close(); // models and the like stay in the item's folder, not in memory
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                return new ItemOutcome(item.index(), item.id(), true, attempt, secs, "",
                        record.metricsOf(item.id()), record.epochs().getOrDefault(item.id(), new java.util.TreeMap<>()),
                        metricsOut, where);
            } catch (Exception | LinkageError | OutOfMemoryError e) {
                double secs = (System.nanoTime() - t0) / 1e9;
                last = ItemOutcome.failed(spec, attempt, secs, PipelineEngine.describe(e), where);
                log.log(System.Logger.Level.WARNING, "item " + item.id() + " (" + spec.label() + ") attempt "
                        + attempt + " failed: " + PipelineEngine.describe(e)
                        + (attempt <= fan.retries() ? "; trying again" : ""));
            }
        }
        return last != null ? last : ItemOutcome.failed(spec, 0, 0, "cancelled before it ran", where);
    }

    // ---- other executors ----

    private void runOn(ItemExecutor executor, List<FanOut.Item> todo) throws Exception {
        if (executor == null) {
            throw new IllegalStateException("executor '" + fan.executor() + "' is no longer installed; put its module"
                    + " back on the path (docs/scale-out.md) or use executor: local");
        }
        List<ItemSpec> specs = todo.stream().map(this::spec).toList();
        executor.run(new FanOutJob() {
            @Override
            public String pipeline() {
                return pipeline.name();
            }

            @Override
            public String step() {
                return node.id();
            }

            @Override
            public Path runDirectory() {
                return folder.dir();
            }

            @Override
            public Path itemDirectory(int index) {
                return itemDir(index);
            }

            @Override
            public List<ItemSpec> items() {
                return specs;
            }

            @Override
            public int retries() {
                return fan.retries();
            }

            @Override
            public Map<String, Object> settings() {
                return fan.settings();
            }

            @Override
            public String backend() {
                return backendName;
            }

            @Override
            public ServiceRegistry services() {
                return services;
            }

            @Override
            public void finished(ItemOutcome outcome) {
                finish(outcome);
            }

            @Override
            public boolean cancelled() {
                return cancelled.getAsBoolean();
            }

            @Override
            public System.Logger logger() {
                return log;
            }
        });
    }

    /**
     * The item as a pipeline of its own: the steps the fan-out step reads from (transitively), then the item as step
     * {@code <step>-<index>} with its full config and seed; its outputs are the item's Metrics outputs.
     */
    ItemSpec spec(FanOut.Item item) {
        Set<String> needed = new LinkedHashSet<>();
        List<String> stack = new ArrayList<>(node.deps());
        while (!stack.isEmpty()) {
            String id = stack.remove(stack.size() - 1);
            if (needed.add(id)) {
                stack.addAll(pipeline.step(id).deps());
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> resolvedSteps = (Map<String, Object>) resolved.get("steps");
        Map<String, Object> steps = new LinkedHashMap<>();
        for (ValidatedPipeline.StepNode s : pipeline.steps()) {
            if (needed.contains(s.id())) {
                steps.put(s.id(), resolvedSteps.get(s.id()));
            }
        }
        Map<String, Object> itemStep = new LinkedHashMap<>();
        itemStep.put("uses", node.uses());
        itemStep.put("with", node.schema().values(item.config()));
        itemStep.put("seed", item.seed());
        @SuppressWarnings("unchecked")
        Map<String, Object> own = (Map<String, Object>) resolvedSteps.get(node.id());
        if (own.containsKey("inputs")) {
            itemStep.put("inputs", own.get("inputs"));
        }
        steps.put(item.id(), itemStep);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", pipeline.name() + "-" + item.id());
        top.put("backend", resolved.get("backend"));
        top.put("seed", resolved.get("seed"));
        top.put("steps", steps);
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (Port p : node.step().outputs()) {
            if (p.type() == Metrics.class) {
                outputs.put(p.name(), item.id() + "." + p.name());
            }
        }
        if (!outputs.isEmpty()) {
            top.put("outputs", outputs);
        }
        String yaml = "# item " + item.index() + " of fan-out step '" + node.id() + "' of " + pipeline.source() + "\n"
                + PipelineTrees.toYaml(top);
        return new ItemSpec(item.index(), item.id(), item.values(), item.seed(), yaml);
    }
}
