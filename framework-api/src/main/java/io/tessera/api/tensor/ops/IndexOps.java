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

/** Indexing ops: gather and its adjoint scatter-add, index select, with their derivative rules. */
public final class IndexOps {
    private IndexOps() {
    }

    /** torch.gather: {@code out[..i..] = this[..index[..i..]..]} along {@code axis}; int64 {@code index}. */
    public static Tensor gather(Tensor self, int axis, Tensor index) {
        TensorStorage a = Access.live(self, "gather", "this");
        TensorStorage i = Checks.peerAnyType(self, "gather", "index", index, DType.INT64);
        int ax = Checks.axisFor(self, "gather", axis);
        if (index.rank() != self.rank()) {
            throw new IllegalArgumentException("gather: index " + Access.describe(index) + " must have the rank of "
                    + Access.describe(self));
        }
        Tensor r = Access.out(self, index.shape(), self.dtype(), () -> Access.kernels(self).gather(a, ax, i));
        Shape in = self.shape();
        return Autograd.record("gather", r, new Tensor[] {self}, g -> new Tensor[] {g.scatterAddInto(in, ax, index)},
                index);
    }

    /** Zeros of {@code target}, then this tensor added at {@code index} along {@code axis} (scatter-add). */
    public static Tensor scatterAddInto(Tensor self, Shape target, int axis, Tensor index) {
        TensorStorage s = Access.live(self, "scatterAdd", "this");
        TensorStorage i = Checks.peerAnyType(self, "scatterAdd", "index", index, DType.INT64);
        if (!index.shape().equals(self.shape())) {
            throw new IllegalArgumentException("scatterAdd: index " + Access.describe(index) + " and source " + Access.describe(self)
                    + " must have the same shape");
        }
        int ax = target.axis(axis);
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).scatterAdd(target, ax, i, s));
        return Autograd.record("scatterAdd", r, new Tensor[] {self}, g -> new Tensor[] {g.gather(ax, index)}, index);
    }

    /** The slices {@code index[k]} (int64, 1-D) along {@code axis}. */
    public static Tensor indexSelect(Tensor self, int axis, Tensor index) {
        TensorStorage a = Access.live(self, "indexSelect", "this");
        TensorStorage i = Checks.peerAnyType(self, "indexSelect", "index", index, DType.INT64);
        int ax = Checks.axisFor(self, "indexSelect", axis);
        if (index.rank() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + Access.describe(index));
        }
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).indexSelect(a, ax, i));
        Shape in = self.shape();
        return Autograd.record("indexSelect", r, new Tensor[] {self}, g -> new Tensor[] {
            Access.wrap(g.backend(), Access.kernels(self).indexAdd(in, ax, Access.live(index, "indexSelect backward", "index"),
                    Access.live(g, "indexSelect backward", "grad")))}, index);
    }
}
