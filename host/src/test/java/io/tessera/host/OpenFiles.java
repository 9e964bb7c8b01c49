package io.tessera.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** What this process holds open, read from {@code /proc/self/fd}; tests that prove a jar is released use it. */
final class OpenFiles {

    private OpenFiles() {
    }

    /** The entries of /proc/self/fd that point at the file with this key; empty where /proc does not exist. */
    static List<Path> descriptorsOf(Object fileKey) {
        List<Path> open = new ArrayList<>();
        for (Path fd : all()) {
            try {
                if (fileKey != null && fileKey.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) {
                    open.add(fd);
                }
            } catch (IOException | SecurityException e) {
                // closed while listing, or not a file
            }
        }
        return open;
    }

    /** The entries of /proc/self/fd that point into {@code folder} (as resolved link targets). */
    static List<Path> descriptorsInto(Path folder) {
        List<Path> open = new ArrayList<>();
        Path real;
        try {
            real = folder.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path fd : all()) {
            try {
                if (Files.readSymbolicLink(fd).startsWith(real)) {
                    open.add(fd);
                }
            } catch (IOException | SecurityException | UnsupportedOperationException e) {
                // closed while listing
            }
        }
        return open;
    }

    private static List<Path> all() {
        Path fds = Path.of("/proc/self/fd");
        List<Path> all = new ArrayList<>();
        if (!Files.isDirectory(fds)) {
            return all;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(fds)) {
            stream.forEach(all::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }
}
