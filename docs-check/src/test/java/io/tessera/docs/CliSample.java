package io.tessera.docs;

import io.tessera.docs.MarkdownDocs.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A CLI sample output of the docs ({@code <!-- output: tessera ARGS -->} above the block) compared with what the
 * command prints now (stdout, then stderr).
 *
 * <p>The block may start with the command line ({@code $ ./tessera ARGS}, which must be the marker's command) and
 * end with {@code $ echo $?} and the exit code. Compared modulo what differs between machines and runs: absolute
 * paths compare by their last segment ({@code /…/plugins/x.jar} matches {@code /tmp/x/plugins/x.jar}), durations and
 * timestamps match any, runs of blanks are one blank, a {@code …} in a line matches any text, and a line that is
 * only {@code …} or {@code ...} matches any number of lines.
 */
final class CliSample {

    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.…])/(?:[^\\s\"',:()]*/)?([^/\\s\"',:()]+)");
    private static final Pattern DURATION = Pattern.compile("\\b\\d+(?:\\.\\d+)?\\s?(?:ms|s|min)\\b");
    private static final Pattern TIMESTAMP = Pattern.compile("\\b\\d{8}T\\d{6}Z\\b");

    private CliSample() {
    }

    /** A failure message, or empty when the block matches. */
    static Optional<String> check(Block block, Path root, DistributionLayer distribution) {
        String where = block.where(root);
        String command = block.marker().get().argument().strip();
        List<String> words = new ArrayList<>(Arrays.asList(command.split("\\s+")));
        if (words.isEmpty() || !words.get(0).matches("(\\./|.*/)?tessera")) {
            return Optional.of(where + ": <!-- output: " + command + " --> must name a tessera command, such as"
                    + " <!-- output: tessera plugins -->");
        }
        words.remove(0);
        List<String> expected = new ArrayList<>(block.lines());
        if (!expected.isEmpty() && expected.get(0).startsWith("$ ")) {
            String shown = expected.remove(0).substring(2).strip().replaceFirst("^\\./", "");
            if (!shown.equals(command.replaceFirst("^\\./", ""))) {
                return Optional.of(where + ": the block shows '$ " + shown + "' but its marker says '" + command
                        + "'; make them the same command");
            }
        }
        Integer exitCode = null;
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).strip().equals("$ echo $?")) {
                if (i + 1 >= expected.size() || !expected.get(i + 1).strip().matches("\\d+")) {
                    return Optional.of(where + ": '$ echo $?' must be followed by the exit code");
                }
                exitCode = Integer.parseInt(expected.get(i + 1).strip());
                expected = new ArrayList<>(expected.subList(0, i));
                break;
            }
        }
        DistributionLayer.Output output = distribution.run(words.toArray(String[]::new));
        String real = output.out() + output.err();
        List<String> actual = normalize(real.lines().toList());
        List<String> wanted = normalize(expected);
        String fix = "\n  fix: replace the block (" + where + ") with the real output below; absolute paths, times,"
                + " and text replaced by '…' may stay as written\n  real output of tessera " + String.join(" ", words)
                + " (exit " + output.exitCode() + "):\n    " + String.join("\n    ", real.lines().toList());
        if (exitCode != null && exitCode != output.exitCode()) {
            return Optional.of(where + ": the sample says exit code " + exitCode + ", the command exits with "
                    + output.exitCode() + fix);
        }
        int mismatch = firstMismatch(wanted, actual);
        if (mismatch >= 0) {
            int docLine = block.line() + 1 + mismatch + (block.lines().size() > 0
                    && block.lines().get(0).startsWith("$ ") ? 1 : 0);
            String line = mismatch < wanted.size() ? wanted.get(mismatch) : "(end of the block)";
            return Optional.of(root.relativize(block.file()) + ":" + docLine + ": sample output differs from what"
                    + " the command prints, from this line on: '" + line + "'" + fix);
        }
        return Optional.empty();
    }

    static List<String> normalize(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String s = ABSOLUTE_PATH.matcher(line).replaceAll("…/$1");
            s = DURATION.matcher(s).replaceAll("<time>");
            s = TIMESTAMP.matcher(s).replaceAll("<time>");
            s = s.replaceAll("\\s+", " ").strip();
            out.add(s);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /**
     * The index of the first expected line that cannot be matched (the expected size when the real output goes on
     * after the block's end), or -1 when all of it matches.
     */
    static int firstMismatch(List<String> expected, List<String> actual) {
        // match[i][j]: expected from i matches actual from j; furthest[i] records how far matching got
        int[] furthest = {0};
        boolean ok = matches(expected, 0, actual, 0, new Boolean[expected.size() + 1][actual.size() + 1], furthest);
        return ok ? -1 : Math.min(furthest[0], expected.size());
    }

    private static boolean matches(List<String> expected, int i, List<String> actual, int j, Boolean[][] memo,
            int[] furthest) {
        if (memo[i][j] != null) {
            return memo[i][j];
        }
        furthest[0] = Math.max(furthest[0], i);
        boolean result;
        if (i == expected.size()) {
            result = j == actual.size();
        } else if (expected.get(i).equals("…") || expected.get(i).equals("...")) {
            result = false;
            for (int k = j; k <= actual.size() && !result; k++) {
                result = matches(expected, i + 1, actual, k, memo, furthest);
            }
        } else {
            result = j < actual.size() && lineMatches(expected.get(i), actual.get(j))
                    && matches(expected, i + 1, actual, j + 1, memo, furthest);
        }
        memo[i][j] = result;
        return result;
    }

    static boolean lineMatches(String expected, String actual) {
        if (!expected.contains("…")) {
            return expected.equals(actual);
        }
        StringBuilder regex = new StringBuilder();
        for (String part : expected.split("…", -1)) {
            if (regex.length() > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString()).matcher(actual).matches()
                || Pattern.compile(regex.toString()).matcher(actual.replace("…", "")).matches();
    }
}
