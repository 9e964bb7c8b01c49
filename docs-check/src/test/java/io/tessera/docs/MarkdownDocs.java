package io.tessera.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documentation of the repository as the docs test reads it: {@code README.md} and every {@code docs/**.md}
 * (found anew on every run, so new pages are covered), their fenced blocks with the marker comment right above each,
 * and their relative links.
 *
 * <p>A marker is an HTML comment on the last non-blank line before a block's opening fence (invisible on the
 * rendered page), {@code <!-- NAME -->} or {@code <!-- NAME: ARGUMENT -->}; {@link #MARKERS} lists the names.
 */
final class MarkdownDocs {

    /** The marker names the docs test understands, with what each means (quoted in its failure messages). */
    static final String MARKERS = """
            <!-- invalid: MESSAGE -->          (yaml) the pipeline must fail validation with MESSAGE; several \
            messages are separated by ' | ', and every problem must match one of them
            <!-- in-step: STEP -->             (yaml) the block is the with: map of a step of type STEP
            <!-- skip: REASON -->              (yaml) not validated, for the REASON given
            <!-- compile -->, <!-- compile: GROUP -->  (java) a complete compilation unit; the blocks of one GROUP \
            of a page compile together (a module declaration makes them a module); <!-- compile: statements -->:             imports, then statements, compiled as a method body
            <!-- output: tessera ARGS -->      the block is what 'tessera ARGS' prints""";

    private static final Set<String> NAMES = Set.of("invalid", "in-step", "skip", "compile", "output");
    private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*([\\w+-]*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*([a-z][a-z-]*)(?::\\s*(.*?))?\\s*-->\\s*$");
    private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    private MarkdownDocs() {
    }

    /** A fenced block: where it is, its language, the marker above it and its lines. */
    record Block(Path file, int line, String language, Optional<Marker> marker, List<String> lines) {
        /** {@code file:line} of the opening fence, relative to {@code root}. */
        String where(Path root) {
            return root.relativize(file) + ":" + line;
        }

        String text() {
            return String.join("\n", lines) + "\n";
        }

        boolean marked(String name) {
            return marker.isPresent() && marker.get().name().equals(name);
        }
    }

    /** {@code <!-- name: argument -->}; the argument is empty when there is none. */
    record Marker(String name, String argument, int line) {
    }

    /** A relative link {@code [text](target)}. */
    record Link(Path file, int line, String target) {
    }

    /** A marker comment with a name the test does not know, or a marker not followed by a block. */
    record Misplaced(Path file, int line, String text) {
    }

    /** README.md and every Markdown file under docs/, sorted. */
    static List<Path> files(Path root) {
        List<Path> files = new ArrayList<>();
        Path readme = root.resolve("README.md");
        if (Files.isRegularFile(readme)) {
            files.add(readme);
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> walk = Files.walk(docs)) {
                walk.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced blocks of {@code file}, each with the marker right above it, if any. */
    static List<Block> blocks(Path file) {
        return parse(file, new ArrayList<>(), new ArrayList<>());
    }

    /** Markers with unknown names, and markers that no block follows. */
    static List<Misplaced> misplacedMarkers(Path file) {
        List<Misplaced> misplaced = new ArrayList<>();
        parse(file, new ArrayList<>(), misplaced);
        return misplaced;
    }

    /** The links of {@code file} outside code blocks and inline code that are not URLs. */
    static List<Link> relativeLinks(Path file) {
        List<Link> links = new ArrayList<>();
        parse(file, links, new ArrayList<>());
        return links;
    }

    private static List<Block> parse(Path file, List<Link> links, List<Misplaced> misplaced) {
        List<String> lines = lines(file);
        List<Block> blocks = new ArrayList<>();
        Marker pending = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                String close = fence.group(2);
                List<String> body = new ArrayList<>();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).strip().startsWith(close)) {
                    body.add(lines.get(j));
                    j++;
                }
                blocks.add(new Block(file, i + 1, fence.group(3).toLowerCase(Locale.ROOT),
                        Optional.ofNullable(pending), List.copyOf(body)));
                pending = null;
                i = j;
                continue;
            }
            Matcher marker = MARKER.matcher(line);
            if (marker.matches()) {
                if (NAMES.contains(marker.group(1))) {
                    if (pending != null) {
                        misplaced.add(new Misplaced(file, pending.line(), "<!-- " + pending.name() + " --> is not"
                                + " right above a fenced block"));
                    }
                    pending = new Marker(marker.group(1), marker.group(2) == null ? "" : marker.group(2).strip(),
                            i + 1);
                } else {
                    misplaced.add(new Misplaced(file, i + 1, "unknown marker <!-- " + marker.group(1) + " -->"));
                }
                continue;
            }
            if (!line.isBlank() && pending != null) {
                misplaced.add(new Misplaced(file, pending.line(), "<!-- " + pending.name() + " --> is not right"
                        + " above a fenced block (text comes between them)"));
                pending = null;
            }
            String prose = line.replaceAll("``[^`]*``|`[^`]*`", "");
            Matcher link = LINK.matcher(prose);
            while (link.find()) {
                String target = link.group(1);
                if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    links.add(new Link(file, i + 1, target));
                }
            }
        }
        if (pending != null) {
            misplaced.add(new Misplaced(file, pending.line(), "<!-- " + pending.name() + " --> is not right above"
                    + " a fenced block"));
        }
        return blocks;
    }

    /** GitHub's anchors for the headings of {@code file} (lower case, punctuation dropped, spaces to '-'). */
    static List<String> anchors(Path file) {
        List<String> anchors = new ArrayList<>();
        boolean inCode = false;
        for (String line : lines(file)) {
            if (FENCE.matcher(line).matches()) {
                inCode = !inCode;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (!inCode && heading.matches()) {
                String base = heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "")
                        .replace(' ', '-');
                String anchor = base;
                for (int n = 1; anchors.contains(anchor); n++) {
                    anchor = base + "-" + n;
                }
                anchors.add(anchor);
            }
        }
        return anchors;
    }
}
