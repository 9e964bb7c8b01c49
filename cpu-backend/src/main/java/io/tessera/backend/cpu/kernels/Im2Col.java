package io.tessera.backend.cpu.kernels;

import java.util.Arrays;

/**
 * Unfolds one (sample, group) of an NCHW input into a column matrix {@code [cg*kh*kw, ho*wo]} and folds such a matrix
 * back (adding overlaps), the data movement around the GEMMs of a convolution.
 */
final class Im2Col {
    private Im2Col() {
    }

    /** Fills {@code col} ({@code k*p} floats) from {@code x} starting at the plane {@code xBase} of channel 0. */
    static void unfold(float[] x, int xBase, ConvGeometry q, float[] col) {
        final int kk = q.kh() * q.kw();
        final int p = q.p();
        final int plane = q.h() * q.w();
        KernelArrays.parallelFor(q.k(), p, r -> {
            int c = r / kk;
            int u = (r % kk) / q.kw();
            int v = r % q.kw();
            int rowOff = r * p;
            int chan = xBase + c * plane;
            int off = v * q.dw() - q.pw();
            int jlo = ConvGeometry.firstValid(off, q.sw());
            int jhi = Math.max(jlo, ConvGeometry.endValid(off, q.sw(), q.w(), q.wo()));
            for (int i = 0; i < q.ho(); i++) {
                int ih = i * q.sh() - q.ph() + u * q.dh();
                int o = rowOff + i * q.wo();
                if (ih < 0 || ih >= q.h()) {
                    Arrays.fill(col, o, o + q.wo(), 0f);
                    continue;
                }
                int xr = chan + ih * q.w() + off;
                if (jlo > 0) {
                    Arrays.fill(col, o, o + jlo, 0f);
                }
                if (q.sw() == 1) {
                    System.arraycopy(x, xr + jlo, col, o + jlo, jhi - jlo);
                } else {
                    for (int j = jlo; j < jhi; j++) {
                        col[o + j] = x[xr + j * q.sw()];
                    }
                }
                if (jhi < q.wo()) {
                    Arrays.fill(col, o + jhi, o + q.wo(), 0f);
                }
            }
        });
    }

    /** Adds the column matrix {@code col} back into {@code dx} starting at the plane {@code xBase} of channel 0. */
    static void fold(float[] col, ConvGeometry q, float[] dx, int xBase) {
        final int kk = q.kh() * q.kw();
        final int p = q.p();
        final int plane = q.h() * q.w();
        // rows of one input channel write the same plane, so channels are the unit of parallel work
        KernelArrays.parallelFor(q.cg(), (long) kk * p, c -> {
            int chan = xBase + c * plane;
            for (int uv = 0; uv < kk; uv++) {
                int u = uv / q.kw();
                int v = uv % q.kw();
                int rowOff = (c * kk + uv) * p;
                int off = v * q.dw() - q.pw();
                int jlo = ConvGeometry.firstValid(off, q.sw());
                int jhi = ConvGeometry.endValid(off, q.sw(), q.w(), q.wo());
                for (int i = 0; i < q.ho(); i++) {
                    int ih = i * q.sh() - q.ph() + u * q.dh();
                    if (ih < 0 || ih >= q.h()) {
                        continue;
                    }
                    int xr = chan + ih * q.w() + off;
                    int o = rowOff + i * q.wo();
                    for (int j = jlo; j < jhi; j++) {
                        dx[xr + j * q.sw()] += col[o + j];
                    }
                }
            }
        });
    }
}
