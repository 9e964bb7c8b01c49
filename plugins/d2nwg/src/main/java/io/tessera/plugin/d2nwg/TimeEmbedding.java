package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * The sinusoidal timestep embedding (spec §5, {@code timestep_embedding}): {@code [cos(t·f_k), sin(t·f_k)]} with
 * {@code f_k = exp(−ln(10000)·k/half)}, {@code k = 0..half−1}, and a zero column appended when the size is odd.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TimeEmbedding {
    private TimeEmbedding() {
    }

    /** The embeddings of timesteps {@code t}, row-major {@code (t.length, dim)}, in float64. */
    public static double[] values(long[] t, int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("time embedding size must be >= 1, got " + dim);
        }
        int half = dim / 2;
        double[] out = new double[t.length * dim];
        for (int i = 0; i < t.length; i++) {
            for (int k = 0; k < half; k++) {
                double arg = t[i] * Math.exp(-Math.log(10000) * k / half);
                out[i * dim + k] = Math.cos(arg);
                out[i * dim + half + k] = Math.sin(arg);
            }
        }
        return out;
    }

    /** The embeddings as a {@code (t.length, dim)} tensor of {@code dtype}. */
    public static Tensor of(TensorBackend backend, long[] t, int dim, DType dtype) {
        Tensor e = backend.tensor(values(t, dim), t.length, dim);
        if (dtype == DType.FLOAT64) {
            return e;
        }
        try (e) {
            return e.to(dtype);
        }
    }
}
