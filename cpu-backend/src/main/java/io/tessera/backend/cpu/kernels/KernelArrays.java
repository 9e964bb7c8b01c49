package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Moves data between ND4J arrays and Java arrays, checks arguments, and runs loops on all cores. */
final class KernelArrays {
    /** Below this many scalar operations a loop runs on the calling thread only. */
    private static final long PARALLEL_WORK = 1 << 15;

    private KernelArrays() {
    }

    /** The elements of {@code a} in C order as a new float array (float32 view of any dtype). */
    static float[] floats(INDArray a) {
        INDArray f = dense(a);
        float[] out = new float[Math.toIntExact(f.length())];
        // a bulk NIO copy is two to three times faster than DataBuffer.asFloat()
        f.data().asNioFloat().get(0, out, 0, out.length);
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
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        KernelArrays.require(out.length() == data.length, "internal: " + data.length + " values for shape "
                + Arrays.toString(shape));
        out.data().asNioFloat().put(0, data, 0, data.length);
        return out;
    }

    /** A new int64 C-ordered array holding {@code data}. */
    static INDArray longArray(long[] data, long... shape) {
        return Nd4j.createFromArray(data).reshape('c', shape);
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
