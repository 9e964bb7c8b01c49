package io.tessera.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apiguardian.api.API;

/** File operations for plugin tests: broken jars and copies that take their time, as real users produce them. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PluginFiles {

    private PluginFiles() {
    }

    /** Writes a file named like a jar that is not a zip at all. */
    public static Path garbageJar(Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            return Files.write(target, "this is not a zip file, just text with a .jar name\n".getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the first {@code fraction} of a jar's bytes to {@code target}: an interrupted download. */
    public static Path truncatedCopy(Path jar, Path target, double fraction) {
        try {
            byte[] bytes = Files.readAllBytes(jar);
            int n = (int) Math.max(1, Math.min(bytes.length - 1, bytes.length * fraction));
            Files.createDirectories(target.toAbsolutePath().getParent());
            return Files.write(target, java.util.Arrays.copyOf(bytes, n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies {@code source} to {@code target} in place (no rename), in {@code chunks} pieces with a pause between
     * them, flushing each piece: what a slow {@code cp} into a watched folder looks like.
     */
    public static Path slowCopy(Path source, Path target, int chunks, Duration pause) {
        try {
            byte[] bytes = Files.readAllBytes(source);
            Files.createDirectories(target.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(target)) {
                int step = Math.max(1, (bytes.length + chunks - 1) / chunks);
                for (int off = 0; off < bytes.length; off += step) {
                    out.write(bytes, off, Math.min(step, bytes.length - off));
                    out.flush();
                    if (off + step < bytes.length) {
                        Thread.sleep(pause.toMillis());
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying " + source, e);
        }
    }

    /** Replaces {@code target} with {@code source} in one rename, as a deployment tool would. */
    public static Path replaceAtomically(Path source, Path target) {
        try {
            Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".replace", ".tmp");
            try (InputStream in = Files.newInputStream(source)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
