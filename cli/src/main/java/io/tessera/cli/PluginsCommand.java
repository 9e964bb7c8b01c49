package io.tessera.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.plugin.PluginState;
import io.tessera.host.PluginView;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import io.tessera.host.TesseraHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera plugins}: starts a host over the boot layer and the plugin directories, and prints every plugin with
 * its id, version, state, source and problems. Exits with 1 when any problem is an error, so scripts can check that
 * every plugin came up.
 */
@Command(name = "plugins",
        description = {"Lists every plugin with its id, version, state, source and problems.",
                "Starts the plugins of the boot layer and of the plugin folders first; a bad plugin gets one problem "
                        + "line and never stops the others."},
        footer = {"", "Exit codes: 0 no errors, 1 at least one plugin problem is an error, 2 usage error."})
final class PluginsCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Option(names = "--json", description = "Print a JSON array of {id, version, state, source, problems}.")
    private boolean json;

    PluginsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        List<Path> directories = pluginDirectories.directories(spec, environment);
        List<PluginView> plugins;
        List<Problem> unattached;
        try (TesseraHost host = PluginDirectoryOptions.host(directories, environment)) {
            host.start();
            plugins = List.copyOf(host.plugins());
            unattached = problemsOutsidePlugins(plugins, host.report().problems());
        } catch (Exception e) {
            throw new IllegalStateException("the plugin host failed: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, toJson(plugins, unattached));
        } else {
            printTable(out, directories, plugins, unattached);
        }
        boolean anyError = plugins.stream().flatMap(p -> p.problems().stream())
                .anyMatch(p -> p.severity() == Severity.ERROR)
                || unattached.stream().anyMatch(p -> p.severity() == Severity.ERROR);
        return anyError ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /** Report problems that no listed plugin carries, e.g. a corrupt jar whose id could not be read. */
    private static List<Problem> problemsOutsidePlugins(List<PluginView> plugins, List<Problem> reported) {
        Set<Problem> listed = new HashSet<>();
        plugins.forEach(p -> listed.addAll(p.problems()));
        return reported.stream().filter(p -> !listed.contains(p)).toList();
    }

    private static ArrayNode toJson(List<PluginView> plugins, List<Problem> unattached) {
        ArrayNode array = JsonOutput.NODES.arrayNode();
        for (PluginView plugin : plugins) {
            ObjectNode node = array.addObject();
            node.put("id", plugin.id());
            node.put("version", plugin.version());
            node.put("state", plugin.state().name());
            node.put("source", plugin.source());
            addProblems(node, plugin.problems());
        }
        // A jar whose descriptor could not be read still gets an entry, so that every problem appears in the array.
        for (Map.Entry<String, List<Problem>> bySource : bySource(unattached).entrySet()) {
            ObjectNode node = array.addObject();
            List<Problem> problems = bySource.getValue();
            node.put("id", problems.get(0).pluginId());
            node.put("version", "?");
            // Not a plugin the host could install: failed if anything about it is an error.
            node.put("state", problems.stream().anyMatch(p -> p.severity() == Severity.ERROR)
                    ? PluginState.FAILED.name() : PluginState.INSTALLED.name());
            node.put("source", bySource.getKey());
            addProblems(node, bySource.getValue());
        }
        return array;
    }

    private static void addProblems(ObjectNode node, List<Problem> problems) {
        ArrayNode array = node.putArray("problems");
        for (Problem problem : problems) {
            JsonOutput.problem(array.addObject(), problem);
        }
    }

    private static Map<String, List<Problem>> bySource(List<Problem> problems) {
        Map<String, List<Problem>> grouped = new TreeMap<>();
        for (Problem problem : problems) {
            grouped.computeIfAbsent(problem.source(), s -> new ArrayList<>()).add(problem);
        }
        return grouped;
    }

    private static void printTable(PrintWriter out, List<Path> directories, List<PluginView> plugins,
                                   List<Problem> unattached) {
        if (plugins.isEmpty() && unattached.isEmpty()) {
            out.println("no plugins found (looked in the boot layer"
                    + directories.stream().map(d -> ", " + d).collect(Collectors.joining()) + ")");
            return;
        }
        int idWidth = Math.max(2, plugins.stream().mapToInt(p -> p.id().length()).max().orElse(0));
        int versionWidth = Math.max(7, plugins.stream().mapToInt(p -> p.version().length()).max().orElse(0));
        int stateWidth = 11;
        String row = "%-" + idWidth + "s  %-" + versionWidth + "s  %-" + stateWidth + "s  %s%n";
        if (!plugins.isEmpty()) {
            out.printf(row, "ID", "VERSION", "STATE", "SOURCE");
        }
        for (PluginView plugin : plugins) {
            out.printf(row, plugin.id(), plugin.version(), plugin.state(), plugin.source());
            plugin.problems().forEach(problem -> printProblem(out, "    ", problem, false));
        }
        if (!unattached.isEmpty()) {
            out.println();
            out.println("problems not tied to a listed plugin:");
            unattached.forEach(problem -> printProblem(out, "    ", problem, true));
        }
        out.println();
        out.println(summary(plugins, unattached));
    }

    private static void printProblem(PrintWriter out, String indent, Problem problem, boolean withSource) {
        String where = withSource ? problem.source() + ": " : "";
        out.println(indent + problem.severity() + ": " + where + problem.message());
        if (!problem.hint().isBlank()) {
            out.println(indent + "  hint: " + problem.hint());
        }
    }

    private static String summary(List<PluginView> plugins, List<Problem> unattached) {
        Map<PluginState, Long> byState = new TreeMap<>(plugins.stream()
                .collect(Collectors.groupingBy(PluginView::state, Collectors.counting())));
        List<Problem> all = new ArrayList<>(unattached);
        plugins.forEach(p -> all.addAll(p.problems()));
        long errors = all.stream().filter(p -> p.severity() == Severity.ERROR).count();
        long warnings = all.stream().filter(p -> p.severity() == Severity.WARNING).count();
        return plugins.size() + (plugins.size() == 1 ? " plugin" : " plugins")
                + (byState.isEmpty() ? "" : ": " + byState.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(", ")))
                + "; " + errors + (errors == 1 ? " error, " : " errors, ")
                + warnings + (warnings == 1 ? " warning" : " warnings");
    }
}
