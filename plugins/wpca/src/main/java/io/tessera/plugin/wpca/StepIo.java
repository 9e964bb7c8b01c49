package io.tessera.plugin.wpca;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Helpers the W-PCA steps share: atomic text files, number formatting, and the scoring batch. */
final class StepIo {
    private StepIo() {
    }

    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.10g", v) : "null";
    }

    static String str(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The search space of a single-channel image dataset's rows. */
    static SearchSpace space(ImageDataset data, int hidden, int heads, int minLayers, int maxLayers,
            List<Integer> widths, long cap) {
        if (data.channels() != 1) {
            throw new IllegalArgumentException("W-PCA treats each image row as a token and needs single-channel images;"
                    + " the dataset has " + data.channels() + " channels");
        }
        return new SearchSpace(data.height(), data.width(), data.numClasses(), hidden, heads, minLayers, maxLayers,
                widths, cap);
    }

    /** The images and labels of {@code batches} batches of {@code size} drawn from {@code data} with {@code seed}. */
    static List<Tensor[]> batches(TensorBackend be, ImageDataset data, int size, int batches, long seed) {
        if ((long) size * batches > data.size()) {
            throw new IllegalArgumentException(batches + " scoring batches of " + size + " need "
                    + (long) size * batches + " images, but the training set has " + data.size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(seed));
        List<Tensor[]> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) {
                idx[i] = order.get(b * size + i);
            }
            var batch = data.batch(idx);
            out.add(new Tensor[] {be.tensor(batch.pixels(), batch.shape()), be.tensor(batch.labelsAsLongs(), size)});
        }
        return out;
    }
}
