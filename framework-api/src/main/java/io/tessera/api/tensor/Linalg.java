package io.tessera.api.tensor;

import io.tessera.api.tensor.spi.TensorKernels;
import org.apiguardian.api.API;

/**
 * Matrix decompositions and inverses on 2-D tensors. {@link #eigh} and {@link #svdvals} have no gradient: calling
 * them on a tensor that records gradients fails, so wrap them in {@link Autograd#noGrad()} or pass
 * {@link Tensor#detach()}. {@link #inv} is differentiable.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Linalg {
    private Linalg() {
    }

    /**
     * Eigen-decomposition of a symmetric matrix.
     *
     * @param eigenvalues  ascending, {@code [n]}
     * @param eigenvectors unit columns, {@code [n, n]}; column k belongs to eigenvalue k
     */
    public record Eigh(Tensor eigenvalues, Tensor eigenvectors) implements AutoCloseable {
        @Override
        public void close() {
            eigenvalues.close();
            eigenvectors.close();
        }
    }

    /** Eigenvalues (ascending) and eigenvectors of a symmetric matrix (the lower triangle is used). */
    public static Eigh eigh(Tensor a) {
        square("eigh", a);
        noGradient("eigh", a);
        TensorBackend be = a.backend();
        TensorKernels.StoragePair p = be.kernels.eigh(a.live("eigh", "a"));
        return new Eigh(Tensor.wrap(be, p.first()), Tensor.wrap(be, p.second()));
    }

    /** Singular values, descending, {@code [min(m, n)]}. */
    public static Tensor svdvals(Tensor a) {
        if (a.rank() != 2 || !a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("svdvals: needs a floating-point matrix, got " + a.describe());
        }
        noGradient("svdvals", a);
        TensorBackend be = a.backend();
        return Tensor.wrap(be, be.kernels.svdvals(a.live("svdvals", "a")));
    }

    /** Inverse of a square matrix; gradient {@code -A^-T g A^-T}. */
    public static Tensor inv(Tensor a) {
        square("inv", a);
        TensorBackend be = a.backend();
        Tensor r = Tensor.wrap(be, be.kernels.inv(a.live("inv", "a")));
        return Autograd.record("inv", r, new Tensor[] {a}, g -> {
            Tensor rt = r.t();
            return new Tensor[] {rt.matmul(g).matmul(rt).neg()};
        });
    }

    private static void square(String op, Tensor a) {
        if (a.rank() != 2 || a.size(0) != a.size(1) || !a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a square floating-point matrix, got " + a.describe());
        }
    }

    private static void noGradient(String op, Tensor a) {
        if (Autograd.isGradEnabled() && a.requiresGrad()) {
            throw new UnsupportedOperationException(op + ": has no gradient, but its input " + a.describe()
                    + " records gradients; call it inside Autograd.noGrad() or on a.detach()");
        }
    }
}
