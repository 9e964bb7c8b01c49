package io.tessera.pipelines.internal;

import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.problem.Problem;
import io.tessera.api.tensor.TensorBackendProvider;
import io.tessera.host.BackendRequest;
import io.tessera.host.BackendSelection;
import io.tessera.pipelines.Pipeline;
import io.tessera.pipelines.PipelineValidationException;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import io.tessera.pipelines.StepInfo;
import io.tessera.pipelines.ValidationReport;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@link Pipelines} over a host's service registry: the catalog of the core steps and the active plugins' steps,
 * validation and runs. The registry is all this library sees of the runtime.
 */
public final class DefaultPipelines implements Pipelines {
    private final ServiceRegistry services;

    /** Pipelines over the steps and backend providers in {@code services} (a started host's registry). */
    public DefaultPipelines(ServiceRegistry services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    private StepCatalog catalog() {
        return StepCatalog.of(CoreSteps.all(), services);
    }

    @Override
    public List<StepInfo> steps() {
        return catalog().infos();
    }

    @Override
    public Optional<StepInfo> step(String name) {
        return catalog().find(name).map(StepCatalog.Entry::info);
    }

    /** Every step name, for "did you mean" in the CLI. */
    public List<String> stepNames() {
        return new ArrayList<>(catalog().names());
    }

    @Override
    public ValidationReport validate(Path file, List<String> overrides) {
        List<Problem> problems = new ArrayList<>();
        check(file, overrides, problems);
        return Problems.report(file.toString(), problems);
    }

    @Override
    public ValidationReport validate(Pipeline pipeline) {
        List<Problem> problems = new ArrayList<>();
        check(pipeline, List.of(), problems);
        return Problems.report("pipeline '" + pipeline.name() + "'", problems);
    }

    private Optional<ValidatedPipeline> check(Path file, List<String> overrides, List<Problem> problems) {
        String source = file.toString();
        String text;
        try {
            text = YamlTree.readFile(file);
        } catch (YamlTree.TooLargeException e) {
            problems.add(Problems.at(Loc.of(source), "", e.getMessage()));
            return Optional.empty();
        } catch (CharacterCodingException e) {
            problems.add(Problems.at(Loc.of(source), "", "the file is not UTF-8 text"));
            return Optional.empty();
        } catch (IOException e) {
            problems.add(Problems.at(Loc.of(source), "", (Files.exists(file) ? "cannot read the file: "
                    + e.getMessage() : "no such file") + "; give the path of a pipeline YAML file"));
            return Optional.empty();
        }
        Node root = YamlTree.read(text, source, problems);
        if (root == null) {
            return Optional.empty();
        }
        return checkTree(root, source, overrides, problems);
    }

    private Optional<ValidatedPipeline> check(Pipeline pipeline, List<String> overrides,
            List<Problem> problems) {
        return checkTree(PipelineTrees.tree(pipeline), "pipeline '" + pipeline.name() + "'", overrides, problems);
    }

    private Optional<ValidatedPipeline> checkTree(Node root, String source, List<String> overrides,
            List<Problem> problems) {
        for (String o : overrides) {
            PipelineTrees.applyOverride(root, o, problems);
        }
        Set<String> executors = new LinkedHashSet<>(List.of(FanOutChecks.LOCAL));
        executors.addAll(ItemExecutors.all(services).keySet());
        return PipelineValidator.validate(root, source, catalog(), backendNames(), executors, problems);
    }

    /** {@code auto}, {@code cpu}, {@code gpu} and the name of every backend provider the host's plugins offer. */
    private Set<String> backendNames() {
        Set<String> names = new LinkedHashSet<>(List.of("auto", "cpu", "gpu"));
        for (TensorBackendProvider p : services.all(TensorBackendProvider.class)) {
            try {
                names.add(p.name().toLowerCase(Locale.ROOT));
            } catch (RuntimeException | LinkageError e) {
                // a broken provider is reported by the backend selection when a run needs it
            }
        }
        return names;
    }

    @Override
    public RunResult run(Path file, RunOptions options) {
        List<Problem> problems = new ArrayList<>();
        Optional<ValidatedPipeline> p = check(file, options.overrides(), problems);
        if (p.isEmpty()) {
            throw new PipelineValidationException(Problems.report(file.toString(), problems));
        }
        return start(p.get(), options);
    }

    @Override
    public RunResult run(Pipeline pipeline, RunOptions options) {
        List<Problem> problems = new ArrayList<>();
        Optional<ValidatedPipeline> p = check(pipeline, options.overrides(), problems);
        if (p.isEmpty()) {
            throw new PipelineValidationException(Problems.report("pipeline '" + pipeline.name() + "'", problems));
        }
        return start(p.get(), options);
    }

    private RunResult start(ValidatedPipeline pipeline, RunOptions options) {
        Map<String, Object> resolved = PipelineTrees.resolved(pipeline);
        RunFolder folder;
        boolean resumed = options.resume().isPresent();
        RunFolderLock lock = null;
        // this module's loader: the application class loader when Tessera is on the module or class path; the
        // layer's loader when a worker bootstrap put Tessera in a module layer of its own (docs/scale-out.md)
        BackendSelection selection = BackendSelection.discover(loader(), services);
        BackendRequest request = PipelineEngine.backendRequest(options, pipeline.backend());
        if (!request.isAuto()) {
            // A named backend that is unknown or cannot run here stops the run before its folder exists; the
            // exception lists every provider found and which ones are available (the engine selects again from
            // the same answers)
            selection.select(request);
        }
        try {
            if (resumed) {
                RunFolder.openForResume(options.resume().get());
                // locked before anything is written; checked again under the lock, since a resume that held it may
                // have finished the run meanwhile
                lock = RunFolderLock.acquire(options.resume().get(), "--resume");
                folder = RunFolder.openForResume(options.resume().get());
                checkSamePipeline(folder, resolved);
            } else {
                folder = RunFolder.create(options.outputRoot(), pipeline.name(), Instant.now());
                lock = RunFolderLock.acquire(folder.dir(), "a run");
            }
            return new PipelineEngine(pipeline, resolved, options, folder, resumed, services, selection)
                    .run();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the run folder under " + options.outputRoot() + ": "
                    + e.getMessage(), e);
        } finally {
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException e) {
                    // the lock goes with the channel; nothing more to release
                }
            }
        }
    }

    private static ClassLoader loader() {
        ClassLoader own = DefaultPipelines.class.getClassLoader();
        return own != null ? own : ClassLoader.getSystemClassLoader();
    }

    /** A resumed run must continue the same pipeline: same steps, configs, inputs and seed. */
    private static void checkSamePipeline(RunFolder folder, Map<String, Object> resolved) throws IOException {
        Object before = PipelineTrees.fromYaml(Files.readString(folder.pipelineYaml()));
        Object now = PipelineTrees.fromYaml(PipelineTrees.toYaml(resolved));
        List<String> differences = new ArrayList<>();
        diff("", before, now, differences);
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("--resume " + folder.dir() + ": the pipeline differs from the one this"
                    + " run started with, so its checkpoints do not apply: " + String.join("; ",
                    differences.subList(0, Math.min(5, differences.size())))
                    + (differences.size() > 5 ? "; ..." : "") + " (resume with the same file and --set options, or"
                    + " start a new run)");
        }
    }

    private static void diff(String path, Object a, Object b, List<String> out) {
        if (path.matches("steps\\.[^.]+\\.(executor|max_parallel|retries|spark)(\\..*)?")) {
            return; // where and how a fan-out runs may change between a run and its resume; what it computes may not
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            Set<Object> keys = new LinkedHashSet<>(ma.keySet());
            keys.addAll(mb.keySet());
            for (Object k : keys) {
                diff(path.isEmpty() ? k.toString() : path + "." + k, ma.get(k), mb.get(k), out);
            }
        } else if (!Objects.equals(a, b)) {
            out.add(path + " was " + a + ", now " + b);
        }
    }
}
