package io.tessera.backend.gpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching block allocator over raw device memory, so that a training loop that frees and allocates the same sizes
 * every step calls {@code cudaMalloc}/{@code cudaFree} (both synchronising the device) only while it warms up.
 *
 * <p>Sizes are rounded up (to 512 bytes below 1 MiB, to 2 MiB above) and a released block goes to the free list of its
 * rounded size; a request takes a free block of the same rounded size, else allocates. When an allocation fails for
 * lack of memory, every cached block is freed and the allocation is tried once more. {@link #close()} frees the cache
 * and reports blocks still handed out. Thread-safe (one lock; callers are kernel launches that synchronise anyway).
 */
public final class DeviceAllocator implements AutoCloseable {

    /** The raw device memory underneath: {@code cudaMalloc}/{@code cudaFree}, or a fake in tests. */
    public interface Raw {
        /**
         * Allocates {@code bytes}; returns the device address.
         *
         * @throws OutOfMemoryError when the device has no room (the allocator then empties its cache and retries)
         */
        long malloc(long bytes);

        /** Frees an address {@link #malloc} returned. */
        void free(long address);
    }

    /**
     * A block handed out: device address and the rounded size it occupies.
     *
     * @param address device address
     * @param bytes   rounded size
     */
    public record Block(long address, long bytes) {
    }

    private static final long SMALL = 1L << 20;
    private static final long SMALL_ROUND = 512;
    private static final long LARGE_ROUND = 2L << 20;

    private final Raw raw;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long peakBytes;
    private long hits;
    private long misses;
    private boolean closed;

    /** An allocator over {@code raw}. */
    public DeviceAllocator(Raw raw) {
        this.raw = raw;
    }

    /** The size a request of {@code bytes} occupies. */
    public static long round(long bytes) {
        long b = Math.max(bytes, 1);
        long unit = b <= SMALL ? SMALL_ROUND : LARGE_ROUND;
        return (b + unit - 1) / unit * unit;
    }

    /** A block of at least {@code bytes}, reused from the cache when one of the same rounded size is free. */
    public synchronized Block allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("the GPU allocator is closed (its backend was closed)");
        }
        long size = round(bytes);
        ArrayDeque<Long> q = free.get(size);
        long address;
        if (q != null && !q.isEmpty()) {
            address = q.pop();
            cachedBytes -= size;
            hits++;
        } else {
            misses++;
            try {
                address = raw.malloc(size);
            } catch (OutOfMemoryError oom) {
                emptyCache();
                try {
                    address = raw.malloc(size);
                } catch (OutOfMemoryError again) {
                    OutOfMemoryError e = new OutOfMemoryError("GPU out of memory allocating " + size + " bytes with "
                            + liveBytes + " bytes in live tensors (cache emptied): close tensors sooner (scopes)"
                            + " or use a smaller batch (" + again.getMessage() + ")");
                    e.initCause(again);
                    throw e;
                }
            }
        }
        live.put(address, size);
        liveBytes += size;
        peakBytes = Math.max(peakBytes, liveBytes);
        return new Block(address, size);
    }

    /** Returns a block to the cache (or frees it when the allocator is closed). Releasing twice is an error. */
    public synchronized void release(Block block) {
        Long size = live.remove(block.address());
        if (size == null) {
            throw new IllegalStateException("GPU block at 0x" + Long.toHexString(block.address())
                    + " released twice or not from this allocator");
        }
        liveBytes -= size;
        if (closed) {
            raw.free(block.address());
            return;
        }
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(block.address());
        cachedBytes += size;
    }

    /** Frees every cached (unused) block. */
    public synchronized void emptyCache() {
        for (Iterator<ArrayDeque<Long>> it = free.values().iterator(); it.hasNext(); ) {
            for (long a : it.next()) {
                raw.free(a);
            }
            it.remove();
        }
        cachedBytes = 0;
    }

    /**
     * Counters.
     *
     * @param liveBlocks  blocks handed out and not released
     * @param liveBytes   their bytes
     * @param cachedBytes bytes held in free lists
     * @param peakBytes   highest {@code liveBytes} seen
     * @param hits        requests served from the cache
     * @param misses      requests that allocated
     */
    public record Stats(int liveBlocks, long liveBytes, long cachedBytes, long peakBytes, long hits, long misses) {
    }

    /** The current counters. */
    public synchronized Stats stats() {
        return new Stats(live.size(), liveBytes, cachedBytes, peakBytes, hits, misses);
    }

    /**
     * Frees the cache; blocks still live (tensors not closed when the backend closed) are freed when released.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        emptyCache();
        closed = true;
    }
}
