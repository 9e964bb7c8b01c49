package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A complex array as two float32 arrays of one shape: the real and the imaginary parts.
 *
 * @param real the real parts
 * @param imag the imaginary parts
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public record ComplexPair(INDArray real, INDArray imag) {
    public ComplexPair {
        if (real == null || imag == null || !Arrays.equals(real.shape(), imag.shape())) {
            throw new IllegalArgumentException("complex array: real " + (real == null ? "null"
                    : Arrays.toString(real.shape())) + " and imag " + (imag == null ? "null"
                    : Arrays.toString(imag.shape())) + " parts must both be present with the same shape");
        }
    }
}
