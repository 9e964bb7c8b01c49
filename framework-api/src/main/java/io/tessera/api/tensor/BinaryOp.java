package io.tessera.api.tensor;

import org.apiguardian.api.API;

/**
 * Elementwise kernels of two tensors with NumPy broadcasting ({@link TensorBackend#binary}). Both operands have the
 * same dtype; arithmetic keeps it, comparisons and logical ops return {@link DType#BOOL}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE,
    /** Logical and of two bool tensors. */
    AND,
    /** Logical or of two bool tensors. */
    OR;

    /** Whether the result is boolean. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
