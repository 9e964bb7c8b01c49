package io.tessera.api.tensor;

import org.apiguardian.api.API;

/** Elementwise one-argument kernels of {@link TensorBackend#unary}. The result has the input's shape and dtype. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, LOG, LOG1P, SQRT, SQUARE, RECIPROCAL, SIN, COS, FLOOR, CEIL, ERF,
    TANH, SIGMOID, RELU,
    /** Exact GELU: {@code x * 0.5 * (1 + erf(x / sqrt 2))}. */
    GELU_ERF,
    /** Tanh-approximate GELU: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    GELU_TANH,
    /** Numerically stable {@code ln(1 + e^x)} = {@code max(x, 0) + log1p(exp(-|x|))}. */
    SOFTPLUS,
    /** Logical not; bool input and output. */
    NOT
}
