package io.tessera.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.docs.MarkdownDocs.Block;
import io.tessera.docs.MarkdownDocs.Link;
import io.tessera.docs.MarkdownDocs.Misplaced;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executable docs: every example in README.md and docs/ is checked against the code, so that a doc cannot drift
 * from it silently. Pipeline YAML blocks are validated by {@code tessera validate}, Java blocks marked complete are
 * compiled against the built modules, CLI sample outputs are compared with what the command prints in-process over
 * the distribution's modules, and relative links must point at files (and headings) of the repository.
 * Markers that say how a block is meant are listed in {@link MarkdownDocs#MARKERS}. Every failure names the doc's
 * file:line and how to fix it.
 */
class DocsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path scratch;

    private static Path root;
    private static DistributionLayer distribution;

    @BeforeAll
    static void setUp() throws Exception {
        root = Path.of(System.getProperty("tessera.docs.root", "..")).toRealPath();
        distribution = DistributionLayer.create(scratch);
    }

    private static List<Block> blocks(String... languages) {
        List<String> wanted = List.of(languages);
        List<Block> blocks = new ArrayList<>();
        for (Path file : MarkdownDocs.files(root)) {
            MarkdownDocs.blocks(file).stream().filter(b -> wanted.contains(b.language())).forEach(blocks::add);
        }
        return blocks;
    }

    private static void report(String what, List<String> failures) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " " + what + ":\n\n" + String.join("\n\n", failures) + "\n\nMarkers:\n"
                    + MarkdownDocs.MARKERS);
        }
    }

    @Test
    void docsAreFound() {
        List<Path> files = MarkdownDocs.files(root);
        assertTrue(files.contains(root.resolve("README.md")) && files.contains(root.resolve("docs/cli.md")),
                "README.md and docs/cli.md must be among the docs read from " + root + ": " + files);
    }

    @Test
    void markersAreKnownAndSitRightAboveABlock() {
        List<String> failures = new ArrayList<>();
        for (Path file : MarkdownDocs.files(root)) {
            for (Misplaced m : MarkdownDocs.misplacedMarkers(file)) {
                failures.add(root.relativize(m.file()) + ":" + m.line() + ": " + m.text() + "; put the marker on"
                        + " the line right above the block's opening fence (blank lines may come between)");
            }
            for (Block block : MarkdownDocs.blocks(file)) {
                String name = block.marker().map(MarkdownDocs.Marker::name).orElse("");
                boolean yaml = block.language().equals("yaml") || block.language().equals("yml");
                if ((List.of("invalid", "in-step", "skip").contains(name) && !yaml)
                        || (name.equals("compile") && !block.language().equals("java"))) {
                    failures.add(block.where(root) + ": <!-- " + name + " --> does not apply to a '"
                            + block.language() + "' block, so nothing checks it; fix the block's language after"
                            + " its opening fence or the marker");
                }
            }
        }
        report("misplaced or unknown markers", failures);
    }

    @Test
    void relativeLinksPointAtFilesOfTheRepository() {
        List<String> failures = new ArrayList<>();
        for (Path file : MarkdownDocs.files(root)) {
            for (Link link : MarkdownDocs.relativeLinks(file)) {
                String target = link.target();
                String anchor = null;
                int hash = target.indexOf('#');
                if (hash >= 0) {
                    anchor = target.substring(hash + 1);
                    target = target.substring(0, hash);
                }
                Path resolved = target.isEmpty() ? file : file.getParent().resolve(target).normalize();
                String where = root.relativize(link.file()) + ":" + link.line() + ": link (" + link.target() + ")";
                if (!resolved.startsWith(root)) {
                    // outside the clone (such as ../shared): not part of what the repository can keep true
                    continue;
                }
                if (!Files.exists(resolved)) {
                    failures.add(where + " points at " + root.relativize(resolved) + ", which does not exist; fix"
                            + " the path (it is relative to " + root.relativize(file.getParent()) + "/) or remove"
                            + " the link");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                        && !MarkdownDocs.anchors(resolved).contains(anchor)) {
                    failures.add(where + ": " + root.relativize(resolved) + " has no heading with anchor '#" + anchor
                            + "'; its anchors: " + MarkdownDocs.anchors(resolved));
                }
            }
        }
        report("broken relative links", failures);
    }

    // ---- YAML -------------------------------------------------------------------------------------------------

    private static final String FRAGMENT_STEP = "fragment";
    private static final String INDENT = "      ";

    @Test
    void yamlBlocksAreValidPipelinesOrFailAsDocumented() throws IOException {
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (Block block : blocks("yaml", "yml")) {
            String where = block.where(root);
            if (block.marked("skip")) {
                if (block.marker().get().argument().isBlank()) {
                    failures.add(where + ": <!-- skip --> needs a reason: <!-- skip: REASON -->");
                }
                continue;
            }
            Path dir = Files.createDirectories(scratch.resolve("yaml-" + n++));
            Files.createDirectories(dir.resolve("plugins")); // for a 'plugins: [plugins]' key
            Path file = dir.resolve("pipeline.yaml");
            int offset; // doc line = line in the file + offset
            String stepType = block.marked("in-step") ? block.marker().get().argument() : null;
            if (stepType != null) {
                StringBuilder wrapped = new StringBuilder("name: docs-fragment\nsteps:\n  " + FRAGMENT_STEP
                        + ":\n    uses: " + stepType + "\n    with:\n");
                block.lines().forEach(l -> wrapped.append(INDENT).append(l).append('\n'));
                Files.writeString(file, wrapped);
                offset = block.line() - 5;
            } else {
                Files.writeString(file, block.text());
                offset = block.line();
            }
            DistributionLayer.Output result = distribution.run("validate", file.toString(), "--json");
            JsonNode report;
            try {
                report = JSON.readTree(result.out());
            } catch (IOException e) {
                failures.add(where + ": tessera validate printed no JSON (exit " + result.exitCode() + "): "
                        + result.out() + result.err());
                continue;
            }
            List<String> problems = new ArrayList<>();
            for (JsonNode p : report.path("problems")) {
                String path = p.path("path").asText("");
                if (stepType != null && !path.startsWith("steps." + FRAGMENT_STEP + ".with")) {
                    continue; // about the wrapper (its missing inputs), not the block
                }
                int column = p.path("column").asInt() - (stepType != null ? INDENT.length() : 0);
                problems.add(root.relativize(block.file()) + ":" + (p.path("line").asInt() + offset) + ":"
                        + Math.max(1, column) + ": " + p.path("message").asText());
            }
            if (block.marked("invalid")) {
                List<String> expected = Arrays.stream(block.marker().get().argument().split(" \\| "))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList();
                for (String e : expected) {
                    if (problems.stream().noneMatch(p -> p.contains(e))) {
                        failures.add(where + ": marked <!-- invalid: " + block.marker().get().argument() + " -->"
                                + " but no problem says '" + e + "'; tessera validate reports:\n  "
                                + (problems.isEmpty() ? "(no problem: the block is valid; remove the marker)"
                                : String.join("\n  ", problems)) + "\n  fix the block or the marker's message");
                    }
                }
                for (String p : problems) {
                    if (expected.stream().noneMatch(p::contains)) {
                        failures.add(p + "\n  (block at " + where + " is marked invalid, but not for this"
                                + " reason; fix the block, or add the message to the marker after ' | ')");
                    }
                }
            } else if (!problems.isEmpty()) {
                failures.add(where + ": this pipeline does not validate:\n  " + String.join("\n  ", problems)
                        + "\n  fix the block; if it is meant to be invalid, put <!-- invalid: MESSAGE --> above it;"
                        + " if it is the with: map of one step, <!-- in-step: STEP -->");
            }
        }
        report("YAML blocks that do not validate as documented", failures);
    }

    // ---- Java -------------------------------------------------------------------------------------------------

    private static final Pattern MODULE = Pattern.compile("(?m)^\\s*(open\\s+)?module\\s+[\\w.]+\\s*\\{");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern TYPE = Pattern.compile(
            "(?m)^(?:public\\s+)?(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum"
                    + "|@interface)\\s+(\\w+)");

    /** {@code <!-- compile: statements -->}: imports and statements, compiled as the body of a method. */
    private static final String STATEMENTS = "statements";

    @Test
    void javaBlocksMarkedCompleteCompile() throws IOException {
        Map<String, List<Block>> groups = new LinkedHashMap<>();
        for (Block block : blocks("java")) {
            if (block.marked("compile")) {
                String group = block.marker().get().argument();
                groups.computeIfAbsent(root.relativize(block.file()) + (group.isEmpty() || group.equals(STATEMENTS) ? "@" + block.line()
                        : "#" + group), k -> new ArrayList<>()).add(block);
            }
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (List<Block> group : groups.values()) {
            Path src = Files.createDirectories(scratch.resolve("java-" + n).resolve("src"));
            Path out = Files.createDirectories(scratch.resolve("java-" + n++).resolve("out"));
            Map<Path, Block> sources = new LinkedHashMap<>();
            boolean module = false;
            for (Block block : group) {
                String text = block.text();
                Path file;
                if (block.marker().get().argument().equals(STATEMENTS)) {
                    // imports, then statements: the statements become the body of a method; the class and method
                    // open on the first statement's line, so the lines of the file are those of the block
                    StringBuilder unit = new StringBuilder();
                    boolean opened = false;
                    for (String line : block.lines()) {
                        if (!opened && !line.isBlank() && !line.startsWith("import ")) {
                            unit.append("class DocSnippet { static void snippet() throws Exception { ");
                            opened = true;
                        }
                        unit.append(line).append('\n');
                    }
                    text = unit + "}}\n";
                    file = src.resolve("DocSnippet.java");
                } else if (MODULE.matcher(text).find()) {
                    file = src.resolve("module-info.java");
                    module = true;
                } else {
                    Matcher type = TYPE.matcher(text);
                    if (!type.find()) {
                        failures.add(block.where(root) + ": marked <!-- compile --> but declares no class,"
                                + " interface, record, enum or module; drop the marker or make it a compilation unit");
                        continue;
                    }
                    Matcher pkg = PACKAGE.matcher(text);
                    Path dir = pkg.find() ? src.resolve(pkg.group(1).replace('.', '/')) : src;
                    file = Files.createDirectories(dir).resolve(type.group(1) + ".java");
                }
                Files.writeString(file, text);
                sources.put(file, block);
            }
            if (sources.isEmpty()) {
                continue;
            }
            String path = (module ? distribution.modulePath() : DistributionLayer.dependencyPath()).stream()
                    .map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
            List<String> options = List.of("-proc:none", "-d", out.toString(), module ? "--module-path" : "-classpath",
                    path);
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                    StandardCharsets.UTF_8)) {
                boolean ok = compiler.getTask(null, files, diagnostics, options, null,
                        files.getJavaFileObjectsFromPaths(sources.keySet())).call();
                if (!ok) {
                    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                        if (d.getKind() != Diagnostic.Kind.ERROR) {
                            continue;
                        }
                        Block block = d.getSource() == null ? group.get(0)
                                : sources.get(Path.of(d.getSource().toUri()));
                        long line = block == null ? 0 : block.line() + d.getLineNumber();
                        failures.add((block == null ? group.get(0).where(root)
                                : root.relativize(block.file()) + ":" + line) + ": does not compile against the built"
                                + " modules: " + d.getMessage(Locale.ROOT) + "\n  fix the example (it must stay a"
                                + " complete compilation unit), or drop its <!-- compile --> marker if it is an"
                                + " excerpt");
                    }
                }
            }
        }
        report("Java blocks that do not compile", failures);
    }

    // ---- CLI output -------------------------------------------------------------------------------------------

    @Test
    void cliSampleOutputsMatchWhatTheCommandsPrint() {
        List<String> failures = new ArrayList<>();
        for (Path file : MarkdownDocs.files(root)) {
            for (Block block : MarkdownDocs.blocks(file)) {
                if (block.marked("output")) {
                    CliSample.check(block, root, distribution).ifPresent(failures::add);
                }
            }
        }
        report("CLI sample outputs that differ from the real output", failures);
    }
}
