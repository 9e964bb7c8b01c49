package io.tessera.api.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * The dimensions of a tensor, outermost first (row-major, last index fastest). A scalar has rank 0 and one element.
 *
 * @param dims the sizes of each dimension, each {@code >= 0}
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Shape(long[] dims) {
    /** The shape of a scalar. */
    public static final Shape SCALAR = new Shape(new long[0]);

    public Shape {
        dims = dims.clone();
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative dimension");
            }
        }
    }

    /** A shape from its dimensions. */
    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    /** A shape from int dimensions. */
    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The dimensions as ints (throws if one does not fit). */
    public int[] intDims() {
        return Arrays.stream(dims).mapToInt(Math::toIntExact).toArray();
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public long dim(int axis) {
        return dims[axis(axis)];
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long size() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of elements as an int, for array transfer; throws when the tensor is too large for a Java array. */
    public int intSize() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + this + " has " + n + " elements, too many for a Java array");
        }
        return (int) n;
    }

    /** Resolves a possibly negative axis against this rank and checks it is in range. */
    public int axis(int axis) {
        int r = dims.length;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this + " (rank " + r
                    + "; valid axes are " + (r == 0 ? "none" : -r + ".." + (r - 1)) + ")");
        }
        return a;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** The flat row-major offset of an index; checks the index against the shape. */
    public long flatIndex(long... index) {
        if (index.length != dims.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates but shape " + this + " has rank " + dims.length);
        }
        long off = 0;
        for (int i = 0; i < dims.length; i++) {
            long v = index[i] < 0 ? index[i] + dims[i] : index[i];
            if (v < 0 || v >= dims[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape "
                        + this + " at axis " + i);
            }
            off = off * dims[i] + v;
        }
        return off;
    }

    /** NumPy broadcasting of two shapes, or an exception naming {@code op} and both shapes. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            long db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " cannot be broadcast together (dimension " + i + " of the aligned shapes: " + da + " vs "
                        + db + "); sizes must match or one of them must be 1");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** Whether this shape can be broadcast to {@code target} without changing {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) {
                return false;
            }
        }
        return true;
    }

    /** This shape with the given (resolved) axes removed or set to 1. */
    public Shape reduce(int[] axes, boolean keepDim) {
        boolean[] red = new boolean[dims.length];
        for (int a : axes) {
            red[axis(a)] = true;
        }
        long[] out = new long[keepDim ? dims.length : dims.length - (int) countTrue(red)];
        int j = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!red[i]) {
                out[j++] = dims[i];
            } else if (keepDim) {
                out[j++] = 1;
            }
        }
        return new Shape(out);
    }

    private static long countTrue(boolean[] b) {
        long n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    /** This shape with {@code axis} set to {@code size}. */
    public Shape with(int axis, long size) {
        long[] d = dims.clone();
        d[axis(axis)] = size;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [2, 3, 4]}; {@code []} for a scalar. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
