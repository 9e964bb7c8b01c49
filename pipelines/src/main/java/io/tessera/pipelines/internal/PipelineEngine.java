package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.host.BackendRequest;
import io.tessera.host.BackendSelection;
import io.tessera.host.BackendSelectionException;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.PipelineListener;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.RunStatus;
import io.tessera.pipelines.report.RunReporter;
import io.tessera.pipelines.report.RunSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs a validated pipeline: selects the backend, schedules the DAG (independent steps in parallel, up to
 * {@link RunOptions#parallelism()}), gives each step its context, checks the values that flow between steps, writes the
 * run folder as it goes and the report at the end. A failure stops the run; the folder keeps its {@code INCOMPLETE}
 * marker and can be resumed.
 */
final class PipelineEngine {
    private final ValidatedPipeline pipeline;
    private final Map<String, Object> resolved;
    private final RunOptions options;
    private final RunFolder folder;
    /** events.jsonl and the logs: one channel and lock per file, forced at boundaries. */
    private final LineFiles lines = new LineFiles();
    private final boolean resumed;
    private final ServiceRegistry services;
    private final BackendSelection selection;
    private final List<PipelineListener> listeners;
    private final RunRecord record;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Map<String, PortValues> outputs = new ConcurrentHashMap<>();
    private final Map<String, Double> stepStart = new ConcurrentHashMap<>();
    private final System.Logger engineLog;

    private volatile TensorBackend backend;
    private volatile String backendName = "none";
    private volatile RuntimeException backendError;
    private BackendSelection.Choice backendChoice;

    PipelineEngine(ValidatedPipeline pipeline, Map<String, Object> resolved, RunOptions options, RunFolder folder,
            boolean resumed, ServiceRegistry services, BackendSelection selection) throws IOException {
        this.pipeline = pipeline;
        this.resolved = resolved;
        this.options = options;
        this.folder = folder;
        this.resumed = resumed;
        this.services = services;
        this.selection = selection;
        this.listeners = options.listeners();
        this.record = new RunRecord(pipeline.steps());
        this.engineLog = new RunLogger("engine", folder.logs(), lines);
    }

    RunResult run() {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        String failure = "";
        RunStatus status;
        try {
            chooseBackend();
            if (!resumed) {
                AtomicFiles.writeString(folder.pipelineYaml(), "# resolved pipeline (every config key with its"
                        + " value) of " + pipeline.source() + "\n" + PipelineTrees.toYaml(resolved));
            }
            writeRunJson("running", startedAt, "");
            emit(new PipelineEvent.RunStarted(pipeline.name(), folder.dir(), backendName,
                    pipeline.steps().stream().map(ValidatedPipeline.StepNode::id).toList(), resumed,
                    backendChoice != null ? backendChoice.why()
                            : backendError != null ? backendError.getMessage() : ""));
            failure = schedule();
            status = failure.isEmpty() ? RunStatus.SUCCEEDED
                    : failure.startsWith(CANCELLED) ? RunStatus.CANCELLED : RunStatus.FAILED;
        } catch (BackendSelectionException e) {
            // not a file problem: the named backend is absent or cannot run here, and the message says what to add
            failure = e.getMessage();
            status = RunStatus.FAILED;
        } catch (IOException | RuntimeException e) {
            failure = "the run folder could not be written: " + describe(e);
            status = RunStatus.FAILED;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        try {
            finish(status, failure, startedAt, seconds);
        } catch (IOException | RuntimeException e) {
            if (status == RunStatus.SUCCEEDED) {
                status = RunStatus.FAILED;
                failure = "writing the results failed: " + describe(e);
            }
        }
        emit(new PipelineEvent.RunFinished(status, seconds, folder.dir(), failure));
        try {
            lines.close();
        } catch (IOException e) {
            System.getLogger("io.tessera.pipelines").log(System.Logger.Level.WARNING,
                    "cannot close the run's events and logs: " + e.getMessage());
        }
        return result(status, failure, seconds);
    }

    private static final String CANCELLED = "cancelled";

    /** The backend a run asks for: {@code --backend}, else {@code TESSERA_BACKEND}, else the pipeline's key. */
    static BackendRequest backendRequest(RunOptions options, String pipelineBackend) {
        if (options.backend().isPresent()) {
            return BackendRequest.named(options.backend().get(), "--backend");
        }
        String environment = options.environment().get(BackendRequest.ENVIRONMENT_VARIABLE);
        if (environment != null && !environment.isBlank()) {
            return BackendRequest.named(environment, BackendRequest.ENVIRONMENT_VARIABLE);
        }
        if (!pipelineBackend.equals(BackendRequest.AUTO)) {
            return BackendRequest.named(pipelineBackend, "the pipeline's backend:");
        }
        return BackendRequest.auto();
    }

    private void chooseBackend() {
        BackendRequest request = backendRequest(options, pipeline.backend());
        try {
            backendChoice = selection.select(request);
            backendName = backendChoice.candidate().name();
        } catch (BackendSelectionException e) {
            if (!request.isAuto()) {
                // A named backend that cannot run here stops the run before any step computes.
                throw e;
            }
            // With auto, a pipeline whose steps need no tensors still runs; a step that asks gets this error.
            backendError = e;
        }
    }

    private synchronized TensorBackend backend() {
        if (backend == null) {
            if (backendChoice == null) {
                throw new IllegalStateException(backendError == null ? "no tensor backend was selected"
                        : backendError.getMessage(), backendError);
            }
            try {
                backend = backendChoice.provider().create();
            } catch (RuntimeException | LinkageError e) {
                // only runs that select this backend get here: one broken backend never fails the others
                throw new IllegalStateException("tensor backend '" + backendChoice.candidate().name() + "' ("
                        + backendChoice.candidate().origin() + ") failed to start: " + e
                        + "; choose another backend with --backend or " + BackendRequest.ENVIRONMENT_VARIABLE, e);
            }
            if (backend == null) {
                throw new IllegalStateException("tensor backend '" + backendChoice.candidate().name() + "' ("
                        + backendChoice.candidate().origin() + ") returned no backend from create()");
            }
        }
        return backend;
    }

    /** Runs the DAG; returns the failure message, or empty when every step succeeded. */
    private String schedule() {
        List<ValidatedPipeline.StepNode> steps = pipeline.steps();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallelism(), steps.size()), r -> {
            Thread t = new Thread(r, "tessera-step");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<String> completion = new ExecutorCompletionService<>(pool);
        Set<String> done = new HashSet<>();
        Set<String> submitted = new HashSet<>();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            index.put(steps.get(i).id(), i + 1);
        }
        String failure = "";
        int running = 0;
        try {
            while (done.size() < steps.size()) {
                if (failure.isEmpty() && !cancelled()) {
                    for (ValidatedPipeline.StepNode s : steps) {
                        if (!submitted.contains(s.id()) && done.containsAll(s.deps())) {
                            submitted.add(s.id());
                            running++;
                            completion.submit(() -> runStep(s, index.get(s.id()), steps.size()));
                        }
                    }
                }
                if (running == 0) {
                    break;
                }
                String id;
                try {
                    id = completion.take().get();
                    done.add(id);
                } catch (ExecutionException e) {
                    failed.set(true);
                    if (failure.isEmpty()) {
                        failure = e.getCause() instanceof StepException se ? se.getMessage() : describe(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.set(true);
                    failure = CANCELLED + ": interrupted";
                    break;
                }
                running--;
            }
            if (failure.isEmpty() && done.size() < steps.size()) {
                failure = CANCELLED + " before steps " + steps.stream().map(ValidatedPipeline.StepNode::id)
                        .filter(s -> !done.contains(s)).toList() + " finished";
            }
        } finally {
            pool.shutdownNow();
        }
        return failure;
    }

    private boolean cancelled() {
        return failed.get() || options.cancel().getAsBoolean();
    }

    /** A step's failure, already described with the step's name. */
    private static final class StepException extends Exception {
        private static final long serialVersionUID = 1L;

        StepException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private String runStep(ValidatedPipeline.StepNode node, int index, int count) throws Exception {
        String id = node.id();
        long t0 = System.nanoTime();
        record.status(id, "running", -1);
        emit(new PipelineEvent.StepStarted(id, node.uses(), index, count));
        RunLogger log = new RunLogger(id, folder.logs(), lines);
        try {
            PortValues in = inputs(node);
            java.nio.file.Files.createDirectories(folder.stepDir(id));
            log.log(System.Logger.Level.INFO, "step " + id + " (" + node.uses() + ") starts"
                    + (resumed ? " (resumed run)" : ""));
            PortValues out;
            if (node.fanOut() != null) {
                out = new FanOutRun(node, pipeline, resolved, folder, lines, services,
                        (Supplier<TensorBackend>) this::backend, backendName, record, this::emit, this::cancelled, log)
                        .run(in);
            } else {
                RunStepContext ctx = new RunStepContext(id, folder.stepDir(id), folder.dir(), log, services,
                        (Supplier<TensorBackend>) this::backend, node.seed() != null ? node.seed()
                        : stepSeed(pipeline.seed(), id), record, this::emit, this::cancelled, folder.checkpoints(id));
                @SuppressWarnings({"unchecked", "rawtypes"})
                Step<Record> step = (Step) node.step();
                out = step.run(ctx, node.config(), in);
            }
            if (cancelled()) {
                throw new CancellationException(CANCELLED + " during step '" + id + "'");
            }
            if (node.fanOut() == null) {
                checkOutputs(node, out);
            }
            outputs.put(id, out);
            double secs = (System.nanoTime() - t0) / 1e9;
            record.status(id, "succeeded", secs);
            log.log(System.Logger.Level.INFO, String.format("step %s finished in %.2f s", id, secs));
            emit(new PipelineEvent.StepFinished(id, secs, record.metricsOf(id)));
            writeRunJsonQuietly();
            return id;
        } catch (CancellationException e) {
            double secs = (System.nanoTime() - t0) / 1e9;
            record.status(id, "cancelled", secs);
            emit(new PipelineEvent.StepFailed(id, secs, "cancelled"));
            throw new StepException(CANCELLED + " during step '" + id + "'", e);
        } catch (Exception | LinkageError | OutOfMemoryError e) {
            double secs = (System.nanoTime() - t0) / 1e9;
            record.status(id, "failed", secs);
            String message = "step '" + id + "' (" + node.uses() + ") failed: " + describe(e);
            log.log(System.Logger.Level.ERROR, message, e);
            failed.set(true);
            emit(new PipelineEvent.StepFailed(id, secs, describe(e)));
            writeRunJsonQuietly();
            throw new StepException(message, e);
        }
    }

    /** Each step's seed: the pipeline seed mixed with the step id (String.hashCode is specified, so stable). */
    static long stepSeed(long seed, String stepId) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stepId.hashCode()).nextLong();
    }

    private PortValues inputs(ValidatedPipeline.StepNode node) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Port port : node.step().inputs()) {
            List<ValidatedPipeline.Ref> refs = node.inputs().get(port.name());
            if (refs == null || refs.isEmpty()) {
                continue;
            }
            List<Object> got = new ArrayList<>();
            for (ValidatedPipeline.Ref r : refs) {
                Object v = outputs.get(r.step()).values().get(r.output());
                if (pipeline.step(r.step()).fanOut() != null && v instanceof List<?> items) {
                    got.addAll(items); // a fan-out step's output: one value per item, in matrix order
                } else {
                    got.add(v);
                }
            }
            if (port.type() == List.class) {
                values.put(port.name(), List.copyOf(got));
            } else {
                Object v = got.get(0);
                if (!port.type().isInstance(v)) {
                    throw new IllegalStateException("input '" + port.name() + "' needs a "
                            + port.type().getName() + " but " + refs.get(0) + " produced a " + v.getClass().getName());
                }
                values.put(port.name(), v);
            }
        }
        return new PortValues(values);
    }

    private static void checkOutputs(ValidatedPipeline.StepNode node, PortValues out) {
        if (out == null) {
            throw new IllegalStateException("the step returned null instead of its outputs "
                    + node.step().outputs().stream().map(Port::name).toList());
        }
        for (Port p : node.step().outputs()) {
            Object v = out.values().get(p.name());
            if (v == null) {
                throw new IllegalStateException("the step did not produce its declared output '" + p.name()
                        + "'; it produced " + out.names());
            }
            if (!p.type().isInstance(v)) {
                throw new IllegalStateException("output '" + p.name() + "' is declared as " + p.type().getName()
                        + " but the step produced a " + v.getClass().getName());
            }
        }
    }

    private void emit(PipelineEvent event) {
        if (!(event instanceof PipelineEvent.StepProgress)) {
            try {
                lines.append(folder.events(), EventJson.line(event, Instant.now()));
                if (!(event instanceof PipelineEvent.StepStarted)) {
                    // a boundary (run start or end, epoch, checkpoint, step end): force the run's events and logs
                    lines.sync();
                }
            } catch (IOException e) {
                engineLog.log(System.Logger.Level.WARNING, "cannot append to events.jsonl: " + e.getMessage());
            }
        }
        for (PipelineListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                engineLog.log(System.Logger.Level.WARNING, "listener " + l + " failed on " + event.type() + ": "
                        + e, e);
            }
        }
    }

    private void finish(RunStatus status, String failure, Instant startedAt, double seconds) throws IOException {
        AtomicFiles.writeString(folder.metricsJson(), PipelineTrees.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(record.metricsDocument(pipeline.name(), pipeline.seed(), backendName)) + "\n");
        AtomicFiles.writeString(folder.curvesJson(), PipelineTrees.toJson(record.curvesDocument()) + "\n");
        try {
            List<RunReporter> reporters = RunReporters.all();
            if (reporters.isEmpty()) {
                engineLog.log(System.Logger.Level.INFO, "no report.html: no run reporter is installed (the module"
                        + " io.tessera.reports provides one)");
            }
            RunSummary summary = summary(status, failure, startedAt, seconds);
            for (RunReporter reporter : reporters) {
                reporter.write(summary);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            engineLog.log(System.Logger.Level.ERROR, "the report could not be written: " + describe(e), e);
            if (status == RunStatus.SUCCEEDED) {
                throw new IOException("the report could not be written: " + describe(e), e);
            }
        }
        writeRunJson(status.name().toLowerCase(java.util.Locale.ROOT), startedAt, failure);
        if (status == RunStatus.SUCCEEDED) {
            folder.markComplete();
        } else {
            folder.markIncomplete("this run " + (status == RunStatus.CANCELLED ? "was cancelled" : "failed") + ": "
                    + failure);
        }
    }

    /** The finished run as the report SPI sees it. */
    private RunSummary summary(RunStatus status, String failure, Instant startedAt, double seconds) {
        List<String> ids = pipeline.steps().stream().map(ValidatedPipeline.StepNode::id).toList();
        Map<String, Path> dirs = new LinkedHashMap<>();
        ids.forEach(id -> dirs.put(id, folder.stepDir(id)));
        Map<String, Map<String, NavigableMap<Long, Double>>> series = new LinkedHashMap<>();
        record.series().forEach((step, m) -> series.put(step, new LinkedHashMap<>(m)));
        Map<String, NavigableMap<Integer, Map<String, Double>>> epochs = new LinkedHashMap<>(record.epochs());
        return new RunSummary(folder.dir(), folder.report(), folder.reportAssets(), folder.pipelineYaml(),
                pipeline.name(), pipeline.source(), pipeline.seed(), backendName, status, failure, startedAt, seconds,
                ids, record.uses(), dirs, record.metrics(), series, epochs, record.seconds(), record.statuses(),
                record.timings());
    }

    private void writeRunJsonQuietly() {
        try {
            writeRunJson("running", null, "");
        } catch (IOException e) {
            engineLog.log(System.Logger.Level.WARNING, "cannot update run.json: " + e.getMessage());
        }
    }

    private final Map<String, Object> runJsonBase = Collections.synchronizedMap(new LinkedHashMap<>());

    private synchronized void writeRunJson(String status, Instant startedAt, String failure) throws IOException {
        if (startedAt != null && !runJsonBase.containsKey("started")) {
            runJsonBase.put("pipeline", pipeline.name());
            runJsonBase.put("source", pipeline.source());
            runJsonBase.put("started", startedAt.toString());
            // hashed once per run (and again on resume: the files may have changed since)
            runJsonBase.put("inputs", InputFiles.describe(pipeline.source(), resolved, folder.dir()));
        }
        Map<String, Object> doc = new LinkedHashMap<>(runJsonBase);
        doc.put("status", status);
        doc.put("backend", backendName);
        doc.put("seed", pipeline.seed());
        doc.put("resumed", resumed);
        doc.put("updated", Instant.now().toString());
        if (!options.provenance().isEmpty()) {
            doc.put("provenance", options.provenance());
        }
        if (!failure.isEmpty()) {
            doc.put("failure", failure);
        }
        Map<String, Object> steps = new LinkedHashMap<>();
        Map<String, Double> secs = record.seconds();
        Map<String, Map<String, Double>> timings = record.timings();
        record.statuses().forEach((id, st) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("status", st);
            if (secs.containsKey(id)) {
                s.put("seconds", secs.get(id));
            }
            if (timings.containsKey(id)) {
                s.put("timings", timings.get(id));
            }
            steps.put(id, s);
        });
        doc.put("steps", steps);
        AtomicFiles.writeString(folder.runJson(), PipelineTrees.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
    }

    private RunResult result(RunStatus status, String failure, double seconds) {
        Map<String, Object> kept = new LinkedHashMap<>();
        if (options.keepOutputs() && status == RunStatus.SUCCEEDED) {
            pipeline.outputs().forEach((name, ref) -> kept.put(name, outputs.get(ref.step()).values()
                    .get(ref.output())));
        }
        // Everything a step produced that holds resources is closed now, except what the caller keeps.
        Set<Object> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(kept.values());
        Set<Object> closed = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> ids = new ArrayList<>(pipeline.steps().stream().map(ValidatedPipeline.StepNode::id).toList());
        Collections.reverse(ids);
        for (String id : ids) {
            PortValues v = outputs.get(id);
            if (v == null) {
                continue;
            }
            for (Object value : v.values().values()) {
                if (value instanceof AutoCloseable c && !keep.contains(value) && closed.add(value)) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        engineLog.log(System.Logger.Level.WARNING, "closing output of " + id + " failed: " + e);
                    }
                }
            }
        }
        TensorBackend b = backend;
        AutoCloseable resources;
        if (kept.isEmpty()) {
            closeQuietly(b);
            resources = null;
        } else {
            resources = () -> {
                for (Object v : kept.values()) {
                    if (v instanceof AutoCloseable c) {
                        c.close();
                    }
                }
                closeQuietly(b);
            };
        }
        return new RunResult(status, folder.dir(), record.metrics(), failure, seconds, kept, resources);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a backend at the end of a run; nothing left to do about it
            }
        }
    }

    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.getMessage() == null ? e.getClass().getName() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append("; caused by ").append(cause);
            }
        }
        return text.toString();
    }
}
