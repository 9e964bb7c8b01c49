package io.tessera.backend.cpu.kernels;

import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradients of a 2-D convolution (or transposed convolution) with respect to its input, weight and bias.
 *
 * @param dx gradient with respect to the input, shaped like the input
 * @param dw gradient with respect to the weight, shaped like the weight
 * @param db gradient with respect to the bias {@code [C_out]}, or {@code null} when the convolution had no bias
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public record Conv2dGrads(INDArray dx, INDArray dw, INDArray db) {
}
