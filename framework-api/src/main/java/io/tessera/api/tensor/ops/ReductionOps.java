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

/** Reductions (sum, mean, max, min, prod, var), argmax, top-k, cumsum and softmax, with their derivative rules. */
public final class ReductionOps {
    private ReductionOps() {
    }

    /** Variance over {@code axes}: {@code sum((x - mean)^2) / (n - correction)}. */
    public static Tensor var(Tensor self, int[] axes, boolean keepDim, int correction) {
        Checks.requireFloat(self, "var");
        int[] ax = Checks.resolveAxes(self, "var", axes);
        long n = 1;
        for (int a : ax) {
            n *= self.shape().dim(a);
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor mu = self.mean(ax, true);
            Tensor d = self.sub(mu);
            return sc.keep(d.square().sum(ax, keepDim).div(Math.max(0, n - correction)));
        }
    }

    public static Tensor reduce(Tensor self, String op, ReduceOp kind, int[] axes, boolean keepDim) {
        TensorStorage a = Access.live(self, op, "this");
        if (self.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": reduction of bool tensor " + Access.describe(self)
                    + "; convert with to(DType.INT64) or to(DType.FLOAT32)");
        }
        if (kind == ReduceOp.MEAN && !self.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": mean of integer tensor " + Access.describe(self) + " (PyTorch refuses it"
                    + " too: the result type is ambiguous); convert with to(DType.FLOAT32) first");
        }
        int[] ax = Checks.resolveAxes(self, op, axes);
        if (ax.length == 0) {
            return self.copy();
        }
        long n = 1;
        for (int i : ax) {
            n *= self.shape().dim(i);
        }
        long count = n;
        Shape in = self.shape();
        if (self.numel() == 0) {
            return reduceEmpty(self, op, kind, ax, keepDim, count);
        }
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).reduce(kind, a, ax, keepDim));
        Shape kept = self.shape().reduce(ax, true);
        Tensor x = self;
        return Autograd.record(op, r, new Tensor[] {self}, g -> {
            Tensor gk = g.reshape(kept.dims());
            return new Tensor[] {switch (kind) {
                case SUM -> gk.expand(in);
                case MEAN -> gk.div(count).expand(in);
                case MAX, MIN, PROD -> {
                    Tensor rk = r.reshape(kept.dims());
                    if (kind == ReduceOp.PROD) {
                        yield gk.mul(prodGrad(x, ax, kept));
                    }
                    Tensor mask = x.eq(rk).to(self.dtype());
                    Tensor share = mask.sum(ax, true);
                    yield mask.mul(gk).div(share);
                }
            }};
        });
    }

    /**
     * A reduction of an empty tensor, answered here so that no kernel sees one: the identity of the reduction (sum 0,
     * prod 1), NaN for a mean over zero elements, and PyTorch's refusal for max/min over an axis of size 0.
     */
    static Tensor reduceEmpty(Tensor self, String op, ReduceOp kind, int[] ax, boolean keepDim, long count) {
        if ((kind == ReduceOp.MAX || kind == ReduceOp.MIN) && count == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce " + Access.describe(self) + " over axes "
                    + Arrays.toString(ax) + " of size 0 (there is no " + op + " of nothing; PyTorch refuses too)");
        }
        double identity = switch (kind) {
            case SUM, MAX, MIN -> 0;
            case PROD -> 1;
            case MEAN -> count == 0 ? Double.NaN : 0;
        };
        Tensor r = self.backend().full(self.shape().reduce(ax, keepDim), self.dtype(), identity);
        Shape in = self.shape();
        return Autograd.record(op, r, new Tensor[] {self}, g -> new Tensor[] {self.backend().zeros(in, self.dtype())});
    }

    /** Index (int64) of the maximum along {@code axis}. */
    public static Tensor argmax(Tensor self, int axis, boolean keepDim) {
        TensorStorage a = Access.live(self, "argmax", "this");
        int ax = Checks.axisFor(self, "argmax", axis);
        return Access.wrap(self.backend(), Access.kernels(self).argMax(a, ax, keepDim));
    }

    /** The {@code k} largest (or smallest) values along {@code axis}, sorted, and their int64 indices. */
    public static Tensor.TopK topk(Tensor self, int k, int axis, boolean largest) {
        TensorStorage a = Access.live(self, "topk", "this");
        int ax = Checks.axisFor(self, "topk", axis);
        if (k < 0 || k > self.shape().dim(ax)) {
            throw new IllegalArgumentException("topk: k=" + k + " is out of range for axis " + axis + " of size "
                    + self.shape().dim(ax) + " (shape " + self.shape() + ")");
        }
        TensorKernels.StoragePair p = self.numel() == 0 || k == 0
                ? new TensorKernels.StoragePair(Access.kernels(self).filled(self.shape().with(ax, k), self.dtype(), 0),
                        Access.kernels(self).filled(self.shape().with(ax, k), DType.INT64, 0))
                : Access.kernels(self).topK(a, k, ax, largest);
        Tensor values = Access.wrap(self.backend(), p.first());
        Tensor indices = Access.wrap(self.backend(), p.second());
        Shape in = self.shape();
        Autograd.record("topk", values, new Tensor[] {self}, g -> new Tensor[] {g.scatterAddInto(in, ax, indices)},
                indices);
        return new Tensor.TopK(values, indices);
    }

    public static Tensor cumsum(Tensor self, int axis, boolean reverse) {
        TensorStorage a = Access.live(self, "cumsum", "this");
        int ax = Checks.axisFor(self, "cumsum", axis);
        Tensor r = Access.out(self, self.shape(), self.dtype(), () -> Access.kernels(self).cumsum(a, ax, reverse));
        return Autograd.record("cumsum", r, new Tensor[] {self}, g -> new Tensor[] {ReductionOps.cumsum(g, ax, !reverse)});
    }

    /** Softmax along {@code axis}. */
    public static Tensor softmax(Tensor self, int axis) {
        Checks.requireFloat(self, "softmax");
        int ax = Checks.axisFor(self, "softmax", axis);
        TensorStorage a = Access.live(self, "softmax", "this");
        Tensor r = Access.out(self, self.shape(), self.dtype(), () -> Access.kernels(self).softmax(a, ax, false));
        return Autograd.record("softmax", r, new Tensor[] {self}, g -> {
            Tensor gr = g.mul(r);
            return new Tensor[] {gr.sub(r.mul(gr.sum(ax, true)))};
        });
    }

    /** Log-softmax along {@code axis}. */
    public static Tensor logSoftmax(Tensor self, int axis) {
        Checks.requireFloat(self, "logSoftmax");
        int ax = Checks.axisFor(self, "logSoftmax", axis);
        TensorStorage a = Access.live(self, "logSoftmax", "this");
        Tensor r = Access.out(self, self.shape(), self.dtype(), () -> Access.kernels(self).softmax(a, ax, true));
        return Autograd.record("logSoftmax", r, new Tensor[] {self}, g ->
                new Tensor[] {g.sub(r.exp().mul(g.sum(ax, true)))});
    }

    /** {@code ln(sum(exp(x)))} along {@code axis}, computed stably. */
    public static Tensor logSumExp(Tensor self, int axis, boolean keepDim) {
        int ax = Checks.axisFor(self, "logSumExp", axis);
        try (TensorScope sc = Tensors.scope()) {
            Tensor m;
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                m = self.max(ax, true);
            }
            Tensor s = self.sub(m).exp().sum(ax, true).log().add(m);
            return sc.keep(keepDim ? s : s.squeeze(ax));
        }
    }

    /**
     * d prod / d x_i, the product of the other elements of x_i's group, also where x has zeros (out / x would give
     * 0/0 = NaN there; found by the differential fuzz corpus): with no zero in the group it is p / x_i, with one zero
     * it is p at the zero and 0 elsewhere, with more it is 0, where p is the product of the group's non-zeros.
     */
    static Tensor prodGrad(Tensor x, int[] ax, Shape kept) {
        Tensor zero = x.eq(0);
        Tensor nonZero = Tensors.where(zero, x.backend().ones(Shape.SCALAR, x.dtype()), x);
        Tensor p = nonZero.prod(ax, true);
        Tensor zeros = zero.to(x.dtype()).sum(ax, true);
        Tensor none = p.div(nonZero);
        Tensor one = Tensors.where(zero, p, x.backend().zeros(Shape.SCALAR, x.dtype()));
        Tensor zeroScalar = x.backend().zeros(Shape.SCALAR, x.dtype());
        return Tensors.where(zeros.eq(0), none, Tensors.where(zeros.eq(1), one, zeroScalar)).reshape(x.shape());
    }

    /**
     * {@code sqrt} whose gradient is 0 where the result is 0, as PyTorch's std and norm backward passes mask it
     * (plain {@code sqrt} gives {@code 0 * inf = NaN} at zero variance or a zero vector; issue 22).
     */
    public static Tensor sqrtZeroGradAtZero(Tensor self, String op) {
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).unary(UnaryOp.SQRT, Access.live(self, op, "this")));
        return Autograd.record(op, r, new Tensor[] {self}, g ->
                new Tensor[] {Tensors.where(r.eq(0), ElementwiseOps.zeroScalar(self), g.div(r.mul(2)))});
    }
}
