package io.tessera.plugin.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.testkit.InputFuzzer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the IDX reader fuzzed from valid files, plain and gzipped (see {@link InputFuzzer}): every mutant is read
 * or refused with an {@link IOException} naming the file; never a {@link NegativeArraySizeException}, an
 * {@link OutOfMemoryError} or a hang.
 */
class IdxFuzzTest {
    @TempDir
    Path dir;

    @Test
    void idxFilesAreReadOrRefusedWithAClearIOException() throws IOException {
        byte[] images = Idx.toBytes(IdxTest.images(3, 4, 5));
        byte[] labels = Idx.toBytes(new IdxArray(Idx.Type.UBYTE, new int[] {6}, new byte[] {0, 1, 2, 3, 4, 5}));
        byte[] ints = Idx.toBytes(new IdxArray(Idx.Type.INT, new int[] {2, 2}, new byte[16]));
        List<byte[]> seeds = List.of(images, labels, ints, IdxTest.gzip(images), IdxTest.gzip(labels));
        InputFuzzer.Report report = InputFuzzer.of("idx", "-idx3-ubyte", seeds)
                .reader(file -> {
                    IdxArray a = Idx.read(file);
                    if (a.type() == Idx.Type.UBYTE) {
                        a.toUnsignedInts();
                    }
                })
                .accept(IOException.class).iterations(100).timeout(Duration.ofSeconds(60)).run(dir);
        System.out.println(report);
        assertThat(report.refused()).isGreaterThan(report.cases() / 2);
    }

    @Test
    void mnistFoldersWithAMutatedImageFileLoadOrFailWithAClearIOException() throws IOException {
        Path folder = dir.resolve("mnist");
        Idx.write(folder.resolve(Split.TEST.labelsFile()),
                new IdxArray(Idx.Type.UBYTE, new int[] {3}, new byte[] {7, 0, 9}));
        Path images = folder.resolve(Split.TEST.imagesFile());
        byte[] seed = Idx.toBytes(IdxTest.images(3, 4, 4));
        InputFuzzer.Report report = InputFuzzer.of("mnist-images", "-idx3-ubyte", List.of(seed))
                .reader(file -> {
                    java.nio.file.Files.copy(file, images, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    try {
                        MnistFolder.mnist(folder, Split.TEST).slice(0, 1);
                    } catch (IOException e) {
                        if (e.getMessage() == null || !e.getMessage().contains(folder.toString())) {
                            throw new AssertionError("the message names no file of the folder: " + e, e);
                        }
                        throw e;
                    }
                })
                .accept(IOException.class).requireFileName(false).iterations(150).timeout(Duration.ofSeconds(60)).run(dir.resolve("cases"));
        System.out.println(report);
    }
}
