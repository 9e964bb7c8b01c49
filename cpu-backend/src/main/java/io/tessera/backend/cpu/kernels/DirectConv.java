package io.tessera.backend.cpu.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct-loop convolution for any groups; the fast choice for depthwise convolutions (one input channel per group),
 * where the per-group GEMMs of im2col would be tiny. Weight gradients accumulate in double.
 */
final class DirectConv {
    private DirectConv() {
    }

    static INDArray forward(float[] x, float[] w, ConvGeometry q) {
        float[] out = new float[q.n() * q.o() * q.p()];
        int plane = q.h() * q.w();
        int cg = q.cg();
        int og = q.og();
        KernelArrays.parallelFor(q.n() * q.o(), (long) cg * q.kh() * q.kw() * q.p(), no -> {
            int n = no / q.o();
            int o = no % q.o();
            int g = o / og;
            int ob = no * q.p();
            for (int c = 0; c < cg; c++) {
                int chan = (n * q.c() + g * cg + c) * plane;
                for (int u = 0; u < q.kh(); u++) {
                    for (int v = 0; v < q.kw(); v++) {
                        float wv = w[((o * cg + c) * q.kh() + u) * q.kw() + v];
                        int off = v * q.dw() - q.pw();
                        int jlo = ConvGeometry.firstValid(off, q.sw());
                        int jhi = ConvGeometry.endValid(off, q.sw(), q.w(), q.wo());
                        for (int i = 0; i < q.ho(); i++) {
                            int ih = i * q.sh() - q.ph() + u * q.dh();
                            if (ih < 0 || ih >= q.h()) {
                                continue;
                            }
                            int xr = chan + ih * q.w() + off;
                            int orow = ob + i * q.wo();
                            for (int j = jlo; j < jhi; j++) {
                                out[orow + j] += wv * x[xr + j * q.sw()];
                            }
                        }
                    }
                }
            }
        });
        return KernelArrays.array(out, q.outputShape());
    }

    static INDArray backwardInput(float[] gradOut, float[] w, ConvGeometry q) {
        int plane = q.h() * q.w();
        float[] dx = new float[q.n() * q.c() * plane];
        int cg = q.cg();
        int og = q.og();
        KernelArrays.parallelFor(q.n() * q.c(), (long) og * q.kh() * q.kw() * q.p(), nc -> {
            int n = nc / q.c();
            int ci = nc % q.c();
            int g = ci / cg;
            int c = ci % cg;
            int chan = nc * plane;
            for (int o = g * og; o < (g + 1) * og; o++) {
                int ob = (n * q.o() + o) * q.p();
                for (int u = 0; u < q.kh(); u++) {
                    for (int v = 0; v < q.kw(); v++) {
                        float wv = w[((o * cg + c) * q.kh() + u) * q.kw() + v];
                        int off = v * q.dw() - q.pw();
                        int jlo = ConvGeometry.firstValid(off, q.sw());
                        int jhi = ConvGeometry.endValid(off, q.sw(), q.w(), q.wo());
                        for (int i = 0; i < q.ho(); i++) {
                            int ih = i * q.sh() - q.ph() + u * q.dh();
                            if (ih < 0 || ih >= q.h()) {
                                continue;
                            }
                            int xr = chan + ih * q.w() + off;
                            int orow = ob + i * q.wo();
                            for (int j = jlo; j < jhi; j++) {
                                dx[xr + j * q.sw()] += wv * gradOut[orow + j];
                            }
                        }
                    }
                }
            }
        });
        return KernelArrays.array(dx, q.inputShape());
    }

    static INDArray backwardWeight(float[] x, float[] gradOut, ConvGeometry q) {
        int plane = q.h() * q.w();
        int cg = q.cg();
        int og = q.og();
        int kk = q.kh() * q.kw();
        float[] dw = new float[q.o() * cg * kk];
        KernelArrays.parallelFor(q.o(), (long) q.n() * cg * kk * q.p(), o -> {
            int g = o / og;
            for (int c = 0; c < cg; c++) {
                for (int u = 0; u < q.kh(); u++) {
                    for (int v = 0; v < q.kw(); v++) {
                        int off = v * q.dw() - q.pw();
                        int jlo = ConvGeometry.firstValid(off, q.sw());
                        int jhi = ConvGeometry.endValid(off, q.sw(), q.w(), q.wo());
                        double acc = 0;
                        for (int n = 0; n < q.n(); n++) {
                            int chan = (n * q.c() + g * cg + c) * plane;
                            int ob = (n * q.o() + o) * q.p();
                            for (int i = 0; i < q.ho(); i++) {
                                int ih = i * q.sh() - q.ph() + u * q.dh();
                                if (ih < 0 || ih >= q.h()) {
                                    continue;
                                }
                                int xr = chan + ih * q.w() + off;
                                int orow = ob + i * q.wo();
                                float rowAcc = 0f;
                                for (int j = jlo; j < jhi; j++) {
                                    rowAcc += gradOut[orow + j] * x[xr + j * q.sw()];
                                }
                                acc += rowAcc;
                            }
                        }
                        dw[((o * cg + c) * q.kh() + u) * q.kw() + v] = (float) acc;
                    }
                }
            }
        });
        return KernelArrays.array(dw, q.weightShape());
    }
}
