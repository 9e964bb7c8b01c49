package io.tessera.api.tensor;

import org.apiguardian.api.API;

/** Element type of a {@link Tensor}. */
@API(status = API.Status.STABLE, since = "1.0")
public enum DType {
    /** 32-bit IEEE float, the default for parameters and activations. */
    FLOAT32(4, true, "<f4"),
    /** 64-bit IEEE float, used for precise reference computations such as gradient checks. */
    FLOAT64(8, true, "<f8"),
    /** 64-bit signed integer: class labels, indices. */
    INT64(8, false, "<i8"),
    /** Boolean: masks and comparison results. */
    BOOL(1, false, "|b1");

    private final int byteSize;
    private final boolean floatingPoint;
    private final String npyDescr;

    DType(int byteSize, boolean floatingPoint, String npyDescr) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
        this.npyDescr = npyDescr;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether values of this type can carry gradients. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The NumPy {@code .npy} descriptor of this type, e.g. {@code <f4}. */
    public String npyDescr() {
        return npyDescr;
    }

    /** The type of a NumPy descriptor ({@code <f4}, {@code <f8}, {@code <i8}, {@code |b1}). */
    public static DType fromNpyDescr(String descr) {
        for (DType t : values()) {
            if (t.npyDescr.equals(descr)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no tensor dtype for .npy descriptor '" + descr
                + "'; supported: <f4 (float32), <f8 (float64), <i8 (int64), |b1 (bool)");
    }
}
