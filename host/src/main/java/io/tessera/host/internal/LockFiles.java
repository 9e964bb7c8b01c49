package io.tessera.host.internal;

import io.tessera.host.PluginLock;
import io.tessera.api.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The host side of {@link PluginLock}: hashing jars and listing the plugins of folders without running any plugin
 * code (the same scan and read as the host's, no layer, no class loaded). Public only for {@link PluginLock}; this
 * package is not exported.
 */
public final class LockFiles {

    private LockFiles() {
    }

    /** The SHA-256 of a file's bytes, as 64 lower-case hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The lock entries of every readable plugin in the folders (each of its jars), and the problems of those that are
     * not readable plugins (not written to the lock: the host would refuse them anyway).
     */
    public static PluginLock.Listing list(List<Path> directories) throws IOException {
        List<PluginLock.Entry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<Path, PluginSource> sources = new PluginScanner().scan(directories);
        for (PluginSource source : sources.values()) {
            PluginReader.Result result = PluginReader.read(source);
            if (result instanceof PluginReader.Readable r) {
                Path base = source.path().getParent();
                for (Path jar : source.jars()) {
                    entries.add(new PluginLock.Entry(r.candidate().id(), r.candidate().descriptor().version().toString(),
                            sha256(jar), base.relativize(jar).toString().replace('\\', '/')));
                }
            } else {
                problems.addAll(((PluginReader.Unreadable) result).problems());
            }
        }
        return new PluginLock.Listing(entries, problems);
    }
}
