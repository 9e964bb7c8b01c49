package io.tessera.cli;

import io.tessera.api.problem.Problem;
import io.tessera.host.BackendCandidate;
import io.tessera.host.BackendSelectionException;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.PipelineValidationException;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.RunOptions;
import io.tessera.pipelines.RunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera run FILE}: validates a pipeline, then runs it into {@code runs/<UTC timestamp>-<name>/} with
 * progress bars (plain lines when not on a terminal), and prints where the report is.
 */
@Command(name = "run",
        description = {"Validates and runs a pipeline (YAML) into a run folder with metrics, logs, weights,",
                "checkpoints and report.html. Nothing runs when the pipeline has problems."},
        footer = {"", "Examples:",
                "  tessera run examples/pipelines/quickstart.yaml",
                "  tessera run pipeline.yaml --set steps.train.with.training.epochs=5 --backend cpu",
                "  tessera run pipeline.yaml --resume runs/20260101T120000Z-quickstart",
                "", "Exit codes: 0 the run succeeded, 1 a step failed or the run was cancelled,",
                "2 usage error, a pipeline with problems (each printed as file:line:column: message) or a",
                "backend name that is unknown or cannot run here; nothing ran and no run folder was made."})
final class RunCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Parameters(index = "0", paramLabel = "FILE", description = "The pipeline YAML file.")
    private Path file;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "cpu, gpu or auto; overrides TESSERA_BACKEND and the pipeline's backend:.")
    private String backend;

    @Option(names = "--out", paramLabel = "DIR", description = "Where run folders are created. Default: runs.")
    private Path out = Path.of("runs");

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue this incomplete run folder from its last completed step or checkpoint.")
    private Path resume;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override a pipeline value, e.g. steps.train.with.training.epochs=5; repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--parallel", paramLabel = "N", description = "Independent steps run at once. Default: 2.")
    private int parallel = 2;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    private boolean quiet;

    @Option(names = "--json", description = "Print every event as one JSON object a line (for scripts).")
    private boolean json;

    @Option(names = "--progress", paramLabel = "MODE", hidden = true,
            description = "bars, lines or auto (bars on a terminal).")
    private String progress = "auto";

    RunCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> directories = pluginDirectories.directories(spec, environment, file);
        ProgressPrinter printer = new ProgressPrinter(stdout, mode(), terminalWidth());
        try (TesseraHost host = PluginDirectoryOptions.host(directories, environment)) {
            host.start();
            RunOptions.Builder options = RunOptions.builder().outputRoot(out).parallelism(Math.max(1, parallel))
                    .environment(environment.environment()).listener(printer)
                    .provenance(provenance(host, spec.commandLine().getParseResult().originalArgs()));
            if (backend != null) {
                options.backend(backend);
            }
            if (resume != null) {
                options.resume(resume);
            }
            overrides.forEach(options::set);
            RunResult result;
            try {
                result = Pipelines.of(host).run(file, options.build());
            } catch (PipelineValidationException e) {
                for (Problem p : e.report().problems()) {
                    err.println(p.describe());
                }
                err.println("tessera run: " + e.report().problems().size() + " problem(s); nothing was run");
                return ExitCodes.USAGE;
            } catch (BackendSelectionException e) {
                // an unknown or unavailable backend name is a usage error, found before the run folder exists
                err.println("tessera run: " + e.getMessage());
                err.println("available backends: " + available(e) + "; nothing was run");
                return ExitCodes.USAGE;
            } catch (IllegalArgumentException e) {
                err.println("tessera run: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            try (result) {
                if (!quiet && !json) {
                    summary(stdout, result);
                }
                if (!result.succeeded()) {
                    err.println("tessera run: " + result.failure().orElse("the run did not finish"));
                    err.println("the run folder " + result.runDirectory() + " is marked INCOMPLETE; fix the cause"
                            + " and continue with: tessera run " + file + " --resume " + result.runDirectory());
                    return ExitCodes.FAILURE;
                }
            }
            return ExitCodes.OK;
        }
    }

    /**
     * What {@code run.json} records of where the run comes from: the Tessera and Java versions, the command line, and
     * every active plugin with its version, source and jar SHA-256 (empty for plugins of the module path).
     */
    static java.util.Map<String, Object> provenance(TesseraHost host, List<String> args) {
        java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("tessera", TesseraVersion.host());
        p.put("api", TesseraVersion.api());
        p.put("java", System.getProperty("java.runtime.version", "?") + " ("
                + System.getProperty("java.vendor", "?") + ", " + System.getProperty("os.name", "?") + " "
                + System.getProperty("os.arch", "?") + ")");
        p.put("commandLine", new java.util.ArrayList<>(args));
        List<java.util.Map<String, Object>> plugins = new java.util.ArrayList<>();
        for (io.tessera.host.PluginView v : host.plugins()) {
            if (!v.isActive()) {
                continue;
            }
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", v.id());
            m.put("version", v.version());
            m.put("source", v.source());
            m.put("sha256", v.sha256());
            plugins.add(m);
        }
        p.put("plugins", plugins);
        return p;
    }

    private static String available(BackendSelectionException e) {
        List<String> names = e.candidates().stream().filter(BackendCandidate::available)
                .map(BackendCandidate::name).distinct().toList();
        return names.isEmpty() ? "none (tessera backends says why)" : String.join(", ", names);
    }

    private static void summary(PrintWriter out, RunResult result) {
        out.println();
        for (Map.Entry<String, Map<String, Double>> e : result.metrics().entrySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", e.getKey()));
            e.getValue().forEach((k, v) -> {
                if (!k.contains("/")) {
                    line.append("  ").append(k).append(' ').append(v == Math.rint(v) && Math.abs(v) < 1e12
                            ? Long.toString((long) (double) v) : String.format(Locale.ROOT, "%.4f", v));
                }
            });
            out.println(line);
        }
        out.println("run folder: " + result.runDirectory());
        out.println("report:     " + result.report());
    }

    private ProgressPrinter.Mode mode() {
        if (json) {
            return ProgressPrinter.Mode.JSON;
        }
        if (quiet) {
            return ProgressPrinter.Mode.QUIET;
        }
        return switch (progress.toLowerCase(Locale.ROOT)) {
            case "bars" -> ProgressPrinter.Mode.BARS;
            case "lines" -> ProgressPrinter.Mode.LINES;
            default -> System.console() != null && !"dumb".equals(environment.environment().get("TERM"))
                    ? ProgressPrinter.Mode.BARS : ProgressPrinter.Mode.LINES;
        };
    }

    private int terminalWidth() {
        try {
            return Integer.parseInt(environment.environment().getOrDefault("COLUMNS", "120").strip());
        } catch (NumberFormatException e) {
            return 120;
        }
    }
}
