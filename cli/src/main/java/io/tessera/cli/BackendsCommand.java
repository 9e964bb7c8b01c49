package io.tessera.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.host.BackendCandidate;
import io.tessera.host.BackendRequest;
import io.tessera.host.BackendSelection;
import io.tessera.host.BackendSelectionException;
import io.tessera.host.TesseraHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera backends}: lists every tensor backend provider found on the module path, the class path and in the
 * plugins, whether each can run here and why, and which one would be selected.
 */
@Command(name = "backends",
        description = {"Lists the tensor backends and says which one is selected.",
                "Every provider found on the module path, the class path and in the plugins is listed with its "
                        + "priority, availability and the reason. Selected is the backend named by --backend or "
                        + "TESSERA_BACKEND, else the highest-priority available one."},
        footer = {"", "Exit codes: 0 a backend is selected, 1 none is available (or the named one is not), "
                + "2 usage error or an unknown backend name."})
final class BackendsCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "The backend to select (e.g. cpu, gpu, auto). Default: $TESSERA_BACKEND, else auto.")
    private String backend;

    @Option(names = "--json",
            description = "Print a JSON array of {name, priority, available, reason, capabilities}.")
    private boolean json;

    BackendsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        List<Path> directories = pluginDirectories.directories(spec, environment);
        BackendRequest request = BackendRequest.fromOptionOrEnvironment(backend, environment.environment());
        BackendSelection selection;
        Optional<BackendSelection.Choice> choice;
        BackendSelectionException failure = null;
        try (TesseraHost host = PluginDirectoryOptions.host(directories, environment)) {
            host.start();
            // Availability is asked while the plugins that contribute providers are still active.
            selection = BackendSelection.discover(host);
            Optional<BackendSelection.Choice> chosen;
            try {
                chosen = Optional.of(selection.select(request));
            } catch (BackendSelectionException e) {
                chosen = Optional.empty();
                failure = e;
            }
            choice = chosen;
        } catch (Exception e) {
            throw new IllegalStateException("the plugin host failed: " + e.getMessage(), e);
        }

        PrintWriter out = spec.commandLine().getOut();
        for (String warning : selection.warnings()) {
            spec.commandLine().getErr().println("tessera backends: warning: " + warning);
        }
        if (json) {
            JsonOutput.print(out, toJson(selection.candidates()));
        } else {
            printTable(out, selection.candidates(), choice);
        }
        if (failure != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("tessera backends: " + failure.getMessage());
            return failure.kind() == BackendSelectionException.Kind.UNKNOWN_NAME
                    ? ExitCodes.USAGE : ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    private static ArrayNode toJson(List<BackendCandidate> candidates) {
        ArrayNode array = JsonOutput.NODES.arrayNode();
        for (BackendCandidate candidate : candidates) {
            ObjectNode node = array.addObject();
            node.put("name", candidate.name());
            node.put("priority", candidate.priority());
            node.put("available", candidate.available());
            node.put("reason", candidate.reason());
            ArrayNode capabilities = node.putArray("capabilities");
            candidate.capabilities().forEach(capabilities::add);
            node.put("origin", candidate.origin());
        }
        return array;
    }

    private static void printTable(PrintWriter out, List<BackendCandidate> candidates,
                                   Optional<BackendSelection.Choice> choice) {
        if (candidates.isEmpty()) {
            out.println("no tensor backend found");
            return;
        }
        int nameWidth = Math.max(4, candidates.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        int originWidth = Math.max(6, candidates.stream().mapToInt(c -> c.origin().length()).max().orElse(0));
        String row = "%-" + nameWidth + "s  %8s  %-9s  %-" + originWidth + "s  %s%n";
        out.printf(row, "NAME", "PRIORITY", "AVAILABLE", "ORIGIN", "CAPABILITIES");
        for (BackendCandidate candidate : candidates) {
            out.printf(row, candidate.name(), candidate.priority(), candidate.available() ? "yes" : "no",
                    candidate.origin(), String.join(", ", candidate.capabilities()));
            if (!candidate.reason().isBlank()) {
                out.println("    " + candidate.reason());
            }
        }
        choice.ifPresent(c -> {
            out.println();
            out.println("selected: " + c.candidate().name() + " (" + c.why() + ")");
        });
    }
}
