package io.tessera.host;

import io.tessera.api.problem.Problem;
import io.tessera.host.internal.LockFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A lock file of the plugin jars a deployment trusts, for {@link TesseraBuilder#pluginLock(Path)} and the environment
 * variable {@value #ENVIRONMENT_VARIABLE}. A host with a lock loads a folder plugin only if the SHA-256 of each of its
 * jars is listed under the plugin's id and version; anything else is refused with one ERROR. {@code tessera plugins
 * lock} writes the lock of the current plugin folders (reading them as the host does, without running plugin code).
 *
 * <p>Format: UTF-8 text, one jar a line, fields separated by spaces; blank lines and lines starting with {@code #}
 * are comments:
 *
 * <pre>
 * # Tessera plugin lock
 * io.acme.hello 1.2.0 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 io.acme.hello-1.2.0.jar
 * </pre>
 *
 * The fields are the plugin id, its version, {@code sha256:} and the 64 hex digits of the jar's SHA-256, and the jar's
 * path relative to its plugin folder (for people; matching is by id, version and hash, so a renamed jar still
 * matches). Docs: docs/security.md.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PluginLock {

    /** The environment variable naming a lock file; the host builder reads it unless told otherwise. */
    public static final String ENVIRONMENT_VARIABLE = "TESSERA_PLUGIN_LOCK";

    /** The largest lock file read, so a wrong path (a huge file) fails fast. */
    static final long MAX_BYTES = 16L << 20;

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /**
     * One trusted jar.
     *
     * @param id      the plugin id
     * @param version the plugin version
     * @param sha256  64 lower-case hex digits
     * @param file    the jar's path relative to its plugin folder, for people
     */
    public record Entry(String id, String version, String sha256, String file) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(file, "file");
            if (!HEX.matcher(Objects.requireNonNull(sha256, "sha256")).matches()) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, was " + sha256);
            }
        }

        /** The entry's line in a lock file. */
        public String line() {
            return id + " " + version + " sha256:" + sha256 + " " + file;
        }
    }

    /**
     * What {@link #list} found.
     *
     * @param entries  one per jar of every readable plugin
     * @param problems why the other jars are not plugins the host could load (they are left out)
     */
    public record Listing(List<Entry> entries, List<Problem> problems) {
        public Listing {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
        }
    }

    private final Path file;
    private final List<Entry> entries;
    private final Map<String, List<Entry>> bySha;

    private PluginLock(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
        Map<String, List<Entry>> map = new HashMap<>();
        for (Entry e : entries) {
            map.computeIfAbsent(e.sha256(), k -> new ArrayList<>()).add(e);
        }
        this.bySha = map;
    }

    /**
     * Reads a lock file.
     *
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException naming the file, line and what is wrong if it is malformed or too large
     */
    public static PluginLock read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("plugin lock " + file + " is " + size + " bytes, more than a lock file "
                    + "holds (at most " + MAX_BYTES + "); is it the right file?");
        }
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes((int) MAX_BYTES + 1), StandardCharsets.UTF_8);
        }
        List<Entry> entries = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+", 4);
            if (f.length < 4 || !f[2].startsWith("sha256:") || !HEX.matcher(f[2].substring(7)).matches()) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": expected '<plugin id> <version> "
                        + "sha256:<64 hex digits> <jar>', found '" + clip(line) + "'");
            }
            entries.add(new Entry(f[0], f[1], f[2].substring(7), f[3]));
        }
        return new PluginLock(file, entries);
    }

    /** A lock of these entries (not read from a file). */
    public static PluginLock of(List<Entry> entries) {
        return new PluginLock(null, entries);
    }

    /**
     * Lists the plugin jars of plugin folders as lock entries, reading each plugin as the host does (manifest and
     * module descriptor) without loading any of its classes.
     */
    public static Listing list(List<Path> pluginDirectories) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path d : pluginDirectories) {
            dirs.add(d.toAbsolutePath().normalize());
        }
        return LockFiles.list(dirs);
    }

    /** The lock file's text: a header comment, then one line per entry. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append("# Tessera plugin lock: the plugin jars this deployment trusts (docs/security.md).\n");
        b.append("# <plugin id> <version> sha256:<SHA-256 of the jar> <jar, relative to its plugin folder>\n");
        b.append("# Update it with: tessera plugins lock --plugins-dir DIR --output FILE\n");
        for (Entry e : entries) {
            b.append(e.line()).append('\n');
        }
        return b.toString();
    }

    /** The file it was read from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The entries of the jar with this SHA-256 (hex); empty if the lock does not trust it. */
    public List<Entry> entriesFor(String sha256) {
        return Collections.unmodifiableList(bySha.getOrDefault(sha256, List.of()));
    }

    /** The SHA-256 of a file (64 lower-case hex digits), as the lock records it. */
    public static String sha256(Path file) throws IOException {
        return LockFiles.sha256(file);
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "… (" + s.length() + " chars)";
    }
}
