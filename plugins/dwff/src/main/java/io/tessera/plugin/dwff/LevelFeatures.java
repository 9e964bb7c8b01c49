package io.tessera.plugin.dwff;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.apiguardian.api.API;

/**
 * The frozen encoder's levels for every scene of a set, computed once: the encoder never trains (spec §6), so its
 * outputs are a fixed function of the scene and every decoder variant and epoch reuses them.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class LevelFeatures {
    private final int[] layers;
    private final int dim;
    private final int h;
    private final int w;
    private final int size;
    private final float[] data;

    private LevelFeatures(int[] layers, int dim, int h, int w, int size, float[] data) {
        this.layers = layers;
        this.dim = dim;
        this.h = h;
        this.w = w;
        this.size = size;
        this.data = data;
    }

    /** Runs {@code encoder} (without gradients) over {@code scenes} and keeps the levels at {@code layers}. */
    @SuppressWarnings("try")
    public static LevelFeatures extract(TensorBackend b, PatchVit encoder, SceneSet scenes, int[] layers, int batch,
                                        IntConsumer progress) {
        if (scenes.height() != encoder.height() || scenes.width() != encoder.width()) {
            throw new IllegalArgumentException("the encoder was pre-trained on " + encoder.height() + "x"
                    + encoder.width() + " canvases but the scenes are " + scenes.height() + "x" + scenes.width()
                    + "; use the same canvas in dwff/pretrain-vit and dwff/scenes");
        }
        encoder.checkLayers(layers);
        int gh = scenes.height() / PatchVit.PATCH;
        int gw = scenes.width() / PatchVit.PATCH;
        int per = layers.length * encoder.dim() * gh * gw;
        long total = (long) per * scenes.size();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the levels of " + scenes.size() + " scenes need " + total + " floats,"
                    + " too many for one array; use fewer scenes or layers");
        }
        float[] data = new float[(int) total];
        boolean was = encoder.isTraining();
        encoder.eval();
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (int from = 0; from < scenes.size(); from += batch) {
                int n = Math.min(batch, scenes.size() - from);
                int[] idx = range(from, n);
                try (TensorScope sc = Tensors.scope()) {
                    Tensor x = b.tensor(scenes.pixels(idx), n, 1, scenes.height(), scenes.width());
                    List<Tensor> lv = encoder.levels(x, layers);
                    // [L, B, D, h, w] -> scene-major [B, L, D, h, w]
                    float[] stacked = Tensors.stack(lv, 1).toFloatArray();
                    System.arraycopy(stacked, 0, data, from * per, n * per);
                }
                progress.accept(from + n);
            }
        } finally {
            encoder.train(was);
        }
        return new LevelFeatures(layers.clone(), encoder.dim(), gh, gw, scenes.size(), data);
    }

    /** The levels of scenes {@code indices}: {@code layers.length} tensors {@code [n, D, h, w]}. */
    public List<Tensor> batch(TensorBackend b, int[] indices) {
        int l = layers.length;
        int one = dim * h * w;
        List<Tensor> out = new ArrayList<>();
        for (int level = 0; level < l; level++) {
            float[] v = new float[indices.length * one];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(data, (indices[i] * l + level) * one, v, i * one, one);
            }
            out.add(b.tensor(v, indices.length, dim, h, w));
        }
        return out;
    }

    /** A subset of the levels, by position in {@link #layers()} (e.g. only the last for NWFF-1). */
    public LevelFeatures select(int[] positions) {
        int l = layers.length;
        int one = dim * h * w;
        float[] v = new float[size * positions.length * one];
        int[] chosen = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            if (positions[k] < 0 || positions[k] >= l) {
                throw new IllegalArgumentException("level position " + positions[k] + " is outside 0.." + (l - 1));
            }
            chosen[k] = layers[positions[k]];
        }
        for (int s = 0; s < size; s++) {
            for (int k = 0; k < positions.length; k++) {
                System.arraycopy(data, (s * l + positions[k]) * one, v, (s * positions.length + k) * one, one);
            }
        }
        return new LevelFeatures(chosen, dim, h, w, size, v);
    }

    /** The hidden-state indices held. */
    public int[] layers() {
        return layers.clone();
    }

    /** Token width D. */
    public int dim() {
        return dim;
    }

    /** Number of scenes. */
    public int size() {
        return size;
    }

    static int[] range(int from, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = from + i;
        }
        return idx;
    }

    @Override
    public String toString() {
        return "levels " + Arrays.toString(layers) + " of " + size + " scenes, D " + dim + ", grid " + h + "x" + w;
    }
}
