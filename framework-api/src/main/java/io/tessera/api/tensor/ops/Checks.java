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

/** Argument checks shared by the op families: peers (open, same backend, dtype), axes, floating point. */
public final class Checks {
    private Checks() {
    }

    public static int[] allAxes(Tensor self) {
        int[] a = new int[self.rank()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    public static int[] resolveAxes(Tensor self, String op, int[] axes) {
        boolean[] seen = new boolean[self.rank()];
        for (int a : axes) {
            int r;
            try {
                r = self.shape().axis(a);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
            }
            if (seen[r]) {
                throw new IllegalArgumentException(op + ": axis " + a + " is listed twice in " + Arrays.toString(axes));
            }
            seen[r] = true;
        }
        int n = 0;
        int[] out = new int[axes.length];
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                out[n++] = i;
            }
        }
        return out;
    }

    public static int axisFor(Tensor self, String op, int axis) {
        try {
            return self.shape().axis(axis);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    /** Checks that {@code other} can meet this tensor in {@code op}: open, same backend, same dtype. */
    public static TensorStorage peer(Tensor self, String op, String arg, Tensor other) {
        Objects.requireNonNull(other, op + ": argument '" + arg + "' is null");
        if (other.backend() != self.backend()) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + Access.describe(other) + " is on backend "
                    + other.backend().name() + " (" + other.device() + ") but 'this' " + Access.describe(self) + " is on backend "
                    + self.backend().name() + " (" + self.device() + "); move it with backend.copyOf(t)");
        }
        if (other.dtype() != self.dtype()) {
            throw new IllegalArgumentException(op + ": dtype mismatch: 'this' is " + Access.describe(self) + ", argument '" + arg
                    + "' is " + Access.describe(other) + "; convert one with to(DType)");
        }
        return Access.live(other, op, arg);
    }

    public static TensorStorage peerAnyType(Tensor self, String op, String arg, Tensor other, DType expected) {
        Objects.requireNonNull(other, op + ": argument '" + arg + "' is null");
        if (other.backend() != self.backend()) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + Access.describe(other) + " is on backend "
                    + other.backend().name() + " but 'this' " + Access.describe(self) + " is on backend " + self.backend().name());
        }
        if (expected != null && other.dtype() != expected) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be " + expected + " but is "
                    + Access.describe(other));
        }
        return Access.live(other, op, arg);
    }

    public static void requireFloat(Tensor self, String op) {
        if (!self.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor but 'this' is " + Access.describe(self)
                    + "; convert with to(DType.FLOAT32)");
        }
    }
}
