package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense linear algebra on the last two dims (leading dims are batch), computed in double and returned in the input's
 * floating type (float64 input keeps its precision; anything else comes back float32):
 * symmetric eigendecomposition and singular values through LAPACK ({@code dsyev}, {@code dgesvd}; ND4J's own
 * {@code svd} op is broken), and the inverse by Gauss-Jordan elimination with partial pivoting.
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class LinalgKernels {

    /**
     * A symmetric eigendecomposition {@code a = V diag(w) V^T}.
     *
     * @param eigenvalues  ascending, {@code [..., n]}
     * @param eigenvectors unit columns {@code V[:, k]} for {@code eigenvalues[k]}, {@code [..., n, n]}; each column's
     *                     largest-magnitude entry is positive (a deterministic choice of the ambiguous sign)
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public record EighResult(INDArray eigenvalues, INDArray eigenvectors) {
    }

    private LinalgKernels() {
    }

    /** Eigendecomposition of symmetric matrices; only the lower triangle is read (PyTorch's {@code UPLO='L'}). */
    public static EighResult eigh(INDArray a) {
        int n = square("eigh", a);
        int batch = (int) (a.length() / ((long) n * n));
        double[] all = KernelArrays.doubles(a);
        double[] values = new double[batch * n];
        double[] vectors = new double[batch * n * n];
        for (int bi = 0; bi < batch; bi++) {
            double[] m = new double[n * n];
            int base = bi * n * n;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double v = all[base + i * n + j];
                    m[i * n + j] = v;
                    m[j * n + i] = v;
                }
            }
            INDArray mat = Nd4j.create(m, new long[] {n, n}, 'c');
            INDArray w = Nd4j.create(DataType.DOUBLE, n);
            int info = Nd4j.getBlasWrapper().lapack().syev('V', 'L', mat, w);
            if (info != 0) {
                throw new ArithmeticException("eigh: LAPACK dsyev did not converge (info=" + info + ") for matrix "
                        + bi + " of shape " + Arrays.toString(a.shape()));
            }
            double[] vals = w.data().asDouble();
            // syev leaves the eigenvectors as the columns of the row-major result
            double[] vecs = mat.dup('c').data().asDouble();
            for (int k = 0; k < n; k++) {
                values[bi * n + k] = vals[k];
                int at = 0;
                for (int i = 1; i < n; i++) {
                    if (Math.abs(vecs[i * n + k]) > Math.abs(vecs[at * n + k])) {
                        at = i;
                    }
                }
                double sign = vecs[at * n + k] < 0 ? -1 : 1;
                for (int i = 0; i < n; i++) {
                    vectors[base + i * n + k] = sign * vecs[i * n + k];
                }
            }
        }
        long[] shape = a.shape();
        return new EighResult(result(values, Arrays.copyOf(shape, shape.length - 1), a), result(vectors, shape, a));
    }

    /** Singular values {@code [..., min(m, n)]}, descending and non-negative. */
    public static INDArray svdvals(INDArray a) {
        KernelArrays.require(a != null && a.rank() >= 2, "svdvals: input must be a matrix (rank >= 2) but has shape "
                + (a == null ? "null" : Arrays.toString(a.shape())));
        int rows = (int) a.size(a.rank() - 2);
        int cols = (int) a.size(a.rank() - 1);
        int k = Math.min(rows, cols);
        int batch = (int) (a.length() / Math.max(1, (long) rows * cols));
        double[] all = KernelArrays.doubles(a);
        double[] out = new double[batch * k];
        for (int bi = 0; bi < batch; bi++) {
            double[] m = Arrays.copyOfRange(all, bi * rows * cols, (bi + 1) * rows * cols);
            // gesvd destroys its input; a Fortran-ordered copy is what LAPACK reads directly
            INDArray mat = Nd4j.create(m, new long[] {rows, cols}, 'c').dup('f');
            INDArray s = Nd4j.create(DataType.DOUBLE, k);
            Nd4j.getBlasWrapper().lapack().gesvd(mat, s, null, null);
            double[] sv = s.data().asDouble();
            Arrays.sort(sv);
            for (int i = 0; i < k; i++) {
                out[bi * k + i] = Math.abs(sv[k - 1 - i]);
            }
        }
        long[] shape = a.shape();
        long[] outShape = Arrays.copyOf(shape, shape.length - 1);
        outShape[outShape.length - 1] = k;
        return result(out, outShape, a);
    }

    /** Inverse of square matrices; throws {@link ArithmeticException} for a (numerically) singular matrix. */
    public static INDArray inv(INDArray a) {
        int n = square("inv", a);
        int batch = (int) (a.length() / ((long) n * n));
        double[] all = KernelArrays.doubles(a);
        double[] out = new double[all.length];
        for (int bi = 0; bi < batch; bi++) {
            double[] inv = invert(Arrays.copyOfRange(all, bi * n * n, (bi + 1) * n * n), n, bi, a.shape());
            for (int i = 0; i < n * n; i++) {
                out[bi * n * n + i] = inv[i];
            }
        }
        return result(out, a.shape(), a);
    }

    /** {@code data} as an array of {@code input}'s precision: float64 for a float64 input, float32 otherwise. */
    private static INDArray result(double[] data, long[] shape, INDArray input) {
        if (input.dataType() == DataType.DOUBLE) {
            return Nd4j.create(data, shape, 'c');
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return KernelArrays.array(f, shape);
    }

    private static double[] invert(double[] m, int n, int index, long[] shape) {
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        double scale = 0;
        for (double v : m) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) {
                    pivot = r;
                }
            }
            double p = m[pivot * n + col];
            if (Math.abs(p) <= scale * n * 1e-15 || p == 0) {
                throw new ArithmeticException("inv: matrix " + index + " of shape " + Arrays.toString(shape)
                        + " is singular (pivot " + p + " in column " + col + "); check the input or use a"
                        + " pseudo-inverse");
            }
            if (pivot != col) {
                swapRows(m, n, pivot, col);
                swapRows(inv, n, pivot, col);
            }
            double ip = 1.0 / p;
            for (int j = 0; j < n; j++) {
                m[col * n + j] *= ip;
                inv[col * n + j] *= ip;
            }
            for (int r = 0; r < n; r++) {
                double f = m[r * n + col];
                if (r == col || f == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    m[r * n + j] -= f * m[col * n + j];
                    inv[r * n + j] -= f * inv[col * n + j];
                }
            }
        }
        return inv;
    }

    private static void swapRows(double[] m, int n, int a, int b) {
        for (int j = 0; j < n; j++) {
            double t = m[a * n + j];
            m[a * n + j] = m[b * n + j];
            m[b * n + j] = t;
        }
    }

    private static int square(String op, INDArray a) {
        KernelArrays.require(a != null && a.rank() >= 2 && a.size(a.rank() - 1) == a.size(a.rank() - 2)
                && a.size(a.rank() - 1) > 0, op + ": input must be a non-empty square matrix [..., n, n] but has shape "
                + (a == null ? "null" : Arrays.toString(a.shape())));
        return (int) a.size(a.rank() - 1);
    }
}
