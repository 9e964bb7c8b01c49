package io.tessera.cli;

import io.tessera.api.pipeline.Port;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.ConfigKey;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.StepInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera describe STEP}: a step's inputs, outputs and config schema (keys, types, defaults, constraints). */
@Command(name = "describe", description = "Shows a step's inputs, outputs and config keys with types, defaults,"
        + " constraints and descriptions.", footer = {"", "Exit codes: 0 ok, 2 unknown step or usage error."})
final class DescribeCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Parameters(index = "0", paramLabel = "STEP", description = "The step name, e.g. core/train.")
    private String name;

    @Option(names = "--json", description = "Print the step as JSON.")
    private boolean json;

    DescribeCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        Optional<StepInfo> step;
        List<String> names;
        try (TesseraHost host = PluginDirectoryOptions.host(pluginDirectories.directories(spec, environment), environment)) {
            host.start();
            step = Pipelines.of(host).step(name);
            names = Pipelines.of(host).steps().stream().map(StepInfo::name).toList();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (step.isEmpty()) {
            String suggestion = closest(name, names);
            spec.commandLine().getErr().println("tessera describe: no step '" + name + "'"
                    + (suggestion.isEmpty() ? "" : " (did you mean '" + suggestion + "'?)")
                    + "; tessera steps lists them");
            return ExitCodes.USAGE;
        }
        StepInfo s = step.get();
        if (json) {
            var node = JsonOutput.NODES.objectNode();
            StepsCommand.toJson(node, s);
            JsonOutput.print(out, node);
            return ExitCodes.OK;
        }
        out.println(s.name() + "  (" + s.origin() + ")");
        if (!s.description().isBlank()) {
            out.println("  " + s.description());
        }
        out.println();
        ports(out, "inputs", s.inputs());
        ports(out, "outputs", s.outputs());
        out.println("config (with:)");
        if (s.config().isEmpty()) {
            out.println("  (none)");
        } else {
            int kw = s.config().stream().mapToInt(k -> k.key().length()).max().orElse(3);
            int tw = s.config().stream().mapToInt(k -> k.type().length()).max().orElse(4);
            int dw = Math.min(24, s.config().stream().mapToInt(k -> k.defaultValue().length()).max().orElse(7));
            String row = "  %-" + kw + "s  %-" + tw + "s  %-" + Math.max(7, dw) + "s  %s%n";
            out.printf(row, "KEY", "TYPE", "DEFAULT", "CONSTRAINT / DESCRIPTION");
            for (ConfigKey k : s.config()) {
                String tail = k.constraint().isEmpty() ? k.description()
                        : k.constraint() + (k.description().isEmpty() ? "" : "; " + k.description());
                out.printf(row, k.key(), k.type(), k.defaultValue(), tail);
            }
        }
        out.println();
        out.println("example:");
        out.println("  my_step:");
        out.println("    uses: " + s.name());
        if (!s.config().isEmpty()) {
            out.println("    with: { " + s.config().get(0).key() + ": " + s.config().get(0).defaultValue() + " }");
        }
        if (!s.inputs().isEmpty()) {
            StringBuilder b = new StringBuilder("    inputs: { ");
            for (int i = 0; i < s.inputs().size(); i++) {
                b.append(i == 0 ? "" : ", ").append(s.inputs().get(i).name()).append(": <step>.<output>");
            }
            out.println(b.append(" }"));
        }
        return ExitCodes.OK;
    }

    private static void ports(PrintWriter out, String title, List<Port> ports) {
        out.println(title);
        if (ports.isEmpty()) {
            out.println("  (none)");
        }
        for (Port p : ports) {
            out.println("  " + p.name() + (p.required() ? "" : " (optional)") + ": " + p.type().getSimpleName()
                    + (p.description().isEmpty() ? "" : " — " + p.description()));
        }
        out.println();
    }

    private static String closest(String given, List<String> names) {
        String best = "";
        int bestD = Integer.MAX_VALUE;
        for (String n : names) {
            int d = distance(given, n);
            String tail = n.contains("/") ? n.substring(n.indexOf('/') + 1) : n;
            d = Math.min(d, distance(given, tail) + 1);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        return bestD <= Math.max(2, given.length() / 3) ? best : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
