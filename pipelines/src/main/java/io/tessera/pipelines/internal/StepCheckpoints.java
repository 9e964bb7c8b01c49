package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Checkpoints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The checkpoints of one step in {@code checkpoints/<step>/ckpt-<position>}: each written by {@link
 * AtomicFiles#writeDirectory} (filled under a temporary name, swapped in by renaming aside), recovered before the
 * latest is looked up; the two newest are kept.
 *
 * <p>Each checkpoint records the SHA-256 of every file the step wrote in {@value #MANIFEST} (the format of
 * {@code sha256sum}, so {@code sha256sum -c checkpoint.sha256} checks it by hand). {@link #latest()} checks the
 * newest checkpoint against it and, when a file is missing, truncated or changed, reports it, moves it aside to
 * {@code corrupt-<name>} and falls back to the next older intact one. Checkpoints without the file (written before it
 * existed) are taken as they are.
 */
final class StepCheckpoints implements Checkpoints {
    /** The checksum file in each checkpoint folder. */
    static final String MANIFEST = "checkpoint.sha256";
    /** Prefix of a checkpoint folder moved aside because it failed its check. */
    static final String CORRUPT_PREFIX = "corrupt-";

    private static final int KEEP = 2;
    private static final String PREFIX = "ckpt-";

    /** A checkpoint that failed its check: where it was, why, and where it was moved. */
    record Skipped(Path folder, String reason, Path movedTo) {
    }

    private final Path dir;
    private final BiConsumer<Long, Path> onSaved;
    private final Consumer<Skipped> onSkipped;

    StepCheckpoints(Path dir, BiConsumer<Long, Path> onSaved, Consumer<Skipped> onSkipped) {
        this.dir = dir;
        this.onSaved = onSaved;
        this.onSkipped = onSkipped;
    }

    @Override
    public synchronized Optional<Path> latest() {
        try {
            // a run killed while replacing a checkpoint left it set aside: put it back before looking
            AtomicFiles.recoverDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot recover the checkpoints in " + dir + ": " + e.getMessage(),
                    e);
        }
        List<Path> all = complete();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path c = all.get(i);
            Optional<String> problem = verify(c);
            if (problem.isEmpty()) {
                return Optional.of(c);
            }
            Path moved = dir.resolve(CORRUPT_PREFIX + c.getFileName());
            try {
                if (Files.exists(moved)) {
                    AtomicFiles.deleteRecursively(moved);
                }
                Files.move(c, moved);
            } catch (IOException e) {
                moved = c;
            }
            onSkipped.accept(new Skipped(c, problem.get(), moved));
        }
        return Optional.empty();
    }

    @Override
    public synchronized Path save(long position, Writer writer) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be >= 0, was " + position);
        }
        Path target = dir.resolve(String.format("%s%012d", PREFIX, position));
        AtomicFiles.writeDirectory(target, folder -> {
            writer.write(folder);
            writeManifest(folder);
        });
        List<Path> all = complete();
        for (int i = 0; i < all.size() - KEEP; i++) {
            AtomicFiles.deleteRecursively(all.get(i));
        }
        onSaved.accept(position, target);
        return target;
    }

    /** Complete checkpoints, oldest first. */
    private List<Path> complete() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && Files.isDirectory(p)).toList());
            out.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Writes {@value #MANIFEST}: one {@code <sha256>  <relative path>} line per regular file, sorted by path. */
    static void writeManifest(Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.equals(folder.resolve(MANIFEST))).sorted().toList();
        }
        StringBuilder text = new StringBuilder();
        for (Path f : files) {
            text.append(sha256(f)).append("  ").append(relative(folder, f)).append('\n');
        }
        Files.writeString(folder.resolve(MANIFEST), text.toString(), StandardCharsets.UTF_8);
    }

    /** What is wrong with a checkpoint folder, or empty when every file matches its recorded SHA-256. */
    static Optional<String> verify(Path folder) {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.exists(manifest)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(manifest, StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                return Optional.of(MANIFEST + " is truncated");
            }
            for (String line : text.lines().toList()) {
                if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}")
                        || !line.startsWith("  ", 64)) {
                    return Optional.of(MANIFEST + " has a malformed line");
                }
                String name = line.substring(66);
                Path file = folder.resolve(name).normalize();
                if (!file.startsWith(folder)) {
                    return Optional.of(MANIFEST + " names a file outside the checkpoint: " + name);
                }
                if (!Files.isRegularFile(file)) {
                    return Optional.of(name + " is missing");
                }
                if (!sha256(file).equals(line.substring(0, 64))) {
                    return Optional.of(name + " is truncated or changed (" + Files.size(file)
                            + " bytes; its SHA-256 differs from the one recorded when it was saved)");
                }
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.of(e.getFile() + " is missing");
        } catch (IOException e) {
            return Optional.of("cannot be read: " + e.getMessage());
        }
    }

    private static String relative(Path folder, Path file) {
        return folder.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
