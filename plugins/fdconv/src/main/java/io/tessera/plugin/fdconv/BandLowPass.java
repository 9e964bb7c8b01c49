package io.tessera.plugin.fdconv;

import java.util.List;

/**
 * The FBM low-pass filters {@code low_j = irfft2(rfft2(x, ortho) · mask_j, ortho)} as real matrices (spec §5.7). The
 * masks bound the Chebyshev norm {@code max(|fy|, fx)}, so each (and its nearest resampling, which picks rows and
 * columns independently) is an outer product {@code m_r(u) · m_c(v)}; the filter is then separable and linear in
 * {@code x}:
 *
 * <pre>
 *   low = Rr · x · Ccᵀ − Ri · x · Csᵀ
 *   Rr[h', h] = (1/H) Σ_u m_r(u) cos(2πu(h'−h)/H)        Ri: the same with sin
 *   Cc[w', w] = (1/W) Σ_v c_v m_c(v) cos(2πv(w'−w)/W)     Cs: the same with sin
 * </pre>
 *
 * with {@code c_v = 1} for column 0 and (even W) column W/2 and 2 otherwise. This is the exact C2R semantics of
 * {@code irfft2}: the imaginary parts of the edge columns drop out because {@code sin} vanishes there. {@code Ri} is zero
 * when the row mask is symmetric ({@code m_r(u) = m_r(H−u)}), the usual case. Two small matrix products replace a
 * forward and an inverse 2-D transform of every channel.
 */
final class BandLowPass {
    /** Per band: {@code Rrᵀ [H, H]}, {@code Riᵀ} (null when zero), {@code Ccᵀ [W, W]}, {@code Csᵀ}. */
    record Band(float[] rowCosT, float[] rowSinT, float[] colCosT, float[] colSinT) {
    }

    private BandLowPass() {
    }

    /**
     * The filters of every band for an {@code h × w} map, or null when a resampled mask is not separable (then the
     * transforms must be used).
     */
    static Band[] of(List<Integer> kList, int maxH, int maxW, int h, int w) {
        int wr = w / 2 + 1;
        float[] masks = FbmMasks.resized(kList, maxH, maxW, h, w);
        Band[] out = new Band[kList.size()];
        for (int j = 0; j < out.length; j++) {
            int base = j * h * wr;
            double[] mr = new double[h];
            double[] mc = new double[wr];
            for (int u = 0; u < h; u++) {
                mr[u] = masks[base + u * wr];
            }
            for (int v = 0; v < wr; v++) {
                mc[v] = masks[base + v];
            }
            for (int u = 0; u < h; u++) {
                for (int v = 0; v < wr; v++) {
                    if (masks[base + u * wr + v] != (float) (mr[u] * mc[v])) {
                        return null;
                    }
                }
            }
            boolean symmetric = true;
            for (int u = 1; u < h; u++) {
                symmetric &= mr[u] == mr[h - u];
            }
            float[] rc = new float[h * h];
            float[] rs = symmetric ? null : new float[h * h];
            for (int hp = 0; hp < h; hp++) {
                for (int hh = 0; hh < h; hh++) {
                    double c = 0;
                    double s = 0;
                    for (int u = 0; u < h; u++) {
                        if (mr[u] != 0) {
                            double a = 2 * Math.PI * Math.floorMod((long) u * (hp - hh), h) / h;
                            c += Math.cos(a);
                            s += Math.sin(a);
                        }
                    }
                    // transposed: element [h, h'] multiplies x[.., h] into low[.., h']
                    rc[hh * h + hp] = (float) (c / h);
                    if (rs != null) {
                        rs[hh * h + hp] = (float) (s / h);
                    }
                }
            }
            float[] cc = new float[w * w];
            float[] cs = symmetric ? null : new float[w * w];
            for (int wp = 0; wp < w; wp++) {
                for (int ww = 0; ww < w; ww++) {
                    double c = 0;
                    double s = 0;
                    for (int v = 0; v < wr; v++) {
                        if (mc[v] != 0) {
                            double weight = v == 0 || (w % 2 == 0 && v == w / 2) ? 1 : 2;
                            double a = 2 * Math.PI * Math.floorMod((long) v * (wp - ww), w) / w;
                            c += weight * Math.cos(a);
                            s += weight * Math.sin(a);
                        }
                    }
                    cc[ww * w + wp] = (float) (c / w);
                    if (cs != null) {
                        cs[ww * w + wp] = (float) (s / w);
                    }
                }
            }
            out[j] = new Band(rc, rs, cc, cs);
        }
        return out;
    }
}
