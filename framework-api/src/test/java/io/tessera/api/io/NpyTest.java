package io.tessera.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsFloatArrays() throws IOException {
        Path f = dir.resolve("a.npy");
        Npy.writeFloat(f, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6.5f});
        NpyArray a = Npy.read(f);
        assertThat(a.descr()).isEqualTo("<f4");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6.5f);
        assertThat((Files.size(f) - 6 * 4) % 64).as("data starts on a 64-byte boundary").isZero();
    }

    @Test
    void roundTripsScalars() throws IOException {
        Path f = dir.resolve("s.npy");
        Npy.writeFloat(f, new long[0], new float[] {3.25f});
        NpyArray a = Npy.read(f);
        assertThat(a.shape()).isEmpty();
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.toFloatArray()).containsExactly(3.25f);
    }

    @Test
    void rejectsFilesWithoutMagic() throws IOException {
        Path f = dir.resolve("bad.npy");
        Files.write(f, "hello world, not numpy".getBytes());
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.npy").hasMessageContaining("magic");
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        Path f = dir.resolve("t.npy");
        Npy.writeFloat(f, new long[] {4}, new float[] {1, 2, 3, 4});
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
        assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("truncated");
    }

    // --- issue 17: malformed headers, each from its reproduction ---

    /** A .npy file of format {@code major}.0 with {@code header} (padded to 64 bytes) and {@code data}. */
    private static byte[] npy(int major, String header, byte[] data) {
        int pre = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(header);
        h.append(" ".repeat((64 - (pre + h.length() + 1) % 64) % 64)).append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(pre + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) hb.length);
        } else {
            b.putInt(hb.length);
        }
        return b.put(hb).put(data).array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void refusesAShapeWhoseSizeOverflows() throws IOException {
        Path f = file("overflow.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, "
                + "4294967296), }", new byte[0]));
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("overflow.npy").hasMessageContaining("more than 2^63 bytes");
        Path g = file("big.npy", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536), }",
                new byte[16]));
        assertThatThrownBy(() -> Npy.read(g)).hasMessageContaining("big.npy")
                .hasMessageContaining("needs 34359738368 bytes but the file has 16");
    }

    @Test
    void refusesNegativeDimensions() throws IOException {
        Path f = file("neg.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }",
                new byte[0]));
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class).hasMessageContaining("neg.npy")
                .hasMessageContaining("'-1'").hasMessageContaining("non-negative decimal integer");
        Path g = file("neg2.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -2), }",
                new byte[16]));
        assertThatThrownBy(() -> Npy.read(g)).hasMessageContaining("neg2.npy").hasMessageContaining("'-2'");
    }

    @Test
    void refusesPython2LongSuffixesNamingTheFile() throws IOException {
        Path f = file("py2.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 2L), }",
                new byte[16]));
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class).hasMessageContaining("py2.npy")
                .hasMessageContaining("'2L'").hasMessageContaining("Python 2");
    }

    @Test
    void refusesAHugeVersion2HeaderLengthBeforeAllocating() throws IOException {
        byte[] bytes = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
        Path f = file("v2.npy", bytes);
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class).hasMessageContaining("v2.npy")
                .hasMessageContaining("2147483647").hasMessageContaining("limit of " + Npy.MAX_HEADER_BYTES);
        assertThatThrownBy(() -> Npy.read(bytes, "v2-bytes")).hasMessageContaining("v2-bytes");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(bytes), "v2-stream"))
                .hasMessageContaining("v2-stream");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0xffffffff);
        Path g = file("v3.npy", bytes);
        assertThatThrownBy(() -> Npy.read(g)).hasMessageContaining("v3.npy").hasMessageContaining("4294967295");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1000);
        Path h = file("v2short.npy", bytes);
        assertThatThrownBy(() -> Npy.read(h)).hasMessageContaining("v2short.npy")
                .hasMessageContaining("truncated .npy header");
    }

    @Test
    void readsVersion2And3Headers() throws IOException {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        for (int major : new int[] {2, 3}) {
            byte[] bytes = npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data);
            assertThat(Npy.read(file("v" + major + "ok.npy", bytes)).toFloatArray()).containsExactly(1.5f, -2f);
            assertThat(Npy.read(new ByteArrayInputStream(bytes), "s").toFloatArray()).containsExactly(1.5f, -2f);
        }
    }

    @Test
    void refusesAHugeFileWithoutReadingIt() throws IOException {
        // 3 GiB, sparse: the declared size is checked before anything is allocated or read
        Path f = dir.resolve("huge.npy");
        byte[] head = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (805306368,), }", new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(head.length + 3L * (1L << 30));
        }
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(IOException.class).hasMessageContaining("huge.npy")
                .hasMessageContaining("3221225472 bytes").hasMessageContaining("2 GiB");
    }

    @Test
    void refusesTrailingBytesAndLyingStreams() throws IOException {
        byte[] ok = npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        byte[] longer = Arrays.copyOf(ok, ok.length + 3);
        assertThatThrownBy(() -> Npy.read(file("trail.npy", longer))).hasMessageContaining("trail.npy")
                .hasMessageContaining("3 trailing bytes");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(longer), "trail-stream"))
                .hasMessageContaining("trail-stream").hasMessageContaining("trailing bytes");
        // a stream whose header claims 1.5 GiB but holds 4 bytes fails without allocating the claim
        byte[] lying = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (402653184,), }", new byte[4]);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(lying), "lying"))
                .hasMessageContaining("lying").hasMessageContaining("the stream has 4");
    }

    @Test
    void refusesUnknownVersionsDtypesAndMissingKeys() throws IOException {
        byte[] v9 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new byte[4]);
        v9[6] = 9;
        assertThatThrownBy(() -> Npy.read(file("v9.npy", v9))).hasMessageContaining("v9.npy")
                .hasMessageContaining("format version 9.0");
        assertThatThrownBy(() -> Npy.read(file("be.npy", npy(1, "{'descr': '>f4', 'fortran_order': False,"
                + " 'shape': (), }", new byte[4])))).hasMessageContaining("be.npy").hasMessageContaining("'>f4'");
        assertThatThrownBy(() -> Npy.read(file("nokeys.npy", npy(1, "{'x': 1}" + "y".repeat(5000), new byte[0]))))
                .hasMessageContaining("nokeys.npy").hasMessageContaining("malformed .npy header")
                .hasMessageContaining("(5008 characters)");
        assertThatThrownBy(() -> Npy.read(dir.resolve("absent.npy"))).isInstanceOf(IOException.class)
                .hasMessageContaining("absent.npy");
    }
}
