package io.tessera.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.problem.Problem;
import io.tessera.host.TesseraHost;
import io.tessera.pipelines.Pipelines;
import io.tessera.pipelines.ValidationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera validate FILE}: every problem of a pipeline, each as {@code file:line:column: message}. */
@Command(name = "validate",
        description = {"Checks a pipeline without running anything and prints every problem with its file, line",
                "and column: YAML syntax, unknown steps (with suggestions), config keys, types and ranges, inputs,",
                "cycles, the backend."},
        footer = {"", "Exit codes: 0 valid, 2 problems found (or usage error)."})
final class ValidateCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private PluginDirectoryOptions pluginDirectories;

    @Parameters(index = "0", paramLabel = "FILE", description = "The pipeline YAML file.")
    private Path file;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a value first; repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--json", description = "Print {file, valid, problems: [{file, line, column, path, message}]}.")
    private boolean json;

    ValidateCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        ValidationReport report;
        try (TesseraHost host = PluginDirectoryOptions.host(pluginDirectories.directories(spec, environment, file), environment)) {
            host.start();
            report = Pipelines.of(host).validate(file, overrides);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode doc = JsonOutput.NODES.objectNode();
            doc.put("file", file.toString());
            doc.put("valid", report.isValid());
            ArrayNode problems = doc.putArray("problems");
            for (Problem p : report.problems()) {
                JsonOutput.problem(problems.addObject(), p);
            }
            JsonOutput.print(out, doc);
        } else if (report.isValid()) {
            out.println(file + ": valid");
        } else {
            PrintWriter err = spec.commandLine().getErr();
            report.problems().forEach(p -> err.println(p.describe()));
            err.println(report.problems().size() + " problem(s) in " + file);
        }
        return report.isValid() ? ExitCodes.OK : ExitCodes.USAGE;
    }
}
