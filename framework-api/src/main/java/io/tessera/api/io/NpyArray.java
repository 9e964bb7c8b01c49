package io.tessera.api.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An array read from a NumPy {@code .npy} file: its dtype descriptor, shape and raw little-endian C-order bytes.
 *
 * @param descr the NumPy dtype descriptor, one of {@code <f4}, {@code <f8}, {@code <i8}, {@code <i4}, {@code |b1}
 * @param shape the shape; empty for a scalar
 * @param data  the element bytes, little-endian, row-major, positioned at 0
 */
@API(status = API.Status.STABLE, since = "1.0")
public record NpyArray(String descr, long[] shape, ByteBuffer data) {

    public NpyArray {
        Objects.requireNonNull(descr, "descr");
        shape = shape.clone();
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Number of elements: the product of the shape, 1 for a scalar.
     *
     * @throws ArithmeticException if the product overflows (never for an array {@link Npy} read)
     */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape as ints (every dimension here fits an int). */
    public int[] intShape() {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The elements as floats; float64 and integer arrays are converted. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (descr) {
            case "<f4" -> b.asFloatBuffer().get(out);
            case "<f8" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case "<i8" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getLong(i * 8);
                }
            }
            case "<i4" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case "|b1" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) != 0 ? 1f : 0f;
                }
            }
            default -> throw new IllegalStateException("unsupported npy dtype " + descr);
        }
        return out;
    }

    /** The elements as doubles. */
    public double[] toDoubleArray() {
        if (descr.equals("<f8")) {
            double[] out = new double[Math.toIntExact(size())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** The elements as longs; only for integer and bool arrays. */
    public long[] toLongArray() {
        int n = Math.toIntExact(size());
        long[] out = new long[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (descr) {
            case "<i8" -> b.asLongBuffer().get(out);
            case "<i4" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case "|b1" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            default -> throw new IllegalStateException("npy dtype " + descr + " is not an integer type");
        }
        return out;
    }

    /** The elements as booleans; only for bool arrays. */
    public boolean[] toBooleanArray() {
        if (!descr.equals("|b1")) {
            throw new IllegalStateException("npy dtype " + descr + " is not bool");
        }
        int n = Math.toIntExact(size());
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = data.get(i) != 0;
        }
        return out;
    }
}
