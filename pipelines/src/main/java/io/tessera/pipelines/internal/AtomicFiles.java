package io.tessera.pipelines.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes that a kill cannot leave half done: each file is written to a temporary name in the same folder, forced to
 * disk, then renamed over its target, so a reader sees the old content or the new, never a mix. Folders (checkpoints)
 * are filled under a temporary name and swapped in by renaming the old one aside first ({@link #writeDirectory});
 * readers call {@link #recoverDirectory} so that a kill between the renames leaves the old folder. Append-only line
 * files (events, logs) are written by {@link LineFiles}.
 */
public final class AtomicFiles {
    /** Prefix of temporary files and folders; readers ignore names starting with it. */
    public static final String TEMP_PREFIX = ".tmp-";
    /** Prefix of a folder set aside while {@link #writeDirectory} replaces it; readers ignore names starting with it. */
    public static final String OLD_PREFIX = ".old-";

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(tmp, target);
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Replaces {@code target} with {@code text} (UTF-8) atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Fills a folder with {@code filler} and puts it at {@code target}, so that a kill at any moment leaves at
     * {@code target} the old folder or the new one, whole, once {@link #recoverDirectory} has run (readers call it
     * first; so does this method). The steps:
     * <ol>
     *   <li>fill {@code .tmp-<name>-<nonce>} beside the target and force every file in it and the folder itself;</li>
     *   <li>if the target exists, rename it aside to {@code .old-<name>-<nonce>} and force the parent folder;</li>
     *   <li>rename the new folder to the target and force the parent folder;</li>
     *   <li>delete the folder set aside.</li>
     * </ol>
     * A kill in step 1 leaves a temporary folder (deleted by recovery) and the old target; a kill between steps 2
     * and 3 leaves no target but the old folder aside, which recovery renames back; a kill after step 3 leaves the
     * new target, and recovery deletes what is left of the old one. Each rename is atomic within one file system.
     */
    public static void writeDirectory(Path target, DirectoryFiller filler) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        recoverDirectory(target);
        String name = target.getFileName().toString();
        String nonce = String.format("%016x", ThreadLocalRandom.current().nextLong());
        Path tmp = parent.resolve(TEMP_PREFIX + name + "-" + nonce);
        Path old = parent.resolve(OLD_PREFIX + name + "-" + nonce);
        Files.createDirectory(tmp);
        try {
            filler.fill(tmp);
            forceTree(tmp);
            crashPoint(1);
            boolean replacing = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (replacing) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                forceDirectory(parent);
                crashPoint(2);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(parent);
            crashPoint(3);
            if (replacing) {
                deleteRecursively(old, () -> crashPoint(4));
            }
        } catch (IOException | RuntimeException | Error e) {
            // put the old folder back if the new one did not get there; recovery would do the same on next read
            if (Files.exists(old, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        } finally {
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                deleteRecursively(tmp);
            }
        }
    }

    /**
     * Finishes or undoes a {@link #writeDirectory} of {@code target} that a kill interrupted: when the target is
     * missing and a folder was set aside for it ({@code .old-<name>-<nonce>}), renames that back; otherwise deletes
     * what is left of folders set aside. Leaves temporary folders ({@code .tmp-}) to {@link #writeDirectory}'s own
     * cleanup and to readers, which ignore them.
     *
     * @return whether an old folder was put back
     */
    public static boolean recoverDirectory(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            return false;
        }
        String prefix = OLD_PREFIX + target.getFileName() + "-";
        List<Path> aside = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.length() == prefix.length() + 16;
            }).forEach(aside::add);
        }
        boolean restored = false;
        for (Path old : aside) {
            if (!restored && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                forceDirectory(parent);
                restored = true;
            } else {
                deleteRecursively(old);
            }
        }
        return restored;
    }

    /** {@link #recoverDirectory} for every folder set aside in {@code parent}, e.g. a step's checkpoints. */
    public static void recoverDirectories(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> targets = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(OLD_PREFIX) && n.length() > OLD_PREFIX.length() + 17
                            && n.charAt(n.length() - 17) == '-')
                    .map(n -> parent.resolve(n.substring(OLD_PREFIX.length(), n.length() - 17)))
                    .distinct().forEach(targets::add);
        }
        for (Path target : targets) {
            recoverDirectory(target);
        }
    }

    /** Test hook: {@code -Dtessera.atomicfiles.haltAt=k} halts the JVM at step k of writeDirectory, as a kill. */
    private static void crashPoint(int step) {
        if (HALT_AT == step) {
            Runtime.getRuntime().halt(KILLED_EXIT);
        }
    }

    private static final int HALT_AT = Integer.getInteger("tessera.atomicfiles.haltAt", 0);
    /** Exit status of a JVM halted by the test hook. */
    static final int KILLED_EXIT = 137;

    private static void forceTree(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(p);
                }
            }
        }
        for (Path d : dirs) {
            forceDirectory(d);
        }
    }

    /** Forces a folder's entries (renames, new names) to disk where the platform allows opening a folder. */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows cannot open a folder as a channel; its renames are durable by the file system's journal
        }
    }

    /** Fills a folder. */
    @FunctionalInterface
    public interface DirectoryFiller {
        void fill(Path folder) throws IOException;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file or folder tree. */
    public static void deleteRecursively(Path path) throws IOException {
        deleteRecursively(path, () -> { });
    }

    private static void deleteRecursively(Path path, Runnable afterFirstFile) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean[] first = {true};
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                if (first[0]) {
                    first[0] = false;
                    afterFirstFile.run();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void unchecked(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An I/O action. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
