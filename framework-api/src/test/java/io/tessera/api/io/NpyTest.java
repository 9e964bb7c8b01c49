package io.tessera.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
