package io.tessera.host.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Lists the plugin sources of plugin folders without opening any jar as a zip: each {@code *.jar} directly in a
 * folder is one plugin, each sub-folder with jars (searched two levels deep, e.g. {@code lib/}) is one plugin. Hidden
 * files and partial downloads ({@code .part}, {@code .tmp}, {@code .crdownload}) are ignored.
 *
 * <p>Each source gets a fingerprint that changes exactly when the content of one of its jars changes. Size and
 * modification time alone miss a same-size replacement that kept the old time ({@code cp -p}, {@code rsync -t},
 * {@code touch -r}), so a jar up to {@link #DIGEST_LIMIT} bytes is fingerprinted by the SHA-256 of its bytes. The
 * digest is cached per path under the file's status (size, modification time, file key (inode) and change time)
 * and recomputed only when that status moves: a rescan of unchanged folders reads no jar, and a {@code chmod} or
 * {@code touch} costs one digest but no reload. A larger jar is fingerprinted by its status alone, so any
 * replacement or in-place rewrite (which moves the inode or the change time) counts as a change.
 *
 * <p>One instance per host (the cache is the host's, never static).
 */
final class PluginScanner {

    /** Jars up to this size are fingerprinted by content; hashing 64 MiB takes well under a second here. */
    static final long DIGEST_LIMIT = 64L << 20;

    /** What {@link Files#readAttributes} says of a jar, plus its change time where the file system has one. */
    private record Status(long size, FileTime modified, Object fileKey, Object changed) {
    }

    private record Fingerprinted(Status status, String fingerprint) {
    }

    private final Map<Path, Fingerprinted> cache = new HashMap<>();

    /** The sources of all folders, keyed by path, in folder order then name order; missing folders yield none. */
    synchronized Map<Path, PluginSource> scan(List<Path> directories) {
        Map<Path, PluginSource> result = new LinkedHashMap<>();
        Map<Path, Fingerprinted> seen = new HashMap<>();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path entry : stream) {
                    entries.add(entry);
                }
            } catch (IOException e) {
                continue;
            }
            entries.sort(null);
            for (Path entry : entries) {
                if (ignored(entry)) {
                    continue;
                }
                try {
                    if (Files.isRegularFile(entry) && isJar(entry)) {
                        result.put(entry, new PluginSource(entry, List.of(entry), fingerprint(List.of(entry), seen)));
                    } else if (Files.isDirectory(entry)) {
                        List<Path> jars = jarsIn(entry);
                        if (!jars.isEmpty()) {
                            result.put(entry, new PluginSource(entry, jars, fingerprint(jars, seen)));
                        }
                    }
                } catch (NoSuchFileException e) {
                    // deleted while scanning: it is simply not there
                } catch (IOException e) {
                    // unreadable entry: treat as absent this round; a later scan sees it again
                }
            }
        }
        // forget jars that are gone, so the cache stays as large as the folders
        cache.keySet().retainAll(seen.keySet());
        cache.putAll(seen);
        return result;
    }

    static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar");
    }

    private static boolean ignored(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(".") || name.endsWith(".part") || name.endsWith(".tmp")
                || name.endsWith(".crdownload") || name.endsWith("~");
    }

    private static List<Path> jarsIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.find(folder, 2,
                (p, attrs) -> attrs.isRegularFile() && isJar(p) && !ignored(p))) {
            return files.sorted().toList();
        }
    }

    private String fingerprint(List<Path> jars, Map<Path, Fingerprinted> seen) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path jar : jars) {
            Status status = status(jar);
            Fingerprinted known = cache.get(jar);
            if (known == null || !known.status().equals(status)) {
                known = new Fingerprinted(status, contentKey(jar, status));
                if (!status(jar).equals(status)) {
                    // changed while it was hashed: reported as it is, not cached, so the next scan hashes it again
                    sb.append(jar.getFileName()).append(':').append(known.fingerprint()).append(';');
                    continue;
                }
            }
            seen.put(jar, known);
            sb.append(jar.getFileName()).append(':').append(known.fingerprint()).append(';');
        }
        return sb.toString();
    }

    /** One stat of the jar: through the "unix" view where there is one, so the change time comes with it. */
    private static Status status(Path jar) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(jar, "unix:size,lastModifiedTime,fileKey,ctime");
            return new Status((Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), a.get("fileKey"),
                    a.get("ctime"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no "unix" view (e.g. Windows): size, time and file key must do
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            return new Status(a.size(), a.lastModifiedTime(), a.fileKey(), null);
        }
    }

    private static String contentKey(Path jar, Status status) throws IOException {
        if (status.size() > DIGEST_LIMIT) {
            return status.size() + ":" + status.modified().toMillis() + ":" + Objects.toString(status.fileKey())
                    + ":" + Objects.toString(status.changed());
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(jar)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return "sha256=" + HexFormat.of().formatHex(sha.digest());
    }
}
