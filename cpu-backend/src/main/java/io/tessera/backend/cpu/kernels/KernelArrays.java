package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves data between ND4J arrays and Java arrays (whole tensors, or plane by plane through per-thread work arrays),
 * checks arguments, and runs loops on all cores.
 */
final class KernelArrays {
    /** Below this many scalar operations a loop runs on the calling thread only. */
    private static final long PARALLEL_WORK = 1 << 15;

    private KernelArrays() {
    }

    /** The elements of {@code a} in C order as a new float array (float32 view of any dtype). */
    static float[] floats(INDArray a) {
        INDArray f = dense(a);
        float[] out = new float[Math.toIntExact(f.length())];
        // bulk NIO copies are two to three times faster than DataBuffer.asFloat(); large ones run in parallel chunks
        copyChunks(out.length, (from, len) -> f.data().asNioFloat().get(from, out, from, len));
        return out;
    }

    /** The elements of {@code a} in C order as a new double array. */
    static double[] doubles(INDArray a) {
        INDArray d = a.dataType() == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE);
        if (isDense(d)) {
            return d.data().asDouble();
        }
        return d.dup('c').data().asDouble();
    }

    /** {@code a} as a float32, C-ordered array without offset: {@code a} itself when it already is one. */
    static INDArray dense(INDArray a) {
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        return isDense(f) ? f : f.dup('c');
    }

    private static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && a.offset() == 0 && a.data().length() == a.length()
                && Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }

    /** A new float32 C-ordered array holding {@code data}. */
    static INDArray array(float[] data, long... shape) {
        INDArray out = Buffers.uninitialized(DataType.FLOAT, shape);
        KernelArrays.require(out.length() == data.length, "internal: " + data.length + " values for shape "
                + Arrays.toString(shape));
        copyChunks(data.length, (from, len) -> out.data().asNioFloat().put(from, data, from, len));
        return out;
    }

    private interface ChunkCopy {
        void copy(int from, int length);
    }

    /** Copies {@code n} elements in chunks of at least 256 Ki, in parallel when there is more than one chunk. */
    private static void copyChunks(int n, ChunkCopy copy) {
        final int chunk = 1 << 18;
        int chunks = (n + chunk - 1) / chunk;
        if (chunks <= 1) {
            copy.copy(0, n);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * chunk;
            copy.copy(from, Math.min(chunk, n - from));
        });
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][]);

    /**
     * A per-thread work array of at least {@code n} floats in slot {@code slot} (0 to 3), reused across calls: blocked
     * kernels copy one block of a native buffer in, work on it in cache, and copy it out, instead of copying whole
     * tensors to and from large (humongous, GC-costly) Java arrays.
     */
    static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot] == null || s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    /** Work on one plane: read {@code in} (one input plane), fill {@code out} (one output plane). */
    interface PlaneKernel {
        void apply(int plane, float[] in, float[] out);
    }

    /**
     * Maps {@code planes} consecutive input planes of {@code inSize} elements to as many output planes of
     * {@code outSize} elements in a new array of {@code outShape}, one plane at a time through per-thread arrays;
     * {@code zeroOut} clears each output plane first (for scatter-adds).
     */
    static INDArray mapPlanes(INDArray input, int planes, int inSize, long[] outShape, int outSize, boolean zeroOut,
                              long workPerPlane, PlaneKernel kernel) {
        INDArray in = dense(input);
        INDArray out = uninitialized(outShape);
        parallelRanges(planes, workPerPlane, (p0, p1) -> {
            FloatBuffer ib = buffer(in);
            FloatBuffer ob = buffer(out);
            float[] a = scratch(0, inSize);
            float[] b = scratch(1, outSize);
            for (int p = p0; p < p1; p++) {
                ib.get(p * inSize, a, 0, inSize);
                if (zeroOut) {
                    Arrays.fill(b, 0, outSize, 0f);
                }
                kernel.apply(p, a, b);
                ob.put(p * outSize, b, 0, outSize);
            }
        });
        return out;
    }

    /** The float buffer of a dense float32 array; take one per task (buffer views are cheap). */
    static FloatBuffer buffer(INDArray dense) {
        return dense.data().asNioFloat();
    }

    /** A new, uninitialised, float32 C-ordered array. */
    static INDArray uninitialized(long... shape) {
        return Buffers.uninitialized(DataType.FLOAT, shape);
    }

    /** Writes {@code data} into a dense float32 array at element {@code offset}. */
    static void write(INDArray dense, int offset, float[] data, int from, int length) {
        FloatBuffer b = dense.data().asNioFloat();
        b.put(offset, data, from, length);
    }

    /** Reads {@code length} elements of a dense float32 array from element {@code offset} into {@code into}. */
    static void read(INDArray dense, int offset, float[] into, int from, int length) {
        FloatBuffer b = dense.data().asNioFloat();
        b.get(offset, into, from, length);
    }

    static int[] intShape(INDArray a) {
        long[] s = a.shape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.toIntExact(s[i]);
        }
        return out;
    }

    static void requireRank(String op, String arg, INDArray a, int rank) {
        if (a == null) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' is null; pass a rank-" + rank + " array");
        }
        if (a.rank() != rank) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must have rank " + rank + " but has shape "
                    + Arrays.toString(a.shape()));
        }
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static int[] pair(String op, String name, int[] v) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(op + ": '" + name + "' must hold two values (rows, columns) but is "
                    + Arrays.toString(v));
        }
        return v;
    }

    /** A body run over a range {@code [from, to)} of items. */
    interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over contiguous ranges covering {@code [0, n)}: a few ranges per core when the total work is
     * large, else one. Lets a task set up per-range state (buffer views, scratch arrays) once.
     */
    static void parallelRanges(int n, long workPerItem, RangeBody body) {
        int ranges = workPerItem * n >= PARALLEL_WORK
                ? Math.min(n, 4 * (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1)) : 1;
        if (ranges <= 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, ranges).parallel().forEach(r -> {
            int from = (int) ((long) n * r / ranges);
            int to = (int) ((long) n * (r + 1) / ranges);
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    /** Runs {@code body(i)} for {@code i} in {@code [0, n)}, in parallel when {@code workPerItem * n} is large. */
    static void parallelFor(int n, long workPerItem, IntConsumer body) {
        if (n > 1 && workPerItem * n >= PARALLEL_WORK) {
            IntStream.range(0, n).parallel().forEach(body);
        } else {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        }
    }
}
