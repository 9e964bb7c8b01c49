package io.tessera.api.io;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Element types of weight files, named as in the safetensors header ({@code "F32"}, {@code "I64"}, ...). The names
 * and sizes are those of the safetensors specification; {@link #npyDescr()} maps the ones NumPy files also use.
 */
@API(status = API.Status.STABLE, since = "1.0")
public enum RawDType {
    BOOL(1, "|b1"),
    U8(1, "|u1"),
    I8(1, "|i1"),
    F8_E5M2(1, null),
    F8_E4M3(1, null),
    I16(2, "<i2"),
    U16(2, "<u2"),
    F16(2, "<f2"),
    BF16(2, null),
    I32(4, "<i4"),
    U32(4, "<u4"),
    F32(4, "<f4"),
    F64(8, "<f8"),
    I64(8, "<i8"),
    U64(8, "<u8");

    private final int byteSize;
    private final String npyDescr;

    RawDType(int byteSize, String npyDescr) {
        this.byteSize = byteSize;
        this.npyDescr = npyDescr;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The NumPy descriptor of this type ({@code <f4} for F32), or {@code null} where NumPy has none (BF16, F8). */
    public String npyDescr() {
        return npyDescr;
    }

    /** Whether this is a floating-point type. */
    public boolean isFloatingPoint() {
        return switch (this) {
            case F8_E5M2, F8_E4M3, F16, BF16, F32, F64 -> true;
            default -> false;
        };
    }

    /**
     * The type named {@code name} in a safetensors header.
     *
     * @throws IllegalArgumentException naming the known types when {@code name} is none of them
     */
    public static RawDType fromSafetensorsName(String name) {
        for (RawDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        String shown = name.length() <= 40 ? name : name.substring(0, 40) + "... (" + name.length() + " characters)";
        throw new IllegalArgumentException("unknown safetensors dtype \"" + shown + "\" (known: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The type of a NumPy descriptor such as {@code <f4}.
     *
     * @throws IllegalArgumentException when the descriptor has no counterpart here
     */
    public static RawDType fromNpyDescr(String descr) {
        for (RawDType t : values()) {
            if (descr.equals(t.npyDescr)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no weight dtype for NumPy descriptor \"" + descr + "\"");
    }
}
