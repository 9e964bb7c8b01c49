package io.tessera.api.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> weight format.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length {@code N}; {@code N} bytes of UTF-8 JSON, an object
 * mapping each tensor name to {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}} plus an
 * optional {@code "__metadata__"} object of strings; then the data section, in which each tensor occupies bytes
 * {@code [begin, end)} (relative to the start of the data section), little-endian, C order. The header is padded
 * with spaces so the data section starts on an 8-byte boundary.
 *
 * <p>Reading is strict, like the reference implementation: a bad header length, malformed JSON, an unknown dtype,
 * a shape whose size disagrees with its byte range, overlapping ranges, gaps, or ranges past the end of the file
 * fail with an {@link IOException} that names the file, the tensor and what to do. Writing is atomic: a temporary
 * file in the target folder is renamed over the target only once it is complete.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Safetensors {
    /** The header key that holds string metadata instead of a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    /** The reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private Safetensors() {
    }

    /** Reads a safetensors file. */
    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String source = file.toString();
            if (size < 8) {
                throw new IOException(source + ": not a safetensors file: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, source);
            long headerLen = checkHeaderLength(lenBuf.getLong(0), size, source);
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8, source);
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = parseHeader(headerBuf.array(), source, entries);
            long dataSize = size - 8 - headerLen;
            checkLayout(entries, dataSize, source);
            Map<String, RawTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                long len = e.end - e.begin;
                if (len > Integer.MAX_VALUE - 8) {
                    throw new IOException(source + ": tensor " + quote(e.name) + " has " + len
                            + " bytes; tensors above 2 GiB are not supported");
                }
                ByteBuffer data;
                try {
                    data = ByteBuffer.allocate((int) len);
                } catch (OutOfMemoryError oom) {
                    throw new IOException(source + ": tensor " + quote(e.name) + " has " + len + " bytes, more than"
                            + " the Java heap holds now (at most " + Runtime.getRuntime().maxMemory()
                            + " bytes); raise -Xmx", oom);
                }
                readFully(ch, data, 8 + headerLen + e.begin, source);
                tensors.put(e.name, new RawTensor(e.dtype, e.shape, data));
            }
            return new SafetensorsFile(tensors, metadata);
        }
    }

    /** Parses the bytes of a safetensors file; {@code source} names it in error messages. */
    public static SafetensorsFile read(byte[] bytes, String source) throws IOException {
        if (bytes.length < 8) {
            throw new IOException(source + ": not a safetensors file: " + bytes.length
                    + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = checkHeaderLength(b.getLong(0), bytes.length, source);
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = parseHeader(Arrays.copyOfRange(bytes, 8, 8 + (int) headerLen), source, entries);
        long dataStart = 8 + headerLen;
        checkLayout(entries, bytes.length - dataStart, source);
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer data = ByteBuffer.wrap(Arrays.copyOfRange(bytes, (int) (dataStart + e.begin),
                    (int) (dataStart + e.end)));
            tensors.put(e.name, new RawTensor(e.dtype, e.shape, data));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    /** Writes tensors (in map order) without metadata, atomically. */
    public static void write(Path file, Map<String, RawTensor> tensors) throws IOException {
        write(file, SafetensorsFile.of(tensors));
    }

    /** Writes tensors and metadata, atomically (temporary file in the same folder, then rename). */
    public static void write(Path file, Map<String, RawTensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, new SafetensorsFile(tensors, metadata));
    }

    /** Writes a file atomically (temporary file in the same folder, then rename). */
    public static void write(Path file, SafetensorsFile content) throws IOException {
        byte[] header = headerBytes(content);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(ch, ByteBuffer.wrap(header));
                for (RawTensor t : content.tensors().values()) {
                    writeFully(ch, t.data());
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The complete file as bytes (header length, padded header, data). */
    public static byte[] toBytes(SafetensorsFile content) {
        byte[] header = headerBytes(content);
        long total = 8L + header.length;
        for (RawTensor t : content.tensors().values()) {
            total += t.data().remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("file of " + total + " bytes does not fit a byte array; use write(Path, ...)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        for (RawTensor t : content.tensors().values()) {
            out.put(t.data());
        }
        return out.array();
    }

    /** Streams the complete file to {@code out} (not atomic; for sockets and archives). */
    public static void write(OutputStream out, SafetensorsFile content) throws IOException {
        byte[] header = headerBytes(content);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        byte[] chunk = new byte[1 << 16];
        for (RawTensor t : content.tensors().values()) {
            ByteBuffer d = t.data();
            while (d.hasRemaining()) {
                int n = Math.min(chunk.length, d.remaining());
                d.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    // The header JSON in the reference's compact form, tensors in map order, padded with spaces to 8-byte alignment.
    static byte[] headerBytes(SafetensorsFile content) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!content.metadata().isEmpty()) {
            header.put(METADATA_KEY, new LinkedHashMap<>(content.metadata()));
        }
        long offset = 0;
        for (Map.Entry<String, RawTensor> e : content.tensors().entrySet()) {
            RawTensor t = e.getValue();
            long len = t.data().remaining();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().name());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + len});
            header.put(e.getKey(), info);
            offset += len;
        }
        byte[] json = JsonText.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static long checkHeaderLength(long headerLen, long fileSize, String source) throws IOException {
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new IOException(source + ": not a safetensors file: header length " + Long.toUnsignedString(headerLen)
                    + " (first 8 bytes, little-endian) is outside 2.." + MAX_HEADER_BYTES
                    + "; the file is corrupt or in another format (a PyTorch .pt/.bin checkpoint must be converted)");
        }
        if (8 + headerLen > fileSize) {
            throw new IOException(source + ": truncated safetensors file: header length " + headerLen
                    + " needs " + (8 + headerLen) + " bytes but the file has " + fileSize
                    + "; download or copy the file again");
        }
        return headerLen;
    }

    private record Entry(String name, RawDType dtype, long[] shape, long begin, long end) {
    }

    private static Map<String, String> parseHeader(byte[] header, String source, List<Entry> entries)
            throws IOException {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(source + ": safetensors header is not valid UTF-8", e);
        }
        if (!json.startsWith("{")) {
            throw new IOException(source + ": safetensors header must start with '{' (JSON object), found "
                    + (json.isEmpty() ? "nothing" : "'" + json.charAt(0) + "'")
                    + "; the file is corrupt or in another format");
        }
        Object root;
        try {
            // Trailing spaces are the alignment padding; JSON allows them as whitespace.
            root = JsonText.parse(json);
        } catch (JsonText.JsonSyntaxException e) {
            throw new IOException(source + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException(source + ": safetensors header must be a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new IOException(source + ": \"" + METADATA_KEY + "\" must be an object of strings");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw new IOException(source + ": \"" + METADATA_KEY + "\" entry "
                                + quote((String) m.getKey()) + " must be a string, found " + describe(m.getValue()));
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            entries.add(parseEntry(name, e.getValue(), source));
        }
        return metadata;
    }

    private static Entry parseEntry(String name, Object value, String source) throws IOException {
        String where = source + ": tensor " + quote(name);
        if (!(value instanceof Map<?, ?> info)) {
            throw new IOException(where + ": expected an object with dtype, shape and data_offsets, found "
                    + describe(value));
        }
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new IOException(where + ": unknown field " + quote(key.toString())
                        + " (allowed: dtype, shape, data_offsets)");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) {
            throw new IOException(where + ": missing or non-string \"dtype\"");
        }
        RawDType dtype;
        try {
            dtype = RawDType.fromSafetensorsName(dtypeName);
        } catch (IllegalArgumentException ex) {
            throw new IOException(where + ": " + ex.getMessage(), ex);
        }
        long[] shape = longList(info.get("shape"), where, "shape", -1);
        long[] offsets = longList(info.get("data_offsets"), where, "data_offsets", 2);
        if (offsets[1] < offsets[0]) {
            throw new IOException(where + ": data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] end before they begin");
        }
        long numel;
        try {
            numel = Math.multiplyExact(RawTensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException ex) {
            throw new IOException(where + ": shape " + Arrays.toString(shape) + " is too large", ex);
        }
        if (offsets[1] - offsets[0] != numel) {
            throw new IOException(where + ": dtype " + dtype + " and shape " + Arrays.toString(shape) + " need "
                    + numel + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longList(Object value, String where, String field, int expectedLength)
            throws IOException {
        if (!(value instanceof List<?> list)) {
            throw new IOException(where + ": missing or non-array \"" + field + "\"");
        }
        if (expectedLength >= 0 && list.size() != expectedLength) {
            throw new IOException(where + ": \"" + field + "\" must have " + expectedLength + " entries, found "
                    + list.size());
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw new IOException(where + ": \"" + field + "\" must hold non-negative integers, found "
                        + describe(list.get(i)));
            }
            out[i] = l;
        }
        return out;
    }

    // The reference implementation requires the tensors to tile the data section exactly: no overlap, no gap,
    // nothing past the end and nothing left over.
    private static void checkLayout(List<Entry> entries, long dataSize, String source) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.end > dataSize) {
                throw new IOException(source + ": tensor " + quote(e.name) + " data_offsets [" + e.begin + ", " + e.end
                        + "] run past the data section (" + dataSize
                        + " bytes); the file is truncated: download or copy it again");
            }
            if (e.begin < expected) {
                throw new IOException(source + ": tensor " + quote(e.name) + " data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor " + quote(previous.name) + " [" + previous.begin + ", " + previous.end
                        + "]; the header is corrupt");
            }
            if (e.begin > expected) {
                throw new IOException(source + ": bytes [" + expected + ", " + e.begin
                        + ") of the data section belong to no tensor (before " + quote(e.name)
                        + "); the header is corrupt");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw new IOException(source + ": the data section has " + dataSize + " bytes but the tensors cover only "
                    + expected + "; the file has trailing bytes or the header is corrupt");
        }
    }

    // A name or value for a message: quoted, and cut after 200 characters (a hostile header may hold megabytes).
    private static String quote(String text) {
        return "\"" + (text.length() <= 200 ? text : text.substring(0, 200) + "...\" (" + text.length()
                + " characters)") + (text.length() <= 200 ? "\"" : "");
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "string " + quote(s);
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return String.valueOf(v);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String source) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(source + ": unexpected end of file at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
