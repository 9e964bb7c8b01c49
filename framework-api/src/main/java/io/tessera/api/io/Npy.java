package io.tessera.api.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0, C order, little-endian).
 * Malformed input fails with an {@link IOException} naming the source and what is wrong.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Set<String> DESCRS = Set.of("<f4", "<f8", "<i8", "<i4", "|b1");
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a {@code .npy} file. */
    public static NpyArray read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /** Reads a {@code .npy} stream fully; {@code source} names it in error messages. */
    public static NpyArray read(InputStream in, String source) throws IOException {
        return read(in.readAllBytes(), source);
    }

    /** Parses the bytes of a {@code .npy} file; {@code source} names it in error messages. */
    public static NpyArray read(byte[] bytes, String source) throws IOException {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(source + ": not a .npy file (missing the \\x93NUMPY magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            headerStart = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major);
        }
        if (headerStart + headerLen > bytes.length) {
            throw new IOException(source + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(source + ": malformed .npy header: " + header.strip());
        }
        String descr = d.group(1);
        if (!DESCRS.contains(descr)) {
            throw new IOException(source + ": unsupported dtype '" + descr + "' (supported: " + DESCRS + ")");
        }
        if (f.group(1).equals("True")) {
            throw new IOException(source + ": Fortran-order arrays are not supported; save with C order");
        }
        long[] shape = Arrays.stream(s.group(1).split(","))
                .map(String::strip).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        long need = count * itemSize(descr);
        int dataStart = headerStart + headerLen;
        if (bytes.length - dataStart < need) {
            throw new IOException(source + ": truncated data: shape " + Arrays.toString(shape) + " needs " + need
                    + " bytes, file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new NpyArray(descr, shape, data);
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
