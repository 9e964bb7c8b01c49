package io.tessera.pipelines.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The input files of a run, for its provenance in {@code run.json}: the pipeline file and every file that a step's
 * configuration names (a config string that is the path of an existing file, or of a folder, whose files are listed),
 * each with its size and SHA-256. Paths are read as the steps read them: relative to the working directory.
 *
 * <p>Bounded so that a config value such as {@code /} cannot make a run hash a disk: folders are walked two levels
 * deep, at most {@value #MAX_FILES} files and {@value #MAX_BYTES} bytes in all; what is left out is counted in the
 * {@code not_hashed} entry. The run folder itself, the working directory and its parents are never walked.
 */
final class InputFiles {
    static final int MAX_FILES = 256;
    static final long MAX_BYTES = 8L << 30;
    private static final int MAX_DEPTH = 2;

    private final List<Map<String, Object>> files = new ArrayList<>();
    private final Set<Path> seen = new LinkedHashSet<>();
    private final Path runDirectory;
    private long bytes;
    private int skipped;

    private InputFiles(Path runDirectory) {
        this.runDirectory = runDirectory.toAbsolutePath().normalize();
    }

    /** The {@code inputs} entry of {@code run.json}: {@code files} ({@code path}, {@code bytes}, {@code sha256}). */
    static Map<String, Object> describe(String pipelineSource, Map<String, Object> resolved, Path runDirectory) {
        InputFiles in = new InputFiles(runDirectory);
        in.consider(pipelineSource);
        in.walkConfig(resolved.get("steps"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("files", in.files);
        if (in.skipped > 0) {
            out.put("not_hashed", in.skipped + " files beyond the limits of " + MAX_FILES + " files or "
                    + (MAX_BYTES >> 30) + " GiB");
        }
        return out;
    }

    private void walkConfig(Object node) {
        if (node instanceof Map<?, ?> m) {
            m.values().forEach(this::walkConfig);
        } else if (node instanceof List<?> l) {
            l.forEach(this::walkConfig);
        } else if (node instanceof String s) {
            consider(s);
        }
    }

    private void consider(String value) {
        if (value == null || value.isBlank() || value.length() > 4096) {
            return;
        }
        Path p;
        try {
            p = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return;
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(p) || p.startsWith(runDirectory) || runDirectory.startsWith(p)) {
            return;
        }
        if (Files.isRegularFile(p)) {
            add(p);
        } else if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p, MAX_DEPTH)) {
                walk.filter(Files::isRegularFile).sorted().forEach(this::add);
            } catch (IOException | RuntimeException e) {
                // an unreadable folder is not an input the run could have used either
            }
        }
    }

    private void add(Path file) {
        if (!seen.add(file)) {
            return;
        }
        try {
            long size = Files.size(file);
            if (files.size() >= MAX_FILES || bytes + size > MAX_BYTES) {
                skipped++;
                return;
            }
            bytes += size;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("path", file.toString());
            e.put("bytes", size);
            e.put("sha256", sha256(file));
            files.add(e);
        } catch (IOException e) {
            skipped++;
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
