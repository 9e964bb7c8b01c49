package io.tessera.host.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * One plugin as found on disk: a jar directly in a plugin folder, or a sub-folder holding the plugin jar and its
 * private dependency jars.
 *
 * @param path        the jar or the sub-folder; identifies the plugin source across rescans
 * @param jars        every jar belonging to it (just {@code path} for a single jar), sorted
 * @param fingerprint the content key of every jar (see {@link PluginScanner}); changes when any jar's content changes
 */
record PluginSource(Path path, List<Path> jars, String fingerprint) {

    PluginSource {
        jars = List.copyOf(jars);
    }

    /**
     * The SHA-256 (hex) of one of its jars: from the fingerprint when the scanner hashed the jar (up to
     * {@link PluginScanner#DIGEST_LIMIT}), otherwise read now.
     */
    String sha256Of(Path jar) throws java.io.IOException {
        if (!isFolder()) {
            String prefix = jar.getFileName() + ":sha256=";
            if (fingerprint.startsWith(prefix) && fingerprint.length() >= prefix.length() + 64) {
                return fingerprint.substring(prefix.length(), prefix.length() + 64);
            }
        }
        return LockFiles.sha256(jar);
    }

    boolean isFolder() {
        return !(jars.size() == 1 && jars.get(0).equals(path));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
