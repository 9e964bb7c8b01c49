package io.tessera.plugin.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
                .hasMessageContaining("cut-idx3: truncated: expected 36 bytes for the data of dimensions [4, 3, 3]")
                .hasMessageContaining("only 31 remain")
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
}
