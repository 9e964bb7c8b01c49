package io.tessera.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.io.Npy;
import io.tessera.api.io.NpyArray;
import io.tessera.api.io.RawTensor;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the {@code .npy} and safetensors readers, fuzzed from valid files (see {@link InputFuzzer}): every mutant
 * is read or refused with an {@link IOException} naming the file; never an unchecked exception, an error or a hang.
 */
class FileReaderFuzzTest {
    @TempDir
    Path dir;

    private static byte[] bytesOf(Path dir, String name, NpyArray a) throws IOException {
        Path f = dir.resolve(name);
        Npy.write(f, a);
        return Files.readAllBytes(f);
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** float32 2x3, int64 (4,), bool scalar, float64 (0, 5), and a hand-made format 2.0 int32 (3,). */
    private List<byte[]> npySeeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        ByteBuffer f = le(24);
        f.asFloatBuffer().put(new float[] {1, -2, 3.5f, 0, 1e-3f, 7});
        seeds.add(bytesOf(dir, "a.npy", new NpyArray("<f4", new long[] {2, 3}, f)));
        ByteBuffer l = le(32);
        l.asLongBuffer().put(new long[] {1, -1, Long.MAX_VALUE, 0});
        seeds.add(bytesOf(dir, "b.npy", new NpyArray("<i8", new long[] {4}, l)));
        seeds.add(bytesOf(dir, "c.npy", new NpyArray("|b1", new long[0], ByteBuffer.wrap(new byte[] {1}))));
        seeds.add(bytesOf(dir, "d.npy", new NpyArray("<f8", new long[] {0, 5}, ByteBuffer.allocate(0))));
        String header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
        header += " ".repeat((64 - (12 + header.length() + 1) % 64) % 64) + "\n";
        ByteBuffer v2 = le(12 + header.length() + 12);
        v2.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length())
                .put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(5).putInt(-6).putInt(7);
        seeds.add(v2.array());
        return seeds;
    }

    @Test
    void npyFilesAreReadOrRefusedWithAClearIOException() throws IOException {
        InputFuzzer.Report report = InputFuzzer.of("npy", ".npy", npySeeds())
                .reader(file -> {
                    NpyArray a = Npy.read(file);
                    a.toDoubleArray(); // the shape and data agree: every element can be read
                    // the byte and stream readers agree with the file reader
                    Npy.read(Files.readAllBytes(file), file.toString());
                    try (InputStream in = Files.newInputStream(file)) {
                        Npy.read(in, file.toString());
                    }
                })
                .accept(IOException.class).iterations(100).timeout(Duration.ofSeconds(60)).run(dir);
        System.out.println(report);
        assertThat(report.refused()).as("most mutants are refused").isGreaterThan(report.cases() / 2);
    }

    /** Two tensors and metadata; an empty file; one of every common dtype. */
    private static List<byte[]> safetensorsSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("conv.weight", RawTensor.ofFloats(new long[] {2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}));
        t.put("conv.bias", RawTensor.ofFloats(new long[] {2}, new float[] {0.5f, -0.5f}));
        seeds.add(Safetensors.toBytes(new SafetensorsFile(t, Map.of("format", "pt", "epoch", "3"))));
        seeds.add(Safetensors.toBytes(SafetensorsFile.of(Map.of())));
        SplittableRandom r = new SplittableRandom(3);
        Map<String, RawTensor> mixed = new LinkedHashMap<>();
        for (io.tessera.api.io.RawDType d : io.tessera.api.io.RawDType.values()) {
            byte[] raw = new byte[3 * d.byteSize()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) r.nextInt(256);
            }
            mixed.put("t_" + d.name(), new RawTensor(d, new long[] {3}, ByteBuffer.wrap(raw)));
        }
        seeds.add(Safetensors.toBytes(SafetensorsFile.of(mixed)));
        return seeds;
    }

    @Test
    void safetensorsFilesAreReadOrRefusedWithAClearIOException() {
        InputFuzzer.Report report = InputFuzzer.of("safetensors", ".safetensors", safetensorsSeeds())
                .reader(file -> {
                    SafetensorsFile f = Safetensors.read(file);
                    for (RawTensor t : f.tensors().values()) {
                        if (!t.dtype().name().startsWith("F8")) { // float8 has no conversion (RawTensor's javadoc)
                            t.toFloatArray();
                        }
                    }
                    Safetensors.read(Files.readAllBytes(file), file.toString());
                })
                .accept(IOException.class).iterations(150).timeout(Duration.ofSeconds(60)).run(dir);
        System.out.println(report);
        assertThat(report.refused()).isGreaterThan(report.cases() / 2);
    }

    @Test
    void theMutatorIsDeterministicAndChangesTheInput() {
        byte[] seed = "{'descr': '<f4', 'shape': (2, 3), }".getBytes();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        int changed = 0;
        SplittableRandom r1 = new SplittableRandom(5);
        SplittableRandom r2 = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            byte[] m1 = InputFuzzer.mutate(seed, r1, a);
            byte[] m2 = InputFuzzer.mutate(seed, r2, b);
            assertThat(m1).isEqualTo(m2);
            if (!java.util.Arrays.equals(m1, seed)) {
                changed++;
            }
        }
        assertThat(a).isEqualTo(b);
        assertThat(changed).isGreaterThan(180);
        assertThat(String.join(" ", a)).contains("bit flips", "truncated", "number", "inserted", "repeated",
                "random bytes", "deleted", "appended", "over");
    }
}
