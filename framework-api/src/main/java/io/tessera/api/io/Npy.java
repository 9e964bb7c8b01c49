package io.tessera.api.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0, C order, little-endian).
 *
 * <p>Reading is strict and checks sizes before it allocates: the header length is at most
 * {@value #MAX_HEADER_BYTES} bytes and must fit in the file; every dimension is a non-negative decimal integer; the
 * shape's byte size is computed with overflow checks and must equal the bytes that follow the header exactly (no
 * missing and no trailing bytes); arrays above 2 GiB are refused. The data is then read straight into its buffer.
 * Malformed input fails with an {@link IOException} naming the source, what is wrong and how to fix it.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Npy {
    /** The longest header accepted, in bytes; NumPy itself writes headers of a few hundred bytes. */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    /** The largest data section accepted, in bytes: one Java array. */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int QUOTE_LIMIT = 200;
    private static final Set<String> DESCRS = Set.of("<f4", "<f8", "<i8", "<i4", "|b1");
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIM = Pattern.compile("[0-9]{1,19}");

    private Npy() {
    }

    /** What the header says: the dtype, the shape, where the data starts and how many bytes it has. */
    private record Header(String descr, long[] shape, long dataStart, long dataBytes) {
    }

    /**
     * Reads a {@code .npy} file. The declared size is checked against the file's length before anything is
     * allocated, and the data is read from the file channel straight into the array's buffer.
     */
    public static NpyArray read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(size, 12));
            readFully(ch, prefix, 0, source);
            int headerLen = headerLength(prefix.array(), size, source);
            int headerStart = headerStart(prefix.array());
            ByteBuffer headerBytes = ByteBuffer.allocate(headerLen);
            readFully(ch, headerBytes, headerStart, source);
            Header h = parseHeader(prefix.array()[6], headerBytes.array(), headerStart, source);
            checkDataLength(h, size - h.dataStart(), source);
            ByteBuffer data = allocate(h, source);
            readFully(ch, data, h.dataStart(), source);
            return new NpyArray(h.descr(), h.shape(), data);
        } catch (NoSuchFileException e) {
            throw new IOException(source + ": no such .npy file; check the path", e);
        }
    }

    /**
     * Reads a {@code .npy} stream to its end; {@code source} names it in error messages. The header is bounded and
     * the data is read in chunks up to the declared size, so a header that lies costs no more memory than the stream
     * really holds; the stream must end right after the data.
     */
    public static NpyArray read(InputStream in, String source) throws IOException {
        byte[] prefix = in.readNBytes(10);
        if (prefix.length == 10 && Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC) && prefix[6] != 1) {
            prefix = Arrays.copyOf(prefix, 12);
            int more = in.readNBytes(prefix, 10, 2);
            if (more < 2) {
                prefix = Arrays.copyOf(prefix, 10 + more);
            }
        }
        int headerLen = headerLength(prefix, Long.MAX_VALUE, source);
        int headerStart = headerStart(prefix);
        byte[] header = in.readNBytes(headerLen);
        if (header.length < headerLen) {
            throw new IOException(source + ": truncated .npy header: it declares " + headerLen + " bytes but the"
                    + " stream ends after " + header.length + "; copy the file again");
        }
        Header h = parseHeader(prefix[6], header, headerStart, source);
        checkDataSize(h, source);
        byte[] data = in.readNBytes((int) h.dataBytes());
        if (data.length < h.dataBytes()) {
            throw new IOException(source + ": truncated .npy data: shape " + Arrays.toString(h.shape()) + " of "
                    + h.descr() + " needs " + h.dataBytes() + " bytes but the stream has " + data.length
                    + "; copy the file again");
        }
        if (in.read() != -1) {
            throw new IOException(source + ": trailing bytes after the " + h.dataBytes() + " data bytes of shape "
                    + Arrays.toString(h.shape()) + "; the header does not match the content");
        }
        return new NpyArray(h.descr(), h.shape(), ByteBuffer.wrap(data));
    }

    /** Parses the bytes of a {@code .npy} file; {@code source} names it in error messages. */
    public static NpyArray read(byte[] bytes, String source) throws IOException {
        int headerLen = headerLength(bytes, bytes.length, source);
        int headerStart = headerStart(bytes);
        Header h = parseHeader(bytes[6], Arrays.copyOfRange(bytes, headerStart, headerStart + headerLen),
                headerStart, source);
        checkDataLength(h, bytes.length - h.dataStart(), source);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) h.dataStart(), (int) h.dataBytes()).slice();
        return new NpyArray(h.descr(), h.shape(), data);
    }

    private static int headerStart(byte[] prefix) {
        return prefix[6] == 1 ? 10 : 12;
    }

    // The magic, the version and the header length; checks that the header fits in the file (fileSize bytes).
    private static int headerLength(byte[] prefix, long fileSize, String source) throws IOException {
        if (prefix.length < 10 || !Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
            throw new IOException(source + ": not a .npy file (missing the \\x93NUMPY magic in its first 6 bytes);"
                    + " save arrays with numpy.save");
        }
        int major = prefix[6];
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = ((prefix[9] & 0xff) << 8) | (prefix[8] & 0xff);
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (prefix.length < 12) {
                throw new IOException(source + ": truncated .npy file: " + prefix.length + " bytes, shorter than the"
                        + " 12-byte preamble of format " + major + ".0; copy the file again");
            }
            headerLen = ByteBuffer.wrap(prefix, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + (major & 0xff) + "." + prefix[7]
                    + " (supported: 1.0, 2.0, 3.0); the file is corrupt or from a newer NumPy");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IOException(source + ": .npy header length " + headerLen + " is above the limit of "
                    + MAX_HEADER_BYTES + " bytes (NumPy writes a few hundred); the file is corrupt");
        }
        if (headerStart + headerLen > fileSize) {
            throw new IOException(source + ": truncated .npy header: it declares " + headerLen + " bytes but the file"
                    + " has only " + Math.max(0, fileSize - headerStart) + " after the preamble; copy the file again");
        }
        return (int) headerLen;
    }

    private static Header parseHeader(byte major, byte[] bytes, int headerStart, String source) throws IOException {
        String header = new String(bytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(source + ": malformed .npy header (expected a dict with 'descr', 'fortran_order'"
                    + " and 'shape'): " + quote(header.strip()));
        }
        String descr = d.group(1);
        if (!DESCRS.contains(descr)) {
            throw new IOException(source + ": unsupported dtype " + quote("'" + descr + "'") + " (supported: "
                    + new TreeSet<>(DESCRS) + "); convert with array.astype(...) before saving");
        }
        if (f.group(1).equals("True")) {
            throw new IOException(source + ": Fortran-order arrays are not supported; save with C order"
                    + " (numpy.ascontiguousarray)");
        }
        String[] tokens = s.group(1).split(",", -1);
        List<Long> dims = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i].strip();
            if (t.isEmpty() && i == tokens.length - 1) {
                break; // the trailing comma of a 1-tuple, or an empty tuple
            }
            if (!DIM.matcher(t).matches()) {
                throw new IOException(source + ": .npy shape (" + quote(s.group(1)) + ") has dimension "
                        + quote("'" + t + "'") + "; every dimension must be a non-negative decimal integer"
                        + (t.endsWith("L") || t.endsWith("l") ? " (a Python 2 long suffix: re-save the array with"
                                + " NumPy on Python 3)" : "") + "; the header is corrupt or was not written by NumPy");
            }
            long dim;
            try {
                dim = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IOException(source + ": .npy dimension " + t + " does not fit a 64-bit integer", e);
            }
            dims.add(dim);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long bytesNeeded;
        try {
            long count = 1;
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            bytesNeeded = Math.multiplyExact(count, itemSize(descr));
        } catch (ArithmeticException e) {
            throw new IOException(source + ": .npy shape " + Arrays.toString(shape) + " of " + descr
                    + " has more than 2^63 bytes; the header is corrupt", e);
        }
        return new Header(descr, shape, headerStart + (long) bytes.length, bytesNeeded);
    }

    private static void checkDataSize(Header h, String source) throws IOException {
        if (h.dataBytes() > MAX_DATA_BYTES) {
            throw new IOException(source + ": .npy shape " + Arrays.toString(h.shape()) + " of " + h.descr()
                    + " has " + h.dataBytes() + " bytes; arrays above " + MAX_DATA_BYTES + " bytes (2 GiB) are not"
                    + " supported: split the array into several files");
        }
    }

    // The file must hold exactly the declared bytes after the header.
    private static void checkDataLength(Header h, long remaining, String source) throws IOException {
        if (remaining < h.dataBytes()) {
            throw new IOException(source + ": truncated .npy data: shape " + Arrays.toString(h.shape()) + " of "
                    + h.descr() + " needs " + h.dataBytes() + " bytes but the file has " + remaining
                    + " after the header; copy the file again");
        }
        if (remaining > h.dataBytes()) {
            throw new IOException(source + ": " + (remaining - h.dataBytes()) + " trailing bytes: shape "
                    + Arrays.toString(h.shape()) + " of " + h.descr() + " needs " + h.dataBytes() + " bytes but the"
                    + " file has " + remaining + " after the header; the header does not match the content");
        }
        checkDataSize(h, source);
    }

    private static ByteBuffer allocate(Header h, String source) throws IOException {
        try {
            return ByteBuffer.allocate((int) h.dataBytes());
        } catch (OutOfMemoryError e) {
            throw new IOException(source + ": the " + h.dataBytes() + " bytes of .npy shape "
                    + Arrays.toString(h.shape()) + " do not fit in the Java heap (at most "
                    + Runtime.getRuntime().maxMemory() + " bytes); raise -Xmx", e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String source) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(source + ": unexpected end of file at byte " + pos
                        + " (the file shrank while it was read)");
            }
            pos += n;
        }
        buf.flip();
    }

    private static String quote(String text) {
        return text.length() <= QUOTE_LIMIT ? text
                : text.substring(0, QUOTE_LIMIT) + "... (" + text.length() + " characters)";
    }

    /** Bytes per element of a descriptor. */
    public static int itemSize(String descr) {
        return switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported npy dtype " + descr);
        };
    }

    /** Writes a float32 array atomically (temp file + rename). */
    public static void writeFloat(Path file, long[] shape, float[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        write(file, new NpyArray("<f4", shape, data));
    }

    /** Writes an array atomically (temp file in the same folder, then rename). */
    public static void write(Path file, NpyArray array) throws IOException {
        String shape = Arrays.stream(array.shape()).mapToObj(Long::toString)
                .reduce((a, c) -> a + ", " + c).orElse("");
        if (array.shape().length == 1) {
            shape += ",";
        }
        StringBuilder header = new StringBuilder("{'descr': '" + array.descr() + "', 'fortran_order': False, 'shape': ("
                + shape + "), }");
        int total = 10 + header.length() + 1;
        header.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(MAGIC);
            out.write(new byte[] {1, 0});
            int len = header.length();
            out.write(new byte[] {(byte) (len & 0xff), (byte) (len >> 8)});
            out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
            ByteBuffer d = array.data().duplicate();
            byte[] raw = new byte[d.remaining()];
            d.get(raw);
            out.write(raw);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
