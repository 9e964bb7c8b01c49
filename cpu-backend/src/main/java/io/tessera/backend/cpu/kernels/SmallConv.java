package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stride-1, undilated, ungrouped convolution for few input channels (a network's first layer, e.g. 1 or 3 channels):
 * there the GEMM of im2col has an inner dimension of 9 to 27 and ND4J's oneDNN op spends most of its time in layout
 * reorders (measured: 11 ms forward, 18 ms backward for N=128, 1 to 32 channels, 28x28; this kernel: about 1 ms
 * each).
 *
 * <p>Each input plane is copied into a zero-padded plane of width {@code Wp = W + 2*pw}; then one output plane is, for
 * every tap {@code (c, u, v)}, a single long {@code acc[i] += w * xpad[c][u*Wp + v + i]} over {@code Ho*Wp}
 * positions (the {@code Wp - Wo} extra columns per row are computed and dropped), with each tap's shifted plane
 * copied to its own array first so that the loop vectorises. The input
 * gradient is the same kernel applied to the output gradient with the flipped, transposed weight; the weight
 * gradient accumulates {@code g * shifted x} element-wise per tap over the batch (again vectorisable: no reduction in
 * the inner loop) and sums each tap's array at the end, in double. Results do not depend on the thread count.
 */
final class SmallConv {
    /** Largest {@code C_in * kh * kw} this kernel takes. */
    static final int MAX_K = 32;
    /** Largest per-tap work array ({@code C_in*kh*kw * Ho * Wp} floats) of the weight gradient. */
    private static final int MAX_TAP_FLOATS = 1 << 18;

    private SmallConv() {
    }

    static boolean applies(ConvGeometry q) {
        return q.groups() == 1 && q.sh() == 1 && q.sw() == 1 && q.dh() == 1 && q.dw() == 1 && q.k() <= MAX_K
                && q.ph() < q.kh() && q.pw() < q.kw()
                && (long) q.k() * q.ho() * (q.w() + 2L * q.pw()) <= MAX_TAP_FLOATS;
    }

    /** The forward convolution; {@code bias} may be null. */
    static INDArray forward(INDArray x, INDArray w, INDArray bias, ConvGeometry q) {
        float[] ws = KernelArrays.floats(w);
        float[] bs = bias == null ? null : KernelArrays.floats(bias);
        INDArray out = KernelArrays.uninitialized(q.outputShape());
        correlate(KernelArrays.dense(x), q.n(), q.c(), q.h(), q.w(), ws, bs, q.o(), q.kh(), q.kw(), q.ph(), q.pw(),
                out);
        return out;
    }

    /** Gradient with respect to the input: the correlation of {@code gradOut} with the flipped, transposed weight. */
    static INDArray backwardInput(INDArray gradOut, INDArray w, ConvGeometry q) {
        float[] ws = KernelArrays.floats(w);
        int kk = q.kh() * q.kw();
        float[] flipped = new float[ws.length];
        for (int o = 0; o < q.o(); o++) {
            for (int c = 0; c < q.c(); c++) {
                for (int t = 0; t < kk; t++) {
                    flipped[(c * q.o() + o) * kk + (kk - 1 - t)] = ws[(o * q.c() + c) * kk + t];
                }
            }
        }
        INDArray dx = KernelArrays.uninitialized(q.inputShape());
        correlate(KernelArrays.dense(gradOut), q.n(), q.o(), q.ho(), q.wo(), flipped, null, q.c(), q.kh(), q.kw(),
                q.kh() - 1 - q.ph(), q.kw() - 1 - q.pw(), dx);
        return dx;
    }

    /**
     * Gradients with respect to the weight and (when {@code wantBias}) the bias: {@code {dw, db}}.
     */
    static INDArray[] backwardWeight(INDArray x, INDArray gradOut, ConvGeometry q, boolean wantBias) {
        INDArray xd = KernelArrays.dense(x);
        INDArray gd = KernelArrays.dense(gradOut);
        int c = q.c();
        int h = q.h();
        int wIn = q.w();
        int kh = q.kh();
        int kw = q.kw();
        int ho = q.ho();
        int wo = q.wo();
        int wp = wIn + 2 * q.pw();
        int hp = h + 2 * q.ph();
        int padPlane = hp * wp + kw;
        int acc = ho * wp;
        int k = q.k();
        int o = q.o();
        double[] dw = new double[o * k];
        double[] db = new double[o];
        // one task per block of output channels: each runs over the whole batch in order, so the sums are the same
        // for any number of threads
        // at least one block per core (each block unfolds the input again, a small cost next to the products)
        int cores = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
        int oBlock = Math.max(1, Math.min((o + cores - 1) / cores, MAX_TAP_FLOATS / (k * acc)));
        int blocks = (o + oBlock - 1) / oBlock;
        KernelArrays.parallelFor(blocks, (long) q.n() * oBlock * k * acc, blk -> {
            int o0 = blk * oBlock;
            int o1 = Math.min(o, o0 + oBlock);
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer gb = KernelArrays.buffer(gd);
            float[][] xpad = new float[c][padPlane];
            float[][] col = new float[k][acc];
            float[] gp = new float[acc];
            float[] grow = new float[ho * wo];
            float[][] part = new float[(o1 - o0) * k][acc];
            // the bias gradient accumulates element-wise too (a scalar running sum would be a serial chain)
            float[][] bpart = new float[o1 - o0][acc];
            for (int n = 0; n < q.n(); n++) {
                loadPadded(xb, n, c, h, wIn, q.ph(), q.pw(), wp, xpad);
                unfold(xpad, kh, kw, wp, col);
                for (int oo = o0; oo < o1; oo++) {
                    gb.get((n * o + oo) * ho * wo, grow, 0, ho * wo);
                    for (int r = 0; r < ho; r++) {
                        System.arraycopy(grow, r * wo, gp, r * wp, wo);
                    }
                    add(bpart[oo - o0], gp);
                    for (int t = 0; t < k; t++) {
                        fma(part[(oo - o0) * k + t], gp, col[t]);
                    }
                }
            }
            for (int oo = o0; oo < o1; oo++) {
                double bs = 0;
                for (float v : bpart[oo - o0]) {
                    bs += v;
                }
                db[oo] = bs;
                for (int t = 0; t < k; t++) {
                    float[] pt = part[(oo - o0) * k + t];
                    double s = 0;
                    for (float v : pt) {
                        s += v;
                    }
                    dw[oo * k + t] = s;
                }
            }
        });
        float[] dwf = new float[dw.length];
        for (int i = 0; i < dw.length; i++) {
            dwf[i] = (float) dw[i];
        }
        INDArray dbArr = null;
        if (wantBias) {
            float[] dbf = new float[o];
            for (int i = 0; i < o; i++) {
                dbf[i] = (float) db[i];
            }
            dbArr = KernelArrays.array(dbf, o);
        }
        return new INDArray[] {KernelArrays.array(dwf, q.weightShape()), dbArr};
    }

    /**
     * Tap {@code (c, u, v)}'s shifted view of the padded planes, {@code col[t][i] = xpad[c][u*Wp + v + i]}, as its own
     * array: C2 (JDK 17) vectorises {@code a[i] += s * b[i]} but not {@code a[i] += s * b[off + i]} (measured 5x
     * slower), so the shift is paid once per tap as a copy.
     */
    private static void unfold(float[][] xpad, int kh, int kw, int wp, float[][] col) {
        int t = 0;
        for (float[] plane : xpad) {
            for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++, t++) {
                    System.arraycopy(plane, u * wp + v, col[t], 0, col[t].length);
                }
            }
        }
    }

    private static void add(float[] a, float[] x) {
        for (int i = 0; i < a.length; i++) {
            a[i] += x[i];
        }
    }

    /** {@code a[i] = s * x[i]}. */
    private static void scale(float[] a, float[] x, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] = s * x[i];
        }
    }

    /** {@code a[i] += b[off + i]} for {@code i < n}. */
    private static void addShifted(float[] a, float[] b, int off, int n) {
        for (int i = 0; i < n; i++) {
            a[i] += b[off + i];
        }
    }

    private static void axpy(float[] a, float[] x, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] += s * x[i];
        }
    }

    private static void fma(float[] a, float[] x, float[] y) {
        for (int i = 0; i < a.length; i++) {
            a[i] += x[i] * y[i];
        }
    }

    /** Copies the {@code c} planes of sample {@code n} into {@code xpad} (borders and the tail slack stay zero). */
    private static void loadPadded(FloatBuffer xb, int n, int c, int h, int w, int ph, int pw, int wp,
                                   float[][] xpad) {
        for (int ci = 0; ci < c; ci++) {
            int src = (n * c + ci) * h * w;
            float[] dst = xpad[ci];
            for (int r = 0; r < h; r++) {
                xb.get(src + r * w, dst, (r + ph) * wp + pw, w);
            }
        }
    }

    /**
     * {@code out[n][o] = bias[o] + sum over (c, u, v) of wt[o][c][u][v] * pad(in)[n][c][. + u][. + v]}, stride 1, for
     * an input {@code [n, c, h, w]} padded by {@code (ph, pw)}; {@code out} is {@code [n, o, h+2ph-kh+1, w+2pw-kw+1]}.
     */
    private static void correlate(INDArray in, int n, int c, int h, int w, float[] wt, float[] bias, int o, int kh,
                                  int kw, int ph, int pw, INDArray out) {
        int wp = w + 2 * pw;
        int hp = h + 2 * ph;
        int ho = hp - kh + 1;
        int wo = wp - kw + 1;
        int padPlane = hp * wp + kw;
        int acc = ho * wp;
        int taps = c * kh * kw;
        // Unfolding copies c*kh*kw shifted planes per sample; combining first (for each output channel and tap, the
        // weighted sum of the aligned input planes, then one shifted add) costs o*kh*kw unvectorised adds instead.
        boolean unfoldFirst = c <= o;
        KernelArrays.parallelRanges(n, (long) o * taps * acc, (n0, n1) -> {
            FloatBuffer ib = KernelArrays.buffer(in);
            FloatBuffer ob = KernelArrays.buffer(out);
            float[][] xpad = new float[c][padPlane];
            float[][] col = unfoldFirst ? new float[taps][acc] : null;
            float[] comb = unfoldFirst ? null : new float[padPlane];
            float[] a = new float[acc];
            float[] plane = new float[ho * wo];
            int kk = kh * kw;
            for (int s = n0; s < n1; s++) {
                loadPadded(ib, s, c, h, w, ph, pw, wp, xpad);
                if (unfoldFirst) {
                    unfold(xpad, kh, kw, wp, col);
                }
                for (int oo = 0; oo < o; oo++) {
                    Arrays.fill(a, bias == null ? 0f : bias[oo]);
                    int t0 = oo * taps;
                    if (unfoldFirst) {
                        for (int t = 0; t < taps; t++) {
                            axpy(a, col[t], wt[t0 + t]);
                        }
                    } else {
                        for (int u = 0; u < kh; u++) {
                            for (int v = 0; v < kw; v++) {
                                int tap = u * kw + v;
                                scale(comb, xpad[0], wt[t0 + tap]);
                                for (int ci = 1; ci < c; ci++) {
                                    axpy(comb, xpad[ci], wt[t0 + ci * kk + tap]);
                                }
                                addShifted(a, comb, u * wp + v, acc);
                            }
                        }
                    }
                    for (int r = 0; r < ho; r++) {
                        System.arraycopy(a, r * wp, plane, r * wo, wo);
                    }
                    ob.put((s * o + oo) * ho * wo, plane, 0, ho * wo);
                }
            }
        });
    }
}
