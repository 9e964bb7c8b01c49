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

/** Shape ops: reshape, permute, expand and its adjoint sumTo, slice and its adjoint embed, pad, with their derivative rules. */
public final class ShapeOps {
    private ShapeOps() {
    }

    /** The same elements (row-major) in a new shape; one dimension may be -1 (inferred). */
    public static Tensor reshape(Tensor self, long... newShape) {
        TensorStorage a = Access.live(self, "reshape", "this");
        Shape s = inferShape(self, newShape);
        if (s.equals(self.shape())) {
            Tensor r = Access.out(self, self.shape(), self.dtype(), () -> Access.kernels(self).cast(a, self.dtype()));
            return Autograd.record("reshape", r, new Tensor[] {self}, g -> new Tensor[] {g});
        }
        Tensor r = Access.out(self, s, self.dtype(), () -> Access.kernels(self).reshape(a, s));
        long[] back = self.shape().dims();
        return Autograd.record("reshape", r, new Tensor[] {self}, g -> new Tensor[] {g.reshape(back)});
    }

    static Shape inferShape(Tensor self, long[] ns) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < ns.length; i++) {
            if (ns[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(ns));
                }
                infer = i;
            } else if (ns[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(ns));
            } else {
                known *= ns[i];
            }
        }
        long[] d = ns.clone();
        if (infer >= 0) {
            if (known == 0 || self.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(ns) + " for "
                        + self.numel() + " elements of shape " + self.shape());
            }
            d[infer] = self.numel() / known;
        }
        Shape s = Shape.of(d);
        if (s.size() != self.numel()) {
            throw new IllegalArgumentException("reshape: shape " + s + " (" + s.size() + " elements) does not fit "
                    + Access.describe(self) + " (" + self.numel() + " elements)");
        }
        return s;
    }

    /** Reorders axes: output axis {@code i} is input axis {@code perm[i]}. */
    public static Tensor permute(Tensor self, int... perm) {
        TensorStorage a = Access.live(self, "permute", "this");
        if (perm.length != self.rank()) {
            throw new IllegalArgumentException("permute: permutation " + Arrays.toString(perm) + " has "
                    + perm.length + " axes but " + Access.describe(self) + " has " + self.rank());
        }
        int[] p = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            p[i] = Checks.axisFor(self, "permute", perm[i]);
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[p[i]] = true;
        }
        long[] pd = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            pd[i] = self.shape().dim(p[i]);
        }
        Tensor r = Access.out(self, Shape.of(pd), self.dtype(), () -> Access.kernels(self).permute(a, p));
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            inv[p[i]] = i;
        }
        return Autograd.record("permute", r, new Tensor[] {self}, g -> new Tensor[] {g.permute(inv)});
    }

    /** Broadcasts to {@code target} (materialised); gradients are summed back. */
    public static Tensor expand(Tensor self, Shape target) {
        TensorStorage a = Access.live(self, "expand", "this");
        if (!self.shape().broadcastsTo(target)) {
            throw new IllegalArgumentException("expand: shape " + self.shape() + " cannot be broadcast to " + target);
        }
        if (target.equals(self.shape())) {
            return self.copy();
        }
        Tensor r = Access.out(self, target, self.dtype(), () -> Access.kernels(self).broadcastTo(a, target));
        Shape in = self.shape();
        return Autograd.record("expand", r, new Tensor[] {self}, g -> new Tensor[] {g.sumTo(in)});
    }

    /** The sum of this (broadcast) gradient down to {@code target}, the inverse of broadcasting. */
    public static Tensor sumTo(Tensor self, Shape target) {
        if (self.shape().equals(target)) {
            return self;
        }
        if (!target.broadcastsTo(self.shape())) {
            throw new IllegalArgumentException("sumTo: shape " + target + " does not broadcast to " + self.shape());
        }
        int lead = self.rank() - target.rank();
        int n = 0;
        int[] axes = new int[self.rank()];
        for (int i = 0; i < self.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && self.shape().dim(i) != 1)) {
                axes[n++] = i;
            }
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor s = n == 0 ? self : self.sum(Arrays.copyOf(axes, n), true);
            return sc.keep(s.reshape(target.dims()));
        }
    }

    /**
     * Strided slice along every axis: {@code ranges[d] = {start, stop, step}} (Python semantics, stop exclusive,
     * {@code step >= 1}); a null row keeps the whole axis.
     */
    public static Tensor slice(Tensor self, long[][] ranges) {
        TensorStorage a = Access.live(self, "slice", "this");
        if (ranges.length != self.rank()) {
            throw new IllegalArgumentException("slice: " + ranges.length + " ranges for " + Access.describe(self));
        }
        long[] start = new long[self.rank()];
        long[] stop = new long[self.rank()];
        long[] step = new long[self.rank()];
        long[] outDims = new long[self.rank()];
        for (int d = 0; d < self.rank(); d++) {
            long n = self.shape().dim(d);
            long[] r = ranges[d] == null ? new long[] {0, n, 1} : ranges[d];
            long st = r.length > 2 ? r[2] : 1;
            long s0 = clampIndex(r[0], n);
            long s1 = r.length > 1 ? clampIndex(r[1], n) : n;
            if (st < 1) {
                throw new IllegalArgumentException("slice: step " + st + " on axis " + d + " must be >= 1");
            }
            start[d] = s0;
            step[d] = st;
            outDims[d] = (Math.max(s0, s1) - s0 + st - 1) / st;
            // The tight stop (one past the last element taken), so kernels never see a stop beyond the last step:
            // x[0:1:3] reaches the kernel as [0, 1) step 3 (ND4J rejects a stop past the end; issue 22).
            stop[d] = outDims[d] == 0 ? s0 : s0 + (outDims[d] - 1) * st + 1;
        }
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).slice(a, start, stop, step));
        Shape in = self.shape();
        return Autograd.record("slice", r, new Tensor[] {self}, g -> new Tensor[] {embed(g, in, start, step, 0)});
    }

    static long clampIndex(long i, long n) {
        long v = i < 0 ? i + n : i;
        return Math.max(0, Math.min(n, v));
    }

    /** Places this tensor into a new one of {@code outShape} filled with {@code fill} (see TensorBackend#embed). */
    public static Tensor embed(Tensor self, Shape outShape, long[] start, long[] step, double fill) {
        Tensor r = Access.wrap(self.backend(), Access.kernels(self).embed(Access.live(self, "embed", "this"), outShape, start, step, fill));
        long[][] ranges = new long[self.rank()][];
        for (int d = 0; d < self.rank(); d++) {
            ranges[d] = new long[] {start[d], start[d] + (self.shape().dim(d) - 1) * step[d] + 1, step[d]};
        }
        return Autograd.record("embed", r, new Tensor[] {self}, g -> new Tensor[] {g.slice(ranges)});
    }

    /** Constant padding: {@code pads[d] = {before, after}} for every axis (all axes listed, in order). */
    public static Tensor pad(Tensor self, long[][] pads, double value) {
        Access.live(self, "pad", "this");
        if (pads.length != self.rank()) {
            throw new IllegalArgumentException("pad: " + pads.length + " [before, after] pairs for " + Access.describe(self)
                    + "; list every axis");
        }
        long[] d = new long[self.rank()];
        long[] start = new long[self.rank()];
        long[] step = new long[self.rank()];
        for (int i = 0; i < self.rank(); i++) {
            if (pads[i].length != 2 || pads[i][0] < 0 || pads[i][1] < 0) {
                throw new IllegalArgumentException("pad: axis " + i + " needs [before, after] >= 0, got "
                        + Arrays.toString(pads[i]));
            }
            d[i] = self.shape().dim(i) + pads[i][0] + pads[i][1];
            start[i] = pads[i][0];
            step[i] = 1;
        }
        return embed(self, Shape.of(d), start, step, value);
    }
}
