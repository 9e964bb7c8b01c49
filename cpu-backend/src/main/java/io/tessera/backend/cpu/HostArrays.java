package io.tessera.backend.cpu;

import io.tessera.api.tensor.Shape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves data between ND4J arrays and Java arrays, and index maps for the kernels that ND4J lacks or gets wrong
 * (integer and boolean arithmetic, gathers and scatters): each such kernel computes, in Java, which source element
 * lands where, then copies typed data along that map.
 */
final class HostArrays {
    private HostArrays() {
    }

    // ----------------------------------------------------------------------------------------------- creation

    static INDArray floats(float[] data, long[] dims) {
        if (dims.length == 0) {
            return Nd4j.scalar(data[0]);
        }
        if (data.length == 0) {
            return Nd4j.create(DataType.FLOAT, dims);
        }
        return Nd4j.create(data, dims, 'c');
    }

    static INDArray doubles(double[] data, long[] dims) {
        if (dims.length == 0) {
            return Nd4j.scalar(data[0]);
        }
        if (data.length == 0) {
            return Nd4j.create(DataType.DOUBLE, dims);
        }
        return Nd4j.create(data, dims, 'c');
    }

    static INDArray longs(long[] data, long[] dims) {
        if (dims.length == 0) {
            return Nd4j.scalar(data[0]);
        }
        if (data.length == 0) {
            return Nd4j.create(DataType.LONG, dims);
        }
        return Nd4j.create(Nd4j.createBuffer(data), dims);
    }

    static INDArray booleans(boolean[] data, long[] dims) {
        if (dims.length == 0) {
            return Nd4j.scalar(data[0]);
        }
        if (data.length == 0) {
            return Nd4j.create(DataType.BOOL, dims);
        }
        INDArray flat = Nd4j.createFromArray(data);
        if (dims.length == 1) {
            return flat;
        }
        INDArray r = flat.reshape('c', dims).dup('c');
        flat.close();
        return r;
    }

    /** A new array of {@code type} from double values (used for results computed in Java). */
    static INDArray fromDoubles(double[] v, long[] dims, DataType type) {
        return switch (type) {
            case FLOAT -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                yield floats(f, dims);
            }
            case DOUBLE -> doubles(v, dims);
            case LONG -> {
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = (long) v[i];
                }
                yield longs(l, dims);
            }
            case BOOL -> {
                boolean[] b = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = v[i] != 0;
                }
                yield booleans(b, dims);
            }
            default -> throw new IllegalStateException("unsupported type " + type);
        };
    }

    /** A new array of {@code type} from long values. */
    static INDArray fromLongs(long[] v, long[] dims, DataType type) {
        if (type == DataType.LONG) {
            return longs(v, dims);
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return fromDoubles(d, dims, type);
    }

    // ------------------------------------------------------------------------------------------------- reading

    static float[] toFloats(INDArray a) {
        return switch (a.dataType()) {
            case FLOAT -> a.data().asFloat();
            case DOUBLE -> {
                double[] d = a.data().asDouble();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            default -> {
                long[] l = toLongs(a);
                float[] f = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    f[i] = l[i];
                }
                yield f;
            }
        };
    }

    static double[] toDoubles(INDArray a) {
        return switch (a.dataType()) {
            case DOUBLE -> a.data().asDouble();
            case FLOAT -> {
                float[] f = a.data().asFloat();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                yield d;
            }
            default -> {
                long[] l = toLongs(a);
                double[] d = new double[l.length];
                for (int i = 0; i < l.length; i++) {
                    d[i] = l[i];
                }
                yield d;
            }
        };
    }

    static long[] toLongs(INDArray a) {
        switch (a.dataType()) {
            case LONG:
                return a.data().asLong();
            case BOOL: {
                INDArray f = a.castTo(DataType.LONG);
                long[] l = f.data().asLong();
                f.close();
                return l;
            }
            case FLOAT: {
                float[] f = a.data().asFloat();
                long[] l = new long[f.length];
                for (int i = 0; i < f.length; i++) {
                    l[i] = (long) f[i];
                }
                return l;
            }
            default: {
                double[] d = a.data().asDouble();
                long[] l = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    l[i] = (long) d[i];
                }
                return l;
            }
        }
    }

    // --------------------------------------------------------------------------------------------- index maps

    /** For each element of {@code out}, the flat index of the element of {@code in} it reads under broadcasting. */
    static int[] broadcastMap(Shape in, Shape out) {
        int r = out.rank();
        long[] inDims = in.dims();
        long[] outDims = out.dims();
        long[] strides = new long[r];
        long acc = 1;
        for (int i = in.rank() - 1; i >= 0; i--) {
            int o = i + r - in.rank();
            strides[o] = inDims[i] == 1 ? 0 : acc;
            acc *= inDims[i];
        }
        int n = out.intSize();
        int[] map = new int[n];
        long[] idx = new long[r];
        long off = 0;
        for (int k = 0; k < n; k++) {
            map[k] = (int) off;
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                off += strides[d];
                if (idx[d] < outDims[d]) {
                    break;
                }
                off -= strides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    /** {@code out[i] = x[map[i]]} with x's type; {@code out} gets shape {@code dims}. */
    static INDArray take(INDArray x, int[] map, long[] dims) {
        switch (x.dataType()) {
            case FLOAT: {
                float[] xs = x.data().asFloat();
                float[] o = new float[map.length];
                for (int i = 0; i < map.length; i++) {
                    o[i] = xs[map[i]];
                }
                return floats(o, dims);
            }
            case DOUBLE: {
                double[] xs = x.data().asDouble();
                double[] o = new double[map.length];
                for (int i = 0; i < map.length; i++) {
                    o[i] = xs[map[i]];
                }
                return doubles(o, dims);
            }
            default: {
                long[] xs = toLongs(x);
                long[] o = new long[map.length];
                for (int i = 0; i < map.length; i++) {
                    o[i] = xs[map[i]];
                }
                return fromLongs(o, dims, x.dataType());
            }
        }
    }

    /** Zeros of {@code dims} (src's type), then {@code out[map[i]] += src[i]}. */
    static INDArray scatterAdd(INDArray src, int[] map, long[] dims) {
        int n = Math.toIntExact(Shape.of(dims).size());
        switch (src.dataType()) {
            case FLOAT: {
                float[] s = src.data().asFloat();
                float[] o = new float[n];
                for (int i = 0; i < map.length; i++) {
                    o[map[i]] += s[i];
                }
                return floats(o, dims);
            }
            case DOUBLE: {
                double[] s = src.data().asDouble();
                double[] o = new double[n];
                for (int i = 0; i < map.length; i++) {
                    o[map[i]] += s[i];
                }
                return doubles(o, dims);
            }
            default: {
                long[] s = toLongs(src);
                long[] o = new long[n];
                for (int i = 0; i < map.length; i++) {
                    o[map[i]] += s[i];
                }
                return fromLongs(o, dims, src.dataType());
            }
        }
    }

    /** {outer, size, inner} of {@code shape} around {@code axis}. */
    static int[] split(Shape shape, int axis) {
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape.dim(i);
        }
        for (int i = axis + 1; i < shape.rank(); i++) {
            inner *= shape.dim(i);
        }
        return new int[] {Math.toIntExact(outer), Math.toIntExact(shape.dim(axis)), Math.toIntExact(inner)};
    }

    /**
     * For torch.gather along {@code axis}: for each element of {@code index} (shape {@code is}), the flat position in
     * an array of shape {@code xs} it refers to. Checks every index against the axis size.
     */
    static int[] gatherMap(String op, Shape xs, Shape is, int axis, long[] index) {
        int r = xs.rank();
        long[] xStrides = xs.strides();
        long[] dims = is.dims();
        long[] idx = new long[r];
        int[] map = new int[index.length];
        long size = xs.dim(axis);
        for (int k = 0; k < index.length; k++) {
            long v = index[k];
            if (v < 0 || v >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range for axis " + axis
                        + " of size " + size + " (shape " + xs + ")");
            }
            long off = 0;
            for (int d = 0; d < r; d++) {
                long c = d == axis ? v : idx[d];
                if (d != axis && c >= xs.dim(d)) {
                    throw new IndexOutOfBoundsException(op + ": index shape " + is + " exceeds source shape " + xs
                            + " on axis " + d);
                }
                off += c * xStrides[d];
            }
            map[k] = (int) off;
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return map;
    }

    /** For index_select along {@code axis}: output flat position to source flat position. */
    static int[] indexSelectMap(String op, Shape xs, int axis, long[] index) {
        int[] s = split(xs, axis);
        int outer = s[0];
        int size = s[1];
        int inner = s[2];
        int k = index.length;
        int[] map = new int[outer * k * inner];
        int p = 0;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                long v = index[j];
                if (v < 0 || v >= size) {
                    throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range for axis " + axis
                            + " of size " + size + " (shape " + xs + ")");
                }
                int base = (int) ((o * (long) size + v) * inner);
                for (int i = 0; i < inner; i++) {
                    map[p++] = base + i;
                }
            }
        }
        return map;
    }
}
