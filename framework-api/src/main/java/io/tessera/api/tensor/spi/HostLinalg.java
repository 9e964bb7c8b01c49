package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.Shape;

/**
 * Default linear-algebra kernels: the matrix is downloaded, decomposed in double on the host (cyclic Jacobi for the
 * symmetric eigenproblem, singular values from the eigenvalues of the smaller Gram matrix, Gauss-Jordan with partial
 * pivoting for the inverse) and uploaded in the input's dtype. Meant for the small matrices these ops serve (PCA
 * covariances, whitening); backends override them with LAPACK or device solvers.
 */
final class HostLinalg {
    private HostLinalg() {
    }

    static TensorKernels.StoragePair eigh(TensorKernels k, TensorStorage a) {
        int n = (int) a.shape().dim(0);
        double[] m = k.toDoubles(a);
        double[] sym = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                sym[i * n + j] = m[i * n + j];
                sym[j * n + i] = m[i * n + j];
            }
        }
        double[][] r = jacobi(sym, n);
        return new TensorKernels.StoragePair(k.fromDoubles(r[0], Shape.of(n), a.dtype()),
                k.fromDoubles(r[1], Shape.of(n, n), a.dtype()));
    }

    /** Eigenvalues ascending and the matching unit eigenvectors as columns of a row-major matrix. */
    static double[][] jacobi(double[] s, int n) {
        double[] a = s.clone();
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    total += a[i * n + j] * a[i * n + j];
                    if (i != j) {
                        off += a[i * n + j] * a[i * n + j];
                    }
                }
            }
            if (off <= 1e-30 * Math.max(total, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (apq == 0) {
                        continue;
                    }
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int r = 0; r < n; r++) {
                        double arp = a[r * n + p];
                        double arq = a[r * n + q];
                        a[r * n + p] = c * arp - sn * arq;
                        a[r * n + q] = sn * arp + c * arq;
                    }
                    for (int r = 0; r < n; r++) {
                        double apr = a[p * n + r];
                        double aqr = a[q * n + r];
                        a[p * n + r] = c * apr - sn * aqr;
                        a[q * n + r] = sn * apr + c * aqr;
                    }
                    for (int r = 0; r < n; r++) {
                        double vrp = v[r * n + p];
                        double vrq = v[r * n + q];
                        v[r * n + p] = c * vrp - sn * vrq;
                        v[r * n + q] = sn * vrp + c * vrq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(a[x * n + x], a[y * n + y]));
        double[] w = new double[n];
        double[] vs = new double[n * n];
        for (int c = 0; c < n; c++) {
            int src = order[c];
            w[c] = a[src * n + src];
            for (int r = 0; r < n; r++) {
                vs[r * n + c] = v[r * n + src];
            }
        }
        return new double[][] {w, vs};
    }

    static TensorStorage svdvals(TensorKernels k, TensorStorage a) {
        int m = (int) a.shape().dim(0);
        int n = (int) a.shape().dim(1);
        double[] x = k.toDoubles(a);
        int p = Math.min(m, n);
        double[] g = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double acc = 0;
                if (m >= n) {       // A^T A
                    for (int r = 0; r < m; r++) {
                        acc += x[r * n + i] * x[r * n + j];
                    }
                } else {            // A A^T
                    for (int c = 0; c < n; c++) {
                        acc += x[i * n + c] * x[j * n + c];
                    }
                }
                g[i * p + j] = acc;
            }
        }
        double[] w = jacobi(g, p)[0];
        double[] s = new double[p];
        for (int i = 0; i < p; i++) {
            s[i] = Math.sqrt(Math.max(0, w[p - 1 - i]));
        }
        return k.fromDoubles(s, Shape.of(p), a.dtype());
    }

    static TensorStorage inv(TensorKernels k, TensorStorage a) {
        int n = (int) a.shape().dim(0);
        double[] m = k.toDoubles(a);
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) {
                    piv = r;
                }
            }
            if (m[piv * n + col] == 0) {
                throw new ArithmeticException("inv: the matrix " + a.shape() + " is singular (column " + col + ")");
            }
            swap(m, n, col, piv);
            swap(inv, n, col, piv);
            double d = m[col * n + col];
            for (int c = 0; c < n; c++) {
                m[col * n + c] /= d;
                inv[col * n + c] /= d;
            }
            for (int r = 0; r < n; r++) {
                double f = m[r * n + col];
                if (r == col || f == 0) {
                    continue;
                }
                for (int c = 0; c < n; c++) {
                    m[r * n + c] -= f * m[col * n + c];
                    inv[r * n + c] -= f * inv[col * n + c];
                }
            }
        }
        return k.fromDoubles(inv, Shape.of(n, n), a.dtype());
    }

    private static void swap(double[] m, int n, int a, int b) {
        if (a == b) {
            return;
        }
        for (int c = 0; c < n; c++) {
            double t = m[a * n + c];
            m[a * n + c] = m[b * n + c];
            m[b * n + c] = t;
        }
    }
}
