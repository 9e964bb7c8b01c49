package io.tessera.plugin.datasets;

import java.util.Arrays;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The content of an IDX file: its element type, dimensions and raw big-endian element bytes.
 *
 * @param type the element type (byte 2 of the magic number)
 * @param dims the dimensions (for MNIST images: count, rows, columns)
 * @param data the elements, row-major, as stored (big-endian for multi-byte types)
 */
@API(status = API.Status.STABLE, since = "1.0")
public record IdxArray(Idx.Type type, int[] dims, byte[] data) {

    public IdxArray {
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
        long n;
        try {
            n = Idx.byteCount(type, dims, "IDX array");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (data.length != n) {
            throw new IllegalArgumentException("IDX " + type + " array of dimensions " + Arrays.toString(dims)
                    + " needs " + n + " bytes, got " + data.length);
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int count() {
        return data.length / type.byteSize();
    }

    /** The magic number of a file holding this array: {@code 0x0000 <type> <ndims>}. */
    public int magic() {
        return (type.code() << 8) | dims.length;
    }

    /** The elements as ints; only for the unsigned-byte type (values 0..255). */
    public int[] toUnsignedInts() {
        if (type != Idx.Type.UBYTE) {
            throw new IllegalStateException("IDX array has type " + type + ", not UBYTE");
        }
        int[] out = new int[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] & 0xff;
        }
        return out;
    }
}
