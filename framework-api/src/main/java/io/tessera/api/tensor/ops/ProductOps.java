package io.tessera.api.tensor.ops;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.api.tensor.UnaryOp;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.Arrays;
import java.util.Objects;

/** Matrix products: matmul with NumPy semantics and the fused transposed-operand kernel its gradients use. */
public final class ProductOps {
    private ProductOps() {
    }

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted (and the added axis removed again), the last two
     * axes multiply, leading (batch) axes broadcast.
     */
    public static Tensor matmul(Tensor self, Tensor other) {
        Access.live(self, "matmul", "this");
        Checks.peer(self, "matmul", "other", other);
        Checks.requireFloat(self, "matmul");
        if (self.rank() == 0 || other.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalars cannot be multiplied as matrices ('this' "
                    + Access.describe(self) + ", 'other' " + Access.describe(other) + "); use mul");
        }
        if (self.rank() == 1 || other.rank() == 1) {
            long rows = other.rank() == 1 ? other.shape().dim(0) : other.shape().dim(-2);
            if (self.shape().dim(-1) != rows) {
                throw new IllegalArgumentException("matmul: sizes do not match: 'this' " + Access.describe(self) + " has "
                        + self.shape().dim(-1) + (self.rank() == 1 ? " elements" : " columns") + ", 'other' " + Access.describe(other)
                        + " has " + rows + (other.rank() == 1 ? " elements" : " rows"));
            }
            try (TensorScope sc = Tensors.scope()) {
                Tensor a = self.rank() == 1 ? self.unsqueeze(0) : self;
                Tensor b = other.rank() == 1 ? other.unsqueeze(-1) : other;
                Tensor p = a.matmul(b);
                if (self.rank() == 1) {
                    p = p.squeeze(-2);
                }
                if (other.rank() == 1) {
                    p = p.squeeze(-1);
                }
                return sc.keep(p);
            }
        }
        long k = self.shape().dim(-1);
        if (k != other.shape().dim(-2)) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: 'this' " + Access.describe(self)
                    + " has " + k + " columns, 'other' " + Access.describe(other) + " has " + other.shape().dim(-2) + " rows");
        }
        Shape ba = Shape.of(Arrays.copyOf(self.shape().dims(), self.rank() - 2));
        Shape bb = Shape.of(Arrays.copyOf(other.shape().dims(), other.rank() - 2));
        Shape batch = Shape.broadcast("matmul (batch axes)", ba, bb);
        if (self.numel() == 0 || other.numel() == 0) {
            // empty operands: an empty product, or zeros when only the inner dimension is 0 (a sum of nothing);
            // gradients are zeros of the operands' shapes (PyTorch's values; no kernel sees an empty matmul)
            Tensor z = self.backend().full(productShape(batch, self.shape().dim(-2), other.shape().dim(-1)),
                    self.dtype(), 0);
            Shape sa = self.shape();
            Shape sb = other.shape();
            DType type = self.dtype();
            return Autograd.record("matmul", z, new Tensor[] {self, other}, g -> new Tensor[] {
                self.backend().zeros(sa, type), self.backend().zeros(sb, type)});
        }
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).matmul(Access.live(self, "matmul", "this"), Access.live(other, "matmul", "other")));
        Tensor x = self;
        // the gradients read the operands transposed: the fused kernel takes transpose flags instead of copies
        return Autograd.record("matmul", r, new Tensor[] {self, other}, g -> new Tensor[] {
            x.requiresGrad() ? matmulKernel(g, false, other, true).sumTo(x.shape()) : null,
            other.requiresGrad() ? matmulKernel(x, true, g, false).sumTo(other.shape()) : null});
    }

    /** {@code op(a) @ op(b)} by the fused kernel, {@code op} transposing the last two axes when flagged (unrecorded). */
    public static Tensor matmulKernel(Tensor a, boolean ta, Tensor b, boolean tb) {
        if (a.numel() == 0 || b.numel() == 0) {
            // a product with an empty operand: empty, or zeros when only the inner dimension is 0
            Shape batch = Shape.broadcast("matmul (batch axes)", Shape.of(Arrays.copyOf(a.dims(), a.rank() - 2)),
                    Shape.of(Arrays.copyOf(b.dims(), b.rank() - 2)));
            return a.backend().full(productShape(batch, ta ? a.shape().dim(-1) : a.shape().dim(-2),
                    tb ? b.shape().dim(-2) : b.shape().dim(-1)), a.dtype(), 0);
        }
        return Access.wrap(a.backend(), Access.kernels(a).matmul(Access.live(a, "matmul", "a"), ta, Access.live(b, "matmul", "b"), tb));
    }

    /** {@code batch} followed by {@code rows, cols}: the shape of a batched product. */
    private static Shape productShape(Shape batch, long rows, long cols) {
        long[] od = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        od[batch.rank()] = rows;
        od[batch.rank() + 1] = cols;
        return Shape.of(od);
    }
}
