package io.tessera.pipelines.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock a run or a {@code --resume} holds on its run folder while it writes it: an operating-system lock
 * ({@link FileChannel#tryLock()}) on the folder's {@value #FILE} file, which names the holder (process id, start time,
 * command line). A second run or resume of the same folder, from this JVM or another process, fails at once with a
 * message naming the holder, before it writes anything. The lock goes with the process, so a killed run leaves no
 * stale lock; the {@value #FILE} file stays (removing it would let two processes lock two different files).
 *
 * <p>Within one JVM the operating system cannot tell two holders apart (POSIX locks belong to the process, and closing
 * any channel of the file would release them), so the folders locked by this JVM are also kept in a map that is
 * checked before the file is opened.
 */
final class RunFolderLock implements AutoCloseable {
    /** The lock file inside a run folder. */
    static final String FILE = ".lock";

    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunFolderLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} for {@code purpose} (e.g. {@code "--resume"}).
     *
     * @throws InUseException when another run, in this JVM or another process, holds the folder
     * @throws IOException    when the lock file cannot be written
     */
    static RunFolderLock acquire(Path dir, String purpose) throws IOException {
        Path key = dir.toRealPath();
        String holder = describeThisProcess(purpose);
        String before = HELD_HERE.putIfAbsent(key, holder);
        if (before != null) {
            throw new InUseException(dir, before + ", in this JVM");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through a channel this map does not know (not expected); treat it as in use
            }
            if (lock == null) {
                String other = readHolder(ch);
                throw new InUseException(dir, other.isEmpty() ? "another process" : other);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new RunFolderLock(key, ch, lock);
        } catch (IOException | RuntimeException e) {
            HELD_HERE.remove(key, holder);
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }

    private static String describeThisProcess(String purpose) {
        ProcessHandle self = ProcessHandle.current();
        String command = self.info().commandLine().orElse("");
        if (command.length() > 300) {
            command = command.substring(0, 300) + "...";
        }
        return purpose + " by process " + self.pid() + " since " + Instant.now()
                + (command.isEmpty() ? "" : " (" + command + ")");
    }

    /** Releases the lock; the lock file stays. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            HELD_HERE.remove(key);
        }
    }

    /** The folder is locked by another run; the message names the holder and what to do. */
    static final class InUseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InUseException(Path dir, String holder) {
            super(dir + " is in use: it is being written by " + holder + ". Two runs must not write one run folder"
                    + " (their events and checkpoints would mix); wait for that run to end, or stop it, then resume"
                    + " again. Nothing was written.");
        }
    }
}
