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

/** Elementwise ops: binary (broadcasting), scalar and unary kernels with their derivative rules, masked fill. */
public final class ElementwiseOps {
    private ElementwiseOps() {
    }

    public static Tensor binary(Tensor self, String op, BinaryOp kind, Tensor other) {
        TensorStorage a = Access.live(self, op, "this");
        TensorStorage b = Checks.peer(self, op, "other", other);
        Shape outShape = Shape.broadcast(op, self.shape(), other.shape());
        if ((kind == BinaryOp.AND || kind == BinaryOp.OR) && self.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(op + ": needs bool tensors but got " + Access.describe(self));
        }
        if (!kind.isComparison() && self.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": arithmetic on bool tensors; convert with to(DType)");
        }
        if (kind == BinaryOp.DIV && self.dtype() == DType.INT64) {
            // PyTorch's true division: integer operands are promoted to float32 (docs/tensor-api.md, dtype rules).
            try (TensorScope sc = Tensors.scope()) {
                return sc.keep(self.to(DType.FLOAT32).div(other.to(DType.FLOAT32)));
            }
        }
        Tensor r = Access.out(self, outShape, kind.isComparison() ? DType.BOOL : self.dtype(),
                () -> binaryKernel(self, kind, a, self.shape(), b, other.shape(), outShape.rank()));
        if (kind.isComparison()) {
            return r;
        }
        Tensor x = self;
        Shape sa = self.shape();
        Shape sb = other.shape();
        return Autograd.record(op, r, new Tensor[] {self, other}, g -> switch (kind) {
            case ADD -> new Tensor[] {g.sumTo(sa), g.sumTo(sb)};
            case SUB -> new Tensor[] {g.sumTo(sa), g.neg().sumTo(sb)};
            case MUL -> new Tensor[] {
                x.requiresGrad() ? g.mul(other).sumTo(sa) : null,
                other.requiresGrad() ? g.mul(x).sumTo(sb) : null};
            case DIV -> new Tensor[] {
                x.requiresGrad() ? g.div(other).sumTo(sa) : null,
                other.requiresGrad() ? g.mul(r).div(other).neg().sumTo(sb) : null};
            // PyTorch's pow_backward_self / pow_backward_exponent: 0 where y == 0 (for x), and where x == 0 and
            // y >= 0 (for y), instead of 0 * inf or 0 * log(0) = NaN.
            case POW -> new Tensor[] {
                x.requiresGrad() ? Tensors.where(other.eq(0), ElementwiseOps.zeroScalar(self),
                        g.mul(other).mul(x.pow(other.sub(1)))).sumTo(sa) : null,
                other.requiresGrad() ? Tensors.where(x.eq(0).and(other.ge(0)), ElementwiseOps.zeroScalar(self),
                        g.mul(r).mul(x.log())).sumTo(sb) : null};
            case MAX, MIN -> {
                Tensor pick = kind == BinaryOp.MAX ? x.gt(other) : x.lt(other);
                Tensor tie = x.eq(other);
                Tensor wa = pick.to(self.dtype()).add(tie.to(self.dtype()).mul(0.5));
                Tensor wb = wa.rsub(1);
                yield new Tensor[] {g.mul(wa).sumTo(sa), g.mul(wb).sumTo(sb)};
            }
            default -> throw new IllegalStateException("no gradient for " + kind);
        });
    }

    /**
     * The binary kernel with both operands at the output's rank: a lower-rank operand gets leading axes of size 1
     * first, so backends only broadcast between equal ranks (ND4J fails on {@code [5, 1] + [5]}, issue 22).
     */
    static TensorStorage binaryKernel(Tensor self, BinaryOp kind, TensorStorage a, Shape sa, TensorStorage b, Shape sb,
                                       int outRank) {
        TensorStorage pa = sa.rank() < outRank ? Access.kernels(self).reshape(a, leadingOnes(sa, outRank)) : a;
        TensorStorage pb = sb.rank() < outRank ? Access.kernels(self).reshape(b, leadingOnes(sb, outRank)) : b;
        try {
            return Access.kernels(self).binary(kind, pa, pb);
        } finally {
            if (pa != a) {
                pa.close();
            }
            if (pb != b) {
                pb.close();
            }
        }
    }

    static Shape leadingOnes(Shape s, int rank) {
        long[] d = new long[rank];
        Arrays.fill(d, 1);
        System.arraycopy(s.dims(), 0, d, rank - s.rank(), s.rank());
        return Shape.of(d);
    }

    public static Tensor scalarOp(Tensor self, String op, ScalarOp kind, double s) {
        TensorStorage a = Access.live(self, op, "this");
        if (self.dtype() == DType.BOOL && !kind.isComparison()) {
            throw new IllegalArgumentException(op + ": arithmetic on bool tensor " + Access.describe(self)
                    + "; convert with to(DType)");
        }
        if (self.dtype() == DType.INT64 && !kind.isComparison()) {
            // docs/tensor-api.md, dtype rules: an integral scalar acts like a Python int (the result stays int64);
            // a fractional one, and any true division, promote to float32 as in PyTorch.
            boolean integral = Double.isFinite(s) && Math.rint(s) == s;
            if (kind == ScalarOp.POW && integral && s < 0) {
                throw new IllegalArgumentException(op + ": integer " + Access.describe(self) + " to the negative integer power "
                        + s + " (PyTorch refuses it too); convert with to(DType.FLOAT32) first");
            }
            if (!integral || kind == ScalarOp.DIV || kind == ScalarOp.RDIV) {
                try (TensorScope sc = Tensors.scope()) {
                    return sc.keep(scalarOp(self.to(DType.FLOAT32), op, kind, s));
                }
            }
        }
        Tensor r = Access.out(self, self.shape(), kind.isComparison() ? DType.BOOL : self.dtype(),
                () -> Access.kernels(self).scalar(kind, a, s));
        if (kind.isComparison()) {
            return r;
        }
        Tensor x = self;
        return Autograd.record(op, r, new Tensor[] {self}, g -> new Tensor[] {switch (kind) {
            case ADD, SUB -> g;
            case RSUB -> g.neg();
            case MUL -> g.mul(s);
            case DIV -> g.div(s);
            case RDIV -> g.mul(-s).div(x.square());
            case POW -> s == 0 ? g.mul(0.0) : g.mul(x.pow(s - 1)).mul(s);
            case MAX -> g.mul(x.ge(s).to(self.dtype()));
            case MIN -> g.mul(x.le(s).to(self.dtype()));
            default -> throw new IllegalStateException("no gradient for " + kind);
        }});
    }

    /** Logical not of a bool tensor. */
    public static Tensor not(Tensor self) {
        if (self.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("not: needs a bool tensor, got " + Access.describe(self));
        }
        return Access.wrap(self.backend(), Access.kernels(self).unary(UnaryOp.NOT, Access.live(self, "not", "this")));
    }

    public static Tensor unary(Tensor self, UnaryOp op) {
        String name = op.name().toLowerCase();
        TensorStorage a = Access.live(self, name, "this");
        if (self.dtype() == DType.BOOL || (self.dtype() == DType.INT64 && op != UnaryOp.NEG && op != UnaryOp.ABS
                && op != UnaryOp.SIGN && op != UnaryOp.SQUARE && op != UnaryOp.RELU)) {
            Checks.requireFloat(self, name);
        }
        Tensor r = Access.out(self, self.shape(), self.dtype(), () -> Access.kernels(self).unary(op, a));
        Tensor x = self;
        return Autograd.record(name, r, new Tensor[] {self}, g -> new Tensor[] {switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case SIGN, FLOOR, CEIL -> g.mul(0.0);
            case EXP -> g.mul(r);
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1));
            case SQRT -> g.div(r.mul(2));
            case SQUARE -> g.mul(x).mul(2);
            case RECIPROCAL -> g.mul(r.square()).neg();
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case ERF -> g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI));
            case TANH -> g.mul(r.square().rsub(1));
            case SIGMOID -> g.mul(r).mul(r.rsub(1));
            case RELU -> g.numel() == 0 ? g.copy() : Access.wrap(g.backend(), Access.kernels(self).reluBackward(
                    Access.live(x, "relu backward", "x"), Access.live(g, "relu backward", "grad")));
            case SOFTPLUS -> g.mul(x.sigmoid());
            case GELU_ERF -> {
                Tensor cdf = x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
                Tensor pdf = x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
                yield g.mul(cdf.add(x.mul(pdf)));
            }
            case GELU_TANH -> {
                double c = Math.sqrt(2 / Math.PI);
                Tensor x2 = x.square();
                Tensor t = x2.mul(0.044715).add(1).mul(x).mul(c).tanh();
                Tensor dInner = x2.mul(3 * 0.044715).add(1).mul(c);
                Tensor d = t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().rsub(1)).mul(dInner));
                yield g.mul(d);
            }
            case NOT -> throw new IllegalStateException("no gradient for not");
        }});
    }

    /**
     * A copy with {@code value} where {@code mask} (bool) is true; this tensor and the mask broadcast together, so the
     * result has their broadcast shape (as PyTorch's out-of-place {@code masked_fill}).
     */
    public static Tensor maskedFill(Tensor self, Tensor mask, double value) {
        Checks.peerAnyType(self, "maskedFill", "mask", mask, DType.BOOL);
        Shape.broadcast("maskedFill", self.shape(), mask.shape());
        try (TensorScope sc = Tensors.scope()) {
            Tensor v = self.backend().full(Shape.SCALAR, self.dtype(), value);
            return sc.keep(Tensors.where(mask, v, self));
        }
    }

    public static Tensor zeroScalar(Tensor self) {
        return self.backend().zeros(Shape.SCALAR, self.dtype());
    }
}
