package io.tessera.backend.cpu;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.spi.KernelMath;

/** Scalar math for the kernels computed in Java. */
final class MathFunctions {
    private MathFunctions() {
    }

    /** The error function (one implementation for every backend: {@link KernelMath#erf}). */
    static double erf(double x) {
        return KernelMath.erf(x);
    }

    static double scalar(ScalarOp op, double x, double s) {
        return switch (op) {
            case ADD -> x + s;
            case SUB -> x - s;
            case RSUB -> s - x;
            case MUL -> x * s;
            case DIV -> x / s;
            case RDIV -> s / x;
            case POW -> Math.pow(x, s);
            case MAX -> Math.max(x, s);
            case MIN -> Math.min(x, s);
            case EQ -> x == s ? 1 : 0;
            case NE -> x != s ? 1 : 0;
            case LT -> x < s ? 1 : 0;
            case LE -> x <= s ? 1 : 0;
            case GT -> x > s ? 1 : 0;
            case GE -> x >= s ? 1 : 0;
        };
    }

    static double binary(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            case AND -> x != 0 && y != 0 ? 1 : 0;
            case OR -> x != 0 || y != 0 ? 1 : 0;
        };
    }

    static long binary(BinaryOp op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> {
                if (y == 0) {
                    throw new ArithmeticException("div: integer division by zero");
                }
                yield Math.floorDiv(x, y);
            }
            case POW -> (long) Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            case AND -> x != 0 && y != 0 ? 1 : 0;
            case OR -> x != 0 || y != 0 ? 1 : 0;
        };
    }
}
