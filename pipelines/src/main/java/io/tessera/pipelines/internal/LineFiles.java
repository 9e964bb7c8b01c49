package io.tessera.pipelines.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The append-only line files of one run ({@code events.jsonl}, {@code logs/*.log}): one open channel and one lock per
 * file, so steps logging to different files never wait for each other, and disk forces batched.
 *
 * <p>What a kill costs. Each line is written by one {@code write} to a file opened for appending, before
 * {@link #append} returns. A killed process (SIGKILL, {@code halt}) loses nothing the kernel has accepted: such a file
 * holds every line whose {@code append} returned, and at most the line being written when the kill came may be
 * missing or cut short. What the force adds is the same promise against the machine losing power or the operating
 * system crashing: there a file keeps every line appended before the last force, and lines after it may be lost. A
 * file is forced when {@link #sync} is called (the engine does so at every step boundary, checkpoint, epoch and at
 * the end of the run), when a line is appended more than {@link #MAX_UNFORCED_NANOS} after the oldest line not yet
 * forced, and on {@link #close}.
 */
final class LineFiles implements AutoCloseable {
    /** A line appended this long after the oldest unforced one forces the file: bursts share one force. */
    static final long MAX_UNFORCED_NANOS = 1_000_000_000L;

    private final Map<Path, LineFile> files = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Appends {@code line} and a newline to {@code file} (created if missing) with one write. */
    void append(Path file, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (closed) {
            // a step's thread that logs after its run ended: write and force this one line on its own
            LineFile late = new LineFile(file);
            try {
                late.write(bytes);
            } finally {
                late.close();
            }
            return;
        }
        LineFile f = files.computeIfAbsent(file.toAbsolutePath().normalize(), LineFile::new);
        f.write(bytes);
    }

    /** Forces every file that has lines not yet forced. */
    void sync() throws IOException {
        IOException first = null;
        for (LineFile f : files.values()) {
            try {
                f.force();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Forces and closes every file; later appends write and force one line at a time. */
    @Override
    public void close() throws IOException {
        closed = true;
        List<IOException> errors = new ArrayList<>();
        for (LineFile f : files.values()) {
            try {
                f.close();
            } catch (IOException e) {
                errors.add(e);
            }
        }
        files.clear();
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    /** One file; its monitor is the per-file lock. */
    private static final class LineFile {
        private final Path path;
        private FileChannel channel;
        private long oldestUnforced = -1;

        LineFile(Path path) {
            this.path = path;
        }

        synchronized void write(byte[] bytes) throws IOException {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            long now = System.nanoTime();
            if (oldestUnforced < 0) {
                oldestUnforced = now;
            } else if (now - oldestUnforced >= MAX_UNFORCED_NANOS) {
                force();
            }
        }

        synchronized void force() throws IOException {
            if (channel != null && oldestUnforced >= 0) {
                channel.force(false);
                oldestUnforced = -1;
            }
        }

        synchronized void close() throws IOException {
            if (channel != null) {
                try {
                    force();
                } finally {
                    channel.close();
                    channel = null;
                }
            }
        }
    }
}
