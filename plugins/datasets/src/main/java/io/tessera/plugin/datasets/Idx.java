package io.tessera.plugin.datasets;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.apiguardian.api.API;

/**
 * Reads and writes IDX files, the format of MNIST and Fashion-MNIST: a 4-byte big-endian magic number
 * {@code 0x00 0x00 <type> <ndims>}, then {@code ndims} big-endian 4-byte dimensions, then the elements row-major.
 * Gzipped files (recognised by their content, not their name) are decompressed on the fly.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Idx {
    /** Magic number of MNIST image files: unsigned bytes, 3 dimensions (count, rows, columns). */
    public static final int IMAGES_MAGIC = 2051;
    /** Magic number of MNIST label files: unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 2049;

    /** IDX element types and their codes (byte 2 of the magic number). */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        private final int code;
        private final int byteSize;

        Type(int code, int byteSize) {
            this.code = code;
            this.byteSize = byteSize;
        }

        /** The type code in the magic number. */
        public int code() {
            return code;
        }

        /** Bytes per element. */
        public int byteSize() {
            return byteSize;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    private Idx() {
    }

    /**
     * Reads an IDX file, gzipped or not. For a plain file the declared size is compared with the file's length
     * before anything is allocated; a gzipped file is decompressed only up to the declared size (see
     * {@link #read(InputStream, String)}).
     */
    public static IdxArray read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such IDX file; check the data folder (expected MNIST-style files "
                    + "such as train-images-idx3-ubyte.gz)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        }
    }

    /**
     * Reads an IDX stream, gzipped or not; {@code source} names it in error messages. The stream is read to its end
     * but not closed.
     *
     * <p>The dimensions' product is computed with overflow checks and must stay below {@link #MAX_DATA_BYTES}; the
     * data is then read in chunks up to the declared size, so a header that claims more than the stream holds
     * (or a gzip stream that inflates to more than its header claims) fails with an {@link IOException} after
     * reading at most what the stream really holds, never allocating the claim up front.
     */
    public static IdxArray read(InputStream raw, String source) throws IOException {
        return read(raw, source, -1);
    }

    // fileSize: the length of a plain file, or -1 when unknown
    private static IdxArray read(InputStream raw, String source, long fileSize) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzipped = b0 == 0x1f && b1 == 0x8b;
        if (gzipped) {
            try {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new IOException(source + ": corrupt gzip header (" + e.getMessage()
                        + "); download or copy the file again", e);
            }
        }
        try {
            return readIdx(in, source, gzipped, gzipped ? -1 : fileSize);
        } catch (EOFException e) {
            throw new IOException(source + ": truncated " + (gzipped ? "gzip stream" : "file") + " ("
                    + e.getMessage() + "); download or copy the file again", e);
        } catch (ZipException e) {
            throw new IOException(source + ": corrupt gzip data (" + e.getMessage()
                    + "); download or copy the file again", e);
        }
    }

    private static IdxArray readIdx(InputStream in, String source, boolean gzipped, long fileSize)
            throws IOException {
        byte[] head = readExactly(in, 4, source, "the 4-byte magic number");
        int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        Type type = Type.of(head[2] & 0xff);
        int ndims = head[3] & 0xff;
        if (head[0] != 0 || head[1] != 0 || type == null || ndims == 0) {
            throw new IOException(source + ": not an IDX file: magic number 0x" + String.format("%08X", magic)
                    + " (expected 0x0000TTDD with type TT in 08,09,0B,0C,0D,0E and DD dimensions, e.g. 0x00000803 = "
                    + IMAGES_MAGIC + " for images, 0x00000801 = " + LABELS_MAGIC + " for labels)"
                    + (gzipped ? "" : "; if the file is compressed with something other than gzip, decompress it"));
        }
        byte[] dimBytes = readExactly(in, 4 * ndims, source, "the " + ndims + " dimensions");
        int[] dims = new int[ndims];
        for (int i = 0; i < ndims; i++) {
            int d = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
                    | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
            if (d < 0) {
                throw new IOException(source + ": IDX dimension " + i + " is negative (" + d + "); the file is corrupt");
            }
            dims[i] = d;
        }
        long count = byteCount(type, dims, source);
        long headerBytes = 4L + 4L * ndims;
        if (fileSize >= 0 && fileSize - headerBytes != count) {
            throw new IOException(source + ": IDX " + type + " array of dimensions " + Arrays.toString(dims)
                    + " needs " + count + " data bytes but the file has " + (fileSize - headerBytes)
                    + " after its " + headerBytes + "-byte header; "
                    + (fileSize - headerBytes < count ? "the file is truncated: download or copy it again"
                            : "the header does not match the content"));
        }
        byte[] data = readData(in, (int) count, source, gzipped, dims);
        if (in.read() != -1) {
            throw new IOException(source + ": trailing bytes after the " + count + " data bytes of dimensions "
                    + Arrays.toString(dims) + "; the header does not match the content"
                    + (gzipped ? " (the gzip stream inflates to more than the header declares)" : ""));
        }
        return new IdxArray(type, dims, data);
    }

    /** The largest data section accepted, in bytes: one Java array (2 GiB). */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 16;

    // The data size of the dimensions, overflow-checked and bounded by MAX_DATA_BYTES.
    static long byteCount(Type type, int[] dims, String source) throws IOException {
        long count = type.byteSize();
        try {
            for (int d : dims) {
                count = Math.multiplyExact(count, d);
            }
        } catch (ArithmeticException e) {
            throw new IOException(source + ": IDX " + type + " array of dimensions " + Arrays.toString(dims)
                    + " has more than 2^63 bytes; the header is corrupt", e);
        }
        if (count > MAX_DATA_BYTES) {
            throw new IOException(source + ": IDX " + type + " array of dimensions " + Arrays.toString(dims)
                    + " has " + count + " bytes; arrays above " + MAX_DATA_BYTES + " bytes (2 GiB) are not"
                    + " supported" + (count > (1L << 40) ? " (the header is probably corrupt)" : ""));
        }
        return count;
    }

    // Reads exactly n data bytes in chunks, growing the buffer only as bytes arrive: a header that claims more
    // than the stream holds costs what the stream holds, not the claim.
    private static byte[] readData(InputStream in, int n, String source, boolean gzipped, int[] dims)
            throws IOException {
        final int chunk = 1 << 24;
        long heap = Runtime.getRuntime().maxMemory();
        if (n > heap) {
            throw new IOException(source + ": IDX dimensions " + Arrays.toString(dims) + " declare " + n
                    + " data bytes, more than the whole Java heap (at most " + heap + " bytes); raise -Xmx if the"
                    + " file is genuine, otherwise it is corrupt" + (gzipped ? " (or a gzip bomb)" : ""));
        }
        byte[] out = allocate(null, Math.min(n, chunk), n, source);
        int got = 0;
        while (got < n) {
            if (got == out.length) {
                out = allocate(out, (int) Math.min(n, Math.max(2L * out.length, chunk)), n, source);
            }
            int r = in.read(out, got, out.length - got);
            if (r < 0) {
                throw new IOException(source + ": truncated: dimensions " + Arrays.toString(dims) + " need " + n
                        + " data bytes but the " + (gzipped ? "gzip stream inflates to" : "file has") + " only "
                        + got + "; download or copy the file again");
            }
            got += r;
        }
        return out;
    }

    // A new buffer of size bytes holding a copy of old (if any); a heap too small for it is an IOException.
    private static byte[] allocate(byte[] old, int size, int declared, String source) throws IOException {
        try {
            return old == null ? new byte[size] : Arrays.copyOf(old, size);
        } catch (OutOfMemoryError e) {
            throw new IOException(source + ": the " + declared + " data bytes its header declares do not fit in the"
                    + " Java heap (at most " + Runtime.getRuntime().maxMemory() + " bytes); raise -Xmx", e);
        }
    }

    private static byte[] readExactly(InputStream in, int n, String source, String what) throws IOException {
        byte[] out = new byte[n];
        int got = in.readNBytes(out, 0, n);
        if (got < n) {
            throw new IOException(source + ": truncated: expected " + n + " bytes for " + what + " but only " + got
                    + " remain; download or copy the file again");
        }
        return out;
    }

    /** Writes an IDX file atomically, gzipped when the name ends in {@code .gz}. */
    public static void write(Path file, IdxArray array) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                if (target.getFileName().toString().endsWith(".gz")) {
                    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
                        write(gz, array);
                    }
                } else {
                    write(out, array);
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Writes an IDX stream (uncompressed). */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(array.magic());
        for (int dim : array.dims()) {
            d.writeInt(dim);
        }
        d.write(array.data());
        d.flush();
    }

    /** The uncompressed IDX bytes of an array. */
    public static byte[] toBytes(IdxArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, array);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
