package io.tessera.api.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One tensor of a weight file, independent of any tensor backend: its element type, shape and raw little-endian,
 * row-major (C order) bytes. The record copies nothing large: {@link #data()} returns a read-only view.
 *
 * @param dtype the element type
 * @param shape the shape; empty for a scalar
 * @param data  exactly {@code numel * dtype.byteSize()} bytes, little-endian, C order
 */
@API(status = API.Status.STABLE, since = "1.0")
public record RawTensor(RawDType dtype, long[] shape, ByteBuffer data) {

    public RawTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long need = numel(shape) * dtype.byteSize();
        if (data.remaining() != need) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Arrays.toString(shape) + " needs "
                    + need + " bytes, got " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static RawTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new RawTensor(RawDType.F32, shape, b);
    }

    /** A float64 tensor holding a copy of {@code values}. */
    public static RawTensor ofDoubles(long[] shape, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new RawTensor(RawDType.F64, shape, b);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static RawTensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new RawTensor(RawDType.I64, shape, b);
    }

    /** A bool tensor (one byte 0/1 per element) holding a copy of {@code values}. */
    public static RawTensor ofBooleans(long[] shape, boolean[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length);
        for (boolean v : values) {
            b.put((byte) (v ? 1 : 0));
        }
        b.flip();
        return new RawTensor(RawDType.BOOL, shape, b);
    }

    /** The tensor of a NumPy array (same bytes). */
    public static RawTensor fromNpy(NpyArray array) {
        return new RawTensor(RawDType.fromNpyDescr(array.descr()), array.shape(), array.data());
    }

    /** This tensor as a NumPy array, for {@link Npy#write}. */
    public NpyArray toNpy() {
        if (dtype.npyDescr() == null) {
            throw new IllegalStateException(dtype + " has no NumPy counterpart; convert it to F32 first");
        }
        return new NpyArray(dtype.npyDescr(), shape, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements: the product of the shape, 1 for a scalar. */
    public long numel() {
        return numel(shape);
    }

    /** The shape as ints. */
    public int[] intShape() {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The elements as floats. Floating-point types (F64, F16, BF16 included) and integer types are converted;
     * BOOL gives 0 or 1.
     */
    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            default -> {
                long[] longs = toLongArray();
                for (int i = 0; i < n; i++) {
                    out[i] = longs[i];
                }
            }
        }
        return out;
    }

    /** The elements as doubles (see {@link #toFloatArray()}; F64 is exact). */
    public double[] toDoubleArray() {
        if (dtype == RawDType.F64) {
            double[] out = new double[Math.toIntExact(numel())];
            data().asDoubleBuffer().get(out);
            return out;
        }
        if (!dtype.isFloatingPoint()) {
            return Arrays.stream(toLongArray()).asDoubleStream().toArray();
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** The elements as longs; only for integer and BOOL tensors (U64 values above 2^63 wrap). */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                case U8 -> b.get(i) & 0xff;
                case I8 -> b.get(i);
                case I16 -> b.getShort(i * 2);
                case U16 -> b.getShort(i * 2) & 0xffff;
                case I32 -> b.getInt(i * 4);
                case U32 -> b.getInt(i * 4) & 0xffffffffL;
                case I64, U64 -> b.getLong(i * 8);
                default -> throw new IllegalStateException(dtype + " is not an integer type; use toFloatArray()");
            };
        }
        return out;
    }

    // IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included).
    private static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && t.data.equals(data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "RawTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
