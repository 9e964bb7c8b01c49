package io.tessera.backend.cpu.kernels;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pool of native buffers for large kernel outputs. ND4J clears every new buffer ({@code memset}, measured: 0.5 ms
 * for 12.8 MB, i.e. a full extra pass over memory) and a training step allocates and frees the same sizes every step,
 * so buffers of closed tensors are kept (up to {@code -Dtessera.cpu.bufferPoolMB}, default 32 MiB in all) and handed
 * out again, uninitialised, for the next output of the same type and length. When the pool is full, the sizes used
 * least recently give way (so that, say, evaluation batches of another size do not crowd out the training step's
 * buffers for good). Only dense arrays of at least 16 Ki elements take part; small arrays are cheaper to allocate than
 * to look up. Thread-safe.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class Buffers {
    private static final long MIN_ELEMENTS = 1 << 14;
    private static final long MAX_BYTES = Long.getLong("tessera.cpu.bufferPoolMB", 32) << 20;
    private static final int MAX_PER_SIZE = 64;

    private record Key(DataType type, long length) {
    }

    private static final Map<Key, ArrayDeque<DataBuffer>> FREE = new HashMap<>();
    /** When each size was last taken or given (a counter), for evicting the least recently used sizes. */
    private static final Map<Key, Long> LAST_USE = new HashMap<>();
    private static long clock;
    private static long pooledBytes;

    private Buffers() {
    }

    /** A new C-ordered array of {@code shape} whose contents are undefined (every element must be written). */
    public static INDArray uninitialized(DataType type, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n >= MIN_ELEMENTS && shape.length > 0) {
            DataBuffer b = take(new Key(type, n));
            if (b != null) {
                return Nd4j.create(b, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
            }
        }
        return Nd4j.createUninitialized(type, shape, 'c');
    }

    /** A new C-ordered float32 array of {@code shape} filled with zeros. */
    public static INDArray zeros(long... shape) {
        INDArray a = uninitialized(DataType.FLOAT, shape);
        a.assign(0);
        return a;
    }

    /**
     * Frees {@code a}: its buffer goes back to the pool when {@code a} owns all of it (no view, no offset) and the pool
     * has room, else it is closed. {@code a} must not be used afterwards.
     */
    public static void release(INDArray a) {
        if (a == null || a.wasClosed()) {
            return;
        }
        DataBuffer b = a.data();
        if (a.length() >= MIN_ELEMENTS && !a.isView() && a.offset() == 0 && b.length() == a.length()
                && b.originalDataBuffer() == null && !b.isAttached() && !b.isConstant() && b.closeable()
                && give(new Key(b.dataType(), b.length()), b)) {
            return;
        }
        if (a.closeable()) {
            a.close();
        }
    }

    /** Bytes currently held for reuse. */
    public static synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** Closes every pooled buffer (memory goes back to the allocator). */
    public static synchronized void clear() {
        for (ArrayDeque<DataBuffer> q : FREE.values()) {
            for (DataBuffer b : q) {
                b.close();
            }
        }
        FREE.clear();
        LAST_USE.clear();
        pooledBytes = 0;
    }

    private static synchronized DataBuffer take(Key k) {
        LAST_USE.put(k, ++clock);
        ArrayDeque<DataBuffer> q = FREE.get(k);
        if (q == null || q.isEmpty()) {
            return null;
        }
        DataBuffer b = q.pop();
        pooledBytes -= bytes(b);
        return b;
    }

    private static synchronized boolean give(Key k, DataBuffer b) {
        long size = bytes(b);
        if (size > MAX_BYTES) {
            return false;
        }
        LAST_USE.put(k, ++clock);
        while (pooledBytes + size > MAX_BYTES) {
            if (!evictLeastRecentlyUsed(k)) {
                return false;
            }
        }
        ArrayDeque<DataBuffer> q = FREE.computeIfAbsent(k, x -> new ArrayDeque<>());
        if (q.size() >= MAX_PER_SIZE) {
            return false;
        }
        q.push(b);
        pooledBytes += size;
        return true;
    }

    /** Frees the pooled buffers of the least recently used size other than {@code keep}; false when there is none. */
    private static boolean evictLeastRecentlyUsed(Key keep) {
        Key oldest = null;
        long oldestUse = Long.MAX_VALUE;
        for (Map.Entry<Key, ArrayDeque<DataBuffer>> e : FREE.entrySet()) {
            long use = LAST_USE.getOrDefault(e.getKey(), 0L);
            if (!e.getKey().equals(keep) && !e.getValue().isEmpty() && use < oldestUse) {
                oldest = e.getKey();
                oldestUse = use;
            }
        }
        if (oldest == null) {
            return false;
        }
        for (DataBuffer d : FREE.remove(oldest)) {
            pooledBytes -= bytes(d);
            d.close();
        }
        return true;
    }

    private static long bytes(DataBuffer b) {
        return b.length() * b.getElementSize();
    }
}
