package io.tessera.api.tensor;

import org.apiguardian.api.API;

/**
 * Elementwise kernels of a tensor {@code x} and a Java scalar {@code s} ({@link TensorBackend#scalar}). Arithmetic
 * keeps the dtype of {@code x}; comparisons return {@link DType#BOOL}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum ScalarOp {
    /** x + s. */ ADD,
    /** x - s. */ SUB,
    /** s - x. */ RSUB,
    /** x * s. */ MUL,
    /** x / s. */ DIV,
    /** s / x. */ RDIV,
    /** x ^ s. */ POW,
    /** max(x, s). */ MAX,
    /** min(x, s). */ MIN,
    EQ, NE, LT, LE, GT, GE;

    /** Whether the result is boolean. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
