package io.tessera.plugin.fdconv;

import java.util.List;
import org.apiguardian.api.API;

/**
 * The nested low-pass masks of frequency band modulation, built as the official code builds them (spec §5.7): once on
 * a fixed grid ({@code 64 × 33} for the default 64×64 size), in float32, and then resized to each feature map's
 * half-spectrum grid with PyTorch's legacy nearest-neighbour rule. This is not the same as building them on the
 * feature map's own grid, which is why it is reproduced exactly.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class FbmMasks {
    private FbmMasks() {
    }

    /**
     * The masks on the {@code maxH × (maxW/2+1)} grid: {@code mask_j[r, c] = max(|r̃|/maxH, c/maxW) < t_j} with
     * {@code t_j = float32(0.5/k_j + 1e-8)}, every value and comparison in float32.
     *
     * @return {@code [nb][maxH][maxW/2+1]}
     */
    public static boolean[][][] grid(List<Integer> kList, int maxH, int maxW) {
        int wr = maxW / 2 + 1;
        // torch.fft.fftfreq / rfftfreq: integer numerators times float32(1 / n)
        float stepH = (float) (1.0 / maxH);
        float stepW = (float) (1.0 / maxW);
        boolean[][][] out = new boolean[kList.size()][maxH][wr];
        for (int j = 0; j < kList.size(); j++) {
            // the double threshold meets a float32 tensor: torch compares in float32 (0.25 + 1e-8 rounds to 0.25)
            float t = (float) (0.5 / kList.get(j) + 1e-8);
            for (int r = 0; r < maxH; r++) {
                int rt = r < (maxH + 1) / 2 ? r : r - maxH;
                float fr = Math.abs(rt * stepH);
                for (int c = 0; c < wr; c++) {
                    float f = Math.max(fr, c * stepW);
                    out[j][r][c] = f < t;
                }
            }
        }
        return out;
    }

    /**
     * The masks for an {@code h × w} feature map: the grid masks resized to {@code h × (w/2+1)} with legacy nearest
     * sampling, {@code src = min(floor(float32(dst · float32(in/out))), in − 1)} per axis (identity when sizes match).
     *
     * @return {@code nb·h·(w/2+1)} values 0/1, row-major
     */
    public static float[] resized(List<Integer> kList, int maxH, int maxW, int h, int w) {
        boolean[][][] g = grid(kList, maxH, maxW);
        int inH = maxH;
        int inW = maxW / 2 + 1;
        int outW = w / 2 + 1;
        int[] srcRow = nearest(inH, h);
        int[] srcCol = nearest(inW, outW);
        float[] out = new float[kList.size() * h * outW];
        for (int j = 0; j < g.length; j++) {
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < outW; c++) {
                    out[(j * h + r) * outW + c] = g[j][srcRow[r]][srcCol[c]] ? 1f : 0f;
                }
            }
        }
        return out;
    }

    /** PyTorch's {@code nearest_idx} for {@code interpolate(mode='nearest')} without explicit scales. */
    static int[] nearest(int in, int out) {
        int[] src = new int[out];
        if (in == out) {
            for (int i = 0; i < out; i++) {
                src[i] = i;
            }
            return src;
        }
        if (out == 2 * in) {
            for (int i = 0; i < out; i++) {
                src[i] = i >> 1;
            }
            return src;
        }
        float scale = (float) in / (float) out;
        for (int i = 0; i < out; i++) {
            src[i] = Math.min((int) Math.floor((float) i * scale), in - 1);
        }
        return src;
    }
}
