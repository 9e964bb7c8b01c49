package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The checkpoints of one step in {@code checkpoints/<step>/ckpt-<position>}: each written by {@link
 * AtomicFiles#writeDirectory} (filled under a temporary name, swapped in by renaming aside), recovered before the
 * latest is looked up; the two newest are kept.
 */
final class StepCheckpoints implements Checkpoints {
    private static final int KEEP = 2;
    private static final String PREFIX = "ckpt-";

    private final Path dir;
    private final BiConsumer<Long, Path> onSaved;

    StepCheckpoints(Path dir, BiConsumer<Long, Path> onSaved) {
        this.dir = dir;
        this.onSaved = onSaved;
    }

    @Override
    public Optional<Path> latest() {
        try {
            // a run killed while replacing a checkpoint left it set aside: put it back before looking
            AtomicFiles.recoverDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot recover the checkpoints in " + dir + ": " + e.getMessage(),
                    e);
        }
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    @Override
    public synchronized Path save(long position, Writer writer) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be >= 0, was " + position);
        }
        Path target = dir.resolve(String.format("%s%012d", PREFIX, position));
        AtomicFiles.writeDirectory(target, writer::write);
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
}
