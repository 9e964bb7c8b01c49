package io.tessera.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** Builds a file by hand: 8-byte little-endian header length, header (padded as given), data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    @Test
    void writesTheExactLayoutOfTheSpecification() throws IOException {
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv1.weight", RawTensor.ofFloats(new long[] {2, 1}, new float[] {1.5f, -2f}));
        tensors.put("step", RawTensor.ofLongs(new long[0], new long[] {7}));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, tensors, Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(f);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0)).as("header length, u64 little-endian").isEqualTo(padded);
        assertThat(new String(bytes, 8, padded, StandardCharsets.UTF_8))
                .isEqualTo(json + " ".repeat(padded - json.length()));
        assertThat((8 + padded) % 8).as("data section is 8-byte aligned").isZero();
        assertThat(bytes).hasSize(8 + padded + 16);
        assertThat(b.getFloat(8 + padded)).isEqualTo(1.5f);
        assertThat(b.getFloat(8 + padded + 4)).isEqualTo(-2f);
        assertThat(b.getLong(8 + padded + 8)).isEqualTo(7L);
        assertThat(Safetensors.toBytes(new SafetensorsFile(tensors, Map.of("format", "pt")))).isEqualTo(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, new SafetensorsFile(tensors, Map.of("format", "pt")));
        assertThat(out.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void readsAHandBuiltFileWithWhitespaceAndAnyTensorOrder() throws IOException {
        // Tensors listed out of data order, header with spaces and a newline, padded to 8.
        String header = "{ \"b\": {\"dtype\": \"BOOL\", \"shape\": [3], \"data_offsets\": [8, 11]},\n"
                + "  \"a\": {\"shape\": [1, 2], \"dtype\": \"F32\", \"data_offsets\": [0, 8]} }";
        header += " ".repeat((8 - header.length() % 8) % 8);
        byte[] data = new byte[11];
        System.arraycopy(floats(3f, 4f), 0, data, 0, 8);
        data[8] = 1;
        data[10] = 1;
        SafetensorsFile f = Safetensors.read(file(header, data), "hand.safetensors");
        assertThat(f.tensors().keySet()).containsExactly("b", "a");
        assertThat(f.metadata()).isEmpty();
        assertThat(f.tensor("a").shape()).containsExactly(1, 2);
        assertThat(f.tensor("a").toFloatArray()).containsExactly(3f, 4f);
        assertThat(f.tensor("b").dtype()).isEqualTo(RawDType.BOOL);
        assertThat(f.tensor("b").toLongArray()).containsExactly(1, 0, 1);
    }

    @Test
    void roundTripsEveryCommonDtypeThroughAFile() throws IOException {
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", RawTensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("f64", RawTensor.ofDoubles(new long[] {2}, new double[] {Math.PI, -1e-300}));
        tensors.put("i64", RawTensor.ofLongs(new long[] {3}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}));
        tensors.put("bool", RawTensor.ofBooleans(new long[] {2}, new boolean[] {true, false}));
        tensors.put("empty", RawTensor.ofFloats(new long[] {0, 4}, new float[0]));
        Path f = dir.resolve("sub/all.safetensors");
        Safetensors.write(f, tensors, Map.of("note", "quote \" and ünïcode"));
        SafetensorsFile back = Safetensors.read(f);
        assertThat(back.tensors()).isEqualTo(tensors);
        assertThat(back.metadata()).containsExactly(Map.entry("note", "quote \" and ünïcode"));
        assertThat(back.tensor("f64").toDoubleArray()).containsExactly(Math.PI, -1e-300);
        assertThat(Safetensors.read(Files.readAllBytes(f), "mem").tensors()).isEqualTo(tensors);
    }

    @Test
    void convertsHalfAndBfloat16ToFloat() {
        ByteBuffer half = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001).putShort((short) 0x7c00);
        half.flip();
        assertThat(new RawTensor(RawDType.F16, new long[] {4}, half).toFloatArray())
                .containsExactly(1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY);
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3fc0).putShort((short) 0xbf80);
        bf.flip();
        assertThat(new RawTensor(RawDType.BF16, new long[] {2}, bf).toFloatArray()).containsExactly(1.5f, -1f);
    }

    @Test
    void leavesNoTemporaryFileAndReplacesAnExistingFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Files.writeString(f, "old content");
        Safetensors.write(f, Map.of("x", RawTensor.ofFloats(new long[] {1}, new float[] {9})));
        assertThat(Safetensors.read(f).tensor("x").toFloatArray()).containsExactly(9f);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        Safetensors.write(f, Map.of("x", RawTensor.ofFloats(new long[] {1}, new float[] {1})));
        byte[] before = Files.readAllBytes(f);
        Map<String, RawTensor> bad = new LinkedHashMap<>();
        bad.put(Safetensors.METADATA_KEY, RawTensor.ofFloats(new long[] {1}, new float[] {2}));
        assertThatThrownBy(() -> Safetensors.write(f, bad)).hasMessageContaining("reserved");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void rejectsATooShortFile() {
        assertThatThrownBy(() -> Safetensors.read(new byte[] {1, 2, 3}, "tiny.safetensors"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tiny.safetensors").hasMessageContaining("shorter than the 8-byte header length");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() {
        byte[] bytes = file("{}      ", new byte[0]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 4096);
        assertThatThrownBy(() -> Safetensors.read(bytes, "cut.safetensors"))
                .hasMessageContaining("cut.safetensors: truncated safetensors file: header length 4096");
    }

    @Test
    void rejectsAnAbsurdHeaderLength() throws IOException {
        Path f = dir.resolve("model.pt");
        byte[] zip = "PK\u0003\u0004 this is a torch zip file, not safetensors".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, zip);
        assertThatThrownBy(() -> Safetensors.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model.pt").hasMessageContaining("not a safetensors file")
                .hasMessageContaining("must be converted");
    }

    @Test
    void rejectsBadJson() {
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"F32\",}}   ", new byte[0]), "j"))
                .hasMessageContaining("j: safetensors header is not valid JSON")
                .hasMessageContaining("offset");
        assertThatThrownBy(() -> Safetensors.read(file("[1, 2]  ", new byte[0]), "arr"))
                .hasMessageContaining("must start with '{'");
    }

    @Test
    void rejectsUnknownDtype() {
        String h = pad("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        assertThatThrownBy(() -> Safetensors.read(file(h, new byte[4]), "d"))
                .hasMessageContaining("tensor \"w\"").hasMessageContaining("unknown safetensors dtype \"F33\"")
                .hasMessageContaining("F32");
    }

    @Test
    void rejectsShapeThatDisagreesWithTheByteRange() {
        String h = pad("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}");
        assertThatThrownBy(() -> Safetensors.read(file(h, new byte[12]), "s"))
                .hasMessageContaining("tensor \"w\": dtype F32 and shape [2, 2] need 16 bytes")
                .hasMessageContaining("span 12");
    }

    @Test
    void rejectsOffsetsPastTheEnd() {
        String h = pad("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}");
        assertThatThrownBy(() -> Safetensors.read(file(h, new byte[8]), "t"))
                .hasMessageContaining("tensor \"w\" data_offsets [0, 16] run past the data section (8 bytes)");
    }

    @Test
    void rejectsOverlappingTensors() {
        String h = pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}");
        assertThatThrownBy(() -> Safetensors.read(file(h, new byte[12]), "o"))
                .hasMessageContaining("tensor \"b\" data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
    }

    @Test
    void rejectsGapsAndTrailingBytes() {
        String gap = pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}");
        assertThatThrownBy(() -> Safetensors.read(file(gap, new byte[8]), "g"))
                .hasMessageContaining("bytes [0, 4) of the data section belong to no tensor");
        String tail = pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        assertThatThrownBy(() -> Safetensors.read(file(tail, new byte[8]), "e"))
                .hasMessageContaining("the data section has 8 bytes but the tensors cover only 4");
    }

    @Test
    void rejectsMalformedEntries() {
        assertThatThrownBy(() -> Safetensors.read(file(pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],"
                + "\"data_offsets\":[0,0]}}"), new byte[0]), "n"))
                .hasMessageContaining("\"shape\" must hold non-negative integers");
        assertThatThrownBy(() -> Safetensors.read(file(pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0]}}"), new byte[4]), "n"))
                .hasMessageContaining("\"data_offsets\" must have 2 entries");
        assertThatThrownBy(() -> Safetensors.read(file(pad("{\"a\":[1]}"), new byte[0]), "n"))
                .hasMessageContaining("expected an object with dtype, shape and data_offsets");
        assertThatThrownBy(() -> Safetensors.read(file(pad("{\"__metadata__\":{\"k\":1}}"), new byte[0]), "n"))
                .hasMessageContaining("\"__metadata__\" entry \"k\" must be a string");
        assertThatThrownBy(() -> Safetensors.read(file(pad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,0]}}"), new byte[4]), "n"))
                .hasMessageContaining("end before they begin");
    }

    @Test
    void rawTensorChecksItsByteCount() {
        assertThatThrownBy(() -> new RawTensor(RawDType.F32, new long[] {3}, ByteBuffer.allocate(8)))
                .hasMessageContaining("needs 12 bytes, got 8");
    }

    @Test
    void convertsToAndFromNpy() throws IOException {
        RawTensor t = RawTensor.ofFloats(new long[] {2}, new float[] {1, 2});
        Path f = dir.resolve("t.npy");
        Npy.write(f, t.toNpy());
        assertThat(RawTensor.fromNpy(Npy.read(f))).isEqualTo(t);
        assertThat(Arrays.toString(t.shape())).isEqualTo("[2]");
    }

    private static String pad(String header) {
        return header + " ".repeat((8 - header.length() % 8) % 8);
    }

    // --- issue 17: the malformed headers that still got through or hung ---

    @Test
    void refusesAHeaderLengthWithTheHighBitSetAndOneAboveTheCap() throws IOException {
        byte[] bytes = file("{}      ", new byte[0]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8);
        assertThatThrownBy(() -> Safetensors.read(bytes, "neg.safetensors")).isInstanceOf(IOException.class)
                .hasMessageContaining("neg.safetensors").hasMessageContaining("18446744073709551608");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Safetensors.MAX_HEADER_BYTES + 1);
        Path f = dir.resolve("cap.safetensors");
        Files.write(f, bytes);
        assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("cap.safetensors")
                .hasMessageContaining("outside 2.." + Safetensors.MAX_HEADER_BYTES);
    }

    @Test
    void refusesShapesAndOffsetsThatOverflow() {
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296,"
                + " 4294967296], \"data_offsets\": [0, 0]}}", new byte[0]), "ovf"))
                .isInstanceOf(IOException.class).hasMessageContaining("ovf: tensor \"a\"")
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1],"
                + " \"data_offsets\": [0, 18446744073709551620]}}", new byte[4]), "big"))
                .isInstanceOf(IOException.class).hasMessageContaining("big: tensor \"a\"")
                .hasMessageContaining("non-negative integers");
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1],"
                + " \"data_offsets\": [0, 4]}}", new byte[4]), "negshape"))
                .isInstanceOf(IOException.class).hasMessageContaining("non-negative integers");
    }

    @Test
    void refusesAbsurdNumbersQuicklyInsteadOfParsingThem() {
        String digits = "9".repeat(2_000_000);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [" + digits
                + "], \"data_offsets\": [0, 4]}}", new byte[4]), "digits"))
                .isInstanceOf(IOException.class).hasMessageContaining("digits: safetensors header is not valid JSON")
                .hasMessageContaining("2000000 characters");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(5);
        assertThatThrownBy(() -> Safetensors.read(file("{\"__metadata__\": {\"x\": 1e-2147483649}}", new byte[0]),
                "exp")).isInstanceOf(IOException.class).hasMessageContaining("exp: safetensors header is not valid"
                        + " JSON").hasMessageContaining("out of range");
    }

    @Test
    void quotesAtMost200CharactersOfAHostileName() {
        String name = "n".repeat(100_000);
        assertThatThrownBy(() -> Safetensors.read(file("{\"" + name + "\": 5}", new byte[0]), "names"))
                .isInstanceOf(IOException.class).hasMessageContaining("(100000 characters)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": {\"dtype\": \"" + name + "\", \"shape\": [],"
                + " \"data_offsets\": [0, 0]}}", new byte[0]), "dtype"))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown safetensors dtype")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
    }
}
