package io.tessera.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.pipeline.Port;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.ConfigKey;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.StepInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera steps}: every step type pipelines can use, with its origin and inputs and outputs. */
@Command(name = "steps", description = "Lists the pipeline steps: the host's core steps and the active plugins'.",
        footer = {"", "Exit codes: 0 ok, 2 usage error."})
final class StepsCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Option(names = "--json", description = "Print a JSON array of steps with ports and config schemas.")
    private boolean json;

    StepsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        List<StepInfo> steps;
        try (TesseraHost host = PluginDirectoryOptions.host(pluginDirectories.directories(spec, environment), environment)) {
            host.start();
            steps = Pipelines.of(host).steps();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode array = JsonOutput.NODES.arrayNode();
            steps.forEach(s -> toJson(array.addObject(), s));
            JsonOutput.print(out, array);
            return ExitCodes.OK;
        }
        int nameWidth = Math.max(4, steps.stream().mapToInt(s -> s.name().length()).max().orElse(0));
        int originWidth = Math.max(6, steps.stream().mapToInt(s -> s.origin().length()).max().orElse(0));
        String row = "%-" + nameWidth + "s  %-" + originWidth + "s  %s%n";
        out.printf(row, "STEP", "ORIGIN", "INPUTS -> OUTPUTS");
        for (StepInfo s : steps) {
            out.printf(row, s.name(), s.origin(), ports(s.inputs()) + " -> " + ports(s.outputs()));
            if (!s.description().isBlank()) {
                out.println("    " + s.description());
            }
        }
        out.println();
        out.println("tessera describe STEP shows a step's config keys.");
        return ExitCodes.OK;
    }

    private static String ports(List<Port> ports) {
        if (ports.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (Port p : ports) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(p.name()).append(p.required() ? "" : "?");
        }
        return b.toString();
    }

    static void toJson(ObjectNode n, StepInfo s) {
        n.put("name", s.name());
        n.put("origin", s.origin());
        n.put("description", s.description());
        ports(n.putArray("inputs"), s.inputs());
        ports(n.putArray("outputs"), s.outputs());
        ArrayNode config = n.putArray("config");
        for (ConfigKey k : s.config()) {
            ObjectNode c = config.addObject();
            c.put("key", k.key());
            c.put("type", k.type());
            c.put("default", k.defaultValue());
            c.put("constraint", k.constraint());
            c.put("description", k.description());
        }
    }

    private static void ports(ArrayNode array, List<Port> ports) {
        for (Port p : ports) {
            ObjectNode n = array.addObject();
            n.put("name", p.name());
            n.put("type", p.type().getName());
            n.put("required", p.required());
            n.put("description", p.description());
        }
    }
}
