package io.tessera.plugin.wpca;

import java.util.Arrays;

/**
 * Eigenvalues of a real symmetric matrix in double precision: Householder reduction to tridiagonal form and the
 * implicit QL algorithm (the {@code tred2}/{@code tql2} pair of EISPACK, as in JAMA), without the eigenvectors.
 * W-PCA needs only the spectrum of a {@code d × d} covariance (spec §2 step 3), in double precision, for d up to a
 * few hundred; this is {@code O(d^3)} with a small constant and needs no native library.
 */
final class SymmetricEigenvalues {
    private SymmetricEigenvalues() {
    }

    /** The eigenvalues, ascending, of the symmetric {@code n × n} row-major matrix {@code a} (not modified). */
    static double[] ascending(double[] a, int n) {
        if (a.length != (long) n * n) {
            throw new IllegalArgumentException("eigenvalues: " + a.length + " values are not a " + n + " x " + n
                    + " matrix");
        }
        if (n == 0) {
            return new double[0];
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                v[i][j] = 0.5 * (a[i * n + j] + a[j * n + i]);
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        tred2(v, d, e, n);
        tql2(d, e, n);
        Arrays.sort(d);
        return d;
    }

    /** Householder tridiagonalisation: on return {@code d} is the diagonal, {@code e[1..]} the sub-diagonal. */
    private static void tred2(double[][] v, double[] d, double[] e, int n) {
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0.0;
            double h = 0.0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0.0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0.0;
                    v[j][i] = 0.0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) {
                    e[j] = 0.0;
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0.0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) {
                        v[k][j] -= (f * e[k] + g * d[k]);
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0.0;
                }
            }
            d[i] = h;
        }
        // The tridiagonal matrix's diagonal is now on v's diagonal (d holds the Householder scalars); the
        // accumulation of the transformations, which the eigenvalues do not need, is left out.
        for (int j = 0; j < n; j++) {
            d[j] = v[j][j];
        }
        e[0] = 0.0;
    }

    /** Implicit QL on the tridiagonal {@code (d, e)}; on return {@code d} holds the eigenvalues (unsorted). */
    private static void tql2(double[] d, double[] e, int n) {
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0.0;
        double f = 0.0;
        double tst1 = 0.0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > eps * tst1) {
                m++;
            }
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 60) {
                        throw new ArithmeticException("eigenvalues: the QL iteration did not converge for eigenvalue "
                                + l + " of " + n);
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Math.hypot(p, 1.0);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1.0;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0;
                    double s2 = 0.0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0.0;
        }
    }
}
