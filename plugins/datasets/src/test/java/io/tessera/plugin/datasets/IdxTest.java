package io.tessera.plugin.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    static IdxArray images(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        return new IdxArray(Idx.Type.UBYTE, new int[] {n, rows, cols}, data);
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void writesTheBigEndianHeaderOfTheFormat() {
        byte[] bytes = Idx.toBytes(images(2, 3, 4));
        assertThat(Arrays.copyOf(bytes, 16)).containsExactly(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4);
        assertThat(bytes).hasSize(16 + 24);
        assertThat(images(2, 3, 4).magic()).isEqualTo(Idx.IMAGES_MAGIC);
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        IdxArray a = images(3, 2, 5);
        Path plain = dir.resolve("x-idx3-ubyte");
        Path gz = dir.resolve("x-idx3-ubyte.gz");
        Idx.write(plain, a);
        Idx.write(gz, a);
        assertThat(Files.size(gz)).isNotEqualTo(Files.size(plain));
        for (Path p : new Path[] {plain, gz}) {
            IdxArray back = Idx.read(p);
            assertThat(back.type()).isEqualTo(Idx.Type.UBYTE);
            assertThat(back.dims()).containsExactly(3, 2, 5);
            assertThat(back.data()).isEqualTo(a.data());
        }
        // Content decides, not the name: gzip bytes under a plain name still read.
        Path misnamed = dir.resolve("misnamed");
        Files.write(misnamed, Files.readAllBytes(gz));
        assertThat(Idx.read(misnamed).data()).isEqualTo(a.data());
    }

    @Test
    void readsOtherElementTypes() throws IOException {
        byte[] raw = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
        IdxArray a = Idx.read(new ByteArrayInputStream(raw), "ints");
        assertThat(a.type()).isEqualTo(Idx.Type.INT);
        assertThat(a.count()).isEqualTo(2);
        assertThatThrownBy(a::toUnsignedInts).hasMessageContaining("not UBYTE");
    }

    @Test
    void rejectsAWrongMagicNumberNamingTheFile() {
        byte[] raw = {'P', 'K', 3, 4, 0, 0, 0, 0};
        assertThatThrownBy(() -> Idx.read(new ByteArrayInputStream(raw), "data/train-images.zip"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("data/train-images.zip: not an IDX file: magic number 0x504B0304")
                .hasMessageContaining("2051");
    }

    @Test
    void rejectsATruncatedFile() {
        byte[] full = Idx.toBytes(images(4, 3, 3));
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        assertThatThrownBy(() -> Idx.read(new ByteArrayInputStream(cut), "cut-idx3"))
                .hasMessageContaining("cut-idx3: truncated: dimensions [4, 3, 3] need 36 data bytes")
                .hasMessageContaining("the file has only 31")
                .hasMessageContaining("download or copy the file again");
        assertThatThrownBy(() -> Idx.read(new ByteArrayInputStream(new byte[] {0, 0}), "tiny"))
                .hasMessageContaining("tiny: truncated: expected 4 bytes for the 4-byte magic number");
    }

    @Test
    void rejectsATruncatedGzipStream() throws IOException {
        byte[] gz = gzip(Idx.toBytes(images(50, 28, 28)));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(f, cut);
        assertThatThrownBy(() -> Idx.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("download or copy the file again");
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] full = Idx.toBytes(images(1, 2, 2));
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        assertThatThrownBy(() -> Idx.read(new ByteArrayInputStream(longer), "long"))
                .hasMessageContaining("long: trailing bytes after the 4 data bytes");
    }

    @Test
    void namesAMissingFile() {
        Path f = dir.resolve("nope.gz");
        assertThatThrownBy(() -> Idx.read(f)).hasMessageContaining(f + ": no such IDX file");
    }

    // --- issue 17: hostile headers, each from its reproduction ---

    /** An uncompressed IDX header of unsigned bytes with these dimensions. */
    static byte[] header(int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void refusesDimensionsWhoseProductOverflows() throws IOException {
        Path f = dir.resolve("huge-idx3-ubyte");
        Files.write(f, header(2147483646, 2147483646, 2147483646));
        assertThatThrownBy(() -> Idx.read(f)).isInstanceOf(IOException.class).hasMessageContaining(f.toString())
                .hasMessageContaining("[2147483646, 2147483646, 2147483646]")
                .hasMessageContaining("more than 2^63 bytes");
        // 65536^3 * 65536 wraps to 0 in 64 bits: refused, not read as an empty array
        Files.write(f, header(65536, 65536, 65536, 65536));
        assertThatThrownBy(() -> Idx.read(f)).hasMessageContaining("more than 2^63 bytes");
        // no wrap but above one Java array
        Files.write(f, header(65536, 65536, 2));
        assertThatThrownBy(() -> Idx.read(f)).hasMessageContaining(f.toString())
                .hasMessageContaining("8589934592 bytes").hasMessageContaining("2 GiB");
        assertThatThrownBy(() -> new IdxArray(Idx.Type.UBYTE, new int[] {65536, 65536, 65536, 65536}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 2^63 bytes");
    }

    @Test
    void refusesASmallFileClaimingGigabytesBeforeAllocating() throws IOException {
        Path f = dir.resolve("liar-idx1-ubyte");
        Files.write(f, header(Integer.MAX_VALUE - 16)); // 8 bytes claiming 2^31-17 data bytes
        assertThatThrownBy(() -> Idx.read(f)).isInstanceOf(IOException.class).hasMessageContaining(f.toString())
                .hasMessageContaining("needs 2147483631 data bytes but the file has 0")
                .hasMessageContaining("truncated");
        // through a stream (length unknown) the claim is not allocated up front either: it fails after what is there
        byte[] bytes = Arrays.copyOf(header(1 << 30), 8 + 100);
        assertThatThrownBy(() -> Idx.read(new ByteArrayInputStream(bytes), "stream"))
                .hasMessageContaining("stream: truncated").hasMessageContaining("only 100");
    }

    /**
     * A gzip stream of {@code head} followed by {@code zeros} zero bytes, built block by block (each megabyte of zeros
     * deflates to the same ~1 KB, fully flushed, so the block repeats), with the size trailer; the CRC trailer is
     * correct up to 64 MiB of zeros and left 0 above (the bombs are refused long before a reader reaches it).
     */
    static byte[] gzipBomb(byte[] head, long zeros) {
        Deflater d = new Deflater(9, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        byte[] buf = new byte[1 << 20];
        d.setInput(head);
        out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH));
        byte[] mib = new byte[1 << 20];
        d.setInput(mib);
        byte[] block = Arrays.copyOf(buf, d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH));
        boolean checksum = zeros <= 64 << 20;
        CRC32 crc = new CRC32();
        crc.update(head);
        long left = zeros;
        for (; left >= mib.length; left -= mib.length) {
            out.writeBytes(block);
            if (checksum) {
                crc.update(mib);
            }
        }
        d.setInput(new byte[(int) left]);
        out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH));
        crc.update(new byte[(int) left]);
        d.finish();
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        long size = head.length + zeros;
        out.writeBytes(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(checksum ? (int) crc.getValue() : 0)
                .putInt((int) size).array());
        return out.toByteArray();
    }

    @Test
    void theGzipBombBuilderMakesAValidStream() throws IOException {
        byte[] bomb = gzipBomb(header(3 << 20), 3 << 20);
        Path f = dir.resolve("three-mib.gz");
        Files.write(f, bomb);
        assertThat(bomb.length).isLessThan(10_000);
        IdxArray a = Idx.read(f);
        assertThat(a.dims()).containsExactly(3 << 20);
        assertThat(a.data()).hasSize(3 << 20);
        assertThat(Arrays.equals(a.data(), new byte[3 << 20])).as("all zeros").isTrue();
    }

    @Test
    void aGzipStreamInflatingBeyondItsHeaderIsCutAtTheDeclaredSize() throws IOException {
        // 2 MB of gzip inflating to 2 GiB behind a header declaring 16 MiB: read 16 MiB and a byte, then refused
        byte[] bomb = gzipBomb(header(16 << 20), (2L << 30) - 100);
        assertThat(bomb.length).isBetween(1_000_000, 3_000_000);
        Path f = dir.resolve("bomb-idx1-ubyte.gz");
        Files.write(f, bomb);
        assertThatThrownBy(() -> Idx.read(f)).isInstanceOf(IOException.class).hasMessageContaining(f.toString())
                .hasMessageContaining("trailing bytes after the 16777216 data bytes")
                .hasMessageContaining("inflates to more than the header declares");
    }

    @Test
    void aTwoMegabyteGzipBombDoesNotExhaustASmallHeap() throws Exception {
        // the reproduction: a 2 MB gzip inflating to 2 GiB (header included) that declares 2^31-17 bytes, read by a
        // JVM with a small heap; it must end with a clear message, not an OutOfMemoryError
        Path f = dir.resolve("bomb-idx1-ubyte.gz");
        Files.write(f, gzipBomb(header(Integer.MAX_VALUE - 16), Integer.MAX_VALUE - 16));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), ReadIdx.class.getName(), f.toString()))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(output).contains("IOException").contains(f.toString()).contains("raise -Xmx")
                .doesNotContain("OutOfMemoryError");
        assertThat(p.exitValue()).as(output).isEqualTo(3);
    }

    /** Reads the IDX file named by its argument: exit 0 when it reads, 3 on an IOException, 4 on anything else. */
    public static final class ReadIdx {
        public static void main(String[] args) {
            try {
                Idx.read(Path.of(args[0]));
                System.exit(0);
            } catch (IOException e) {
                System.out.println("IOException: " + e.getMessage());
                System.exit(3);
            } catch (Throwable t) {
                t.printStackTrace(System.out);
                System.exit(4);
            }
        }
    }
}
