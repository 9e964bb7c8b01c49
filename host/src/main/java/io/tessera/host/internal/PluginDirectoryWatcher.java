package io.tessera.host.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Watches plugin folders (and their plugin sub-folders) with a {@link WatchService} and asks the host to rescan
 * when something changed. While the host reports files still settling it keeps asking every settle interval. A
 * folder that does not exist yet is picked up when it appears. One daemon thread per host.
 */
final class PluginDirectoryWatcher implements AutoCloseable {

    private final List<Path> directories;
    private final Duration settleTime;
    private final BooleanSupplier rescan;
    private final Set<Path> registered = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;
    private WatchService service;

    /**
     * @param rescan rescans the folders and returns whether files are still settling
     */
    PluginDirectoryWatcher(List<Path> directories, Duration settleTime, BooleanSupplier rescan) {
        this.directories = List.copyOf(directories);
        this.settleTime = settleTime;
        this.rescan = rescan;
        this.thread = new Thread(this::run, "tessera-plugin-watcher");
        this.thread.setDaemon(true);
    }

    void start() {
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            System.getLogger(PluginDirectoryWatcher.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot watch plugin folders; hot deploy is off (call refresh() to rescan)", e);
            return;
        }
        registerAll();
        thread.start();
    }

    private void run() {
        // short polls so that folders created later are noticed and settling files are re-checked in time
        long pollMillis = Math.max(50, Math.min(500, settleTime.toMillis() / 2));
        boolean dirty = false;
        boolean settling = false;
        long lastRescan = System.nanoTime();
        while (!closed) {
            try {
                WatchKey key = service.poll(pollMillis, TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    dirty = true;
                    key = service.poll();
                }
                if (registerAll()) {
                    dirty = true;
                }
                boolean due = settling && System.nanoTime() - lastRescan >= settleTime.toNanos() / 2;
                if ((dirty || due) && !closed) {
                    dirty = false;
                    lastRescan = System.nanoTime();
                    settling = rescan.getAsBoolean();
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.getLogger(PluginDirectoryWatcher.class.getName()).log(System.Logger.Level.WARNING,
                        "rescan of plugin folders failed; will retry on the next change", e);
            }
        }
    }

    /** Registers every plugin folder and sub-folder not yet registered; returns whether one was new. */
    private boolean registerAll() {
        boolean added = false;
        for (Path dir : directories) {
            added |= register(dir);
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
                    for (Path sub : entries) {
                        added |= register(sub);
                    }
                } catch (IOException e) {
                    // the folder vanished or is unreadable; the next scan reports what is there
                }
            }
        }
        registered.removeIf(p -> !Files.isDirectory(p));
        return added;
    }

    private boolean register(Path dir) {
        if (registered.contains(dir) || !Files.isDirectory(dir)) {
            return false;
        }
        try {
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            registered.add(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (service != null) {
            try {
                service.close();
            } catch (IOException ignored) {
                // closing; nothing to do
            }
        }
        thread.interrupt();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
