package io.tessera.plugin.d2nwg;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Weight vectorisation (spec §2, docs/methods/d2nwg.md §2): a model's parameters, in state-dict order, each flattened
 * row-major, concatenated into one vector and right-padded with zeros to {@code D_in}; for large models the vector is
 * split into fixed-size chunks, the last one zero-padded, each chunk a separate VAE sample. For an MLP of
 * {@code Linear} layers this is the spec layout {@code concat_i(W_i.flatten(), b_i)}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class WeightVectors {
    private WeightVectors() {
    }

    /** The number of values a model's parameters hold (the unpadded vector length). */
    public static int length(Module model) {
        long n = 0;
        for (Tensor p : model.namedParameters().values()) {
            n += p.numel();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the model holds " + n + " parameters, more than one vector can hold;"
                    + " vectorise it chunk-wise (chunks)");
        }
        return (int) n;
    }

    /** The model's parameters as one vector (state-dict order, row-major), unpadded. */
    public static double[] flatten(Module model) {
        double[] out = new double[length(model)];
        int at = 0;
        for (Tensor p : model.namedParameters().values()) {
            double[] v = p.toDoubleArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** {@link #flatten} right-padded with zeros to {@code dIn}. */
    public static double[] flatten(Module model, int dIn) {
        return pad(flatten(model), dIn);
    }

    /** {@code v} right-padded with zeros to {@code dIn}; a vector of length {@code dIn} is copied unchanged. */
    public static double[] pad(double[] v, int dIn) {
        if (v.length > dIn) {
            throw new IllegalArgumentException("a weight vector of " + v.length + " values does not fit D_in = " + dIn
                    + "; raise D_in (max_len) to at least " + v.length + " or vectorise chunk-wise");
        }
        return Arrays.copyOf(v, dIn);
    }

    /**
     * Splits {@code v} into {@code ceil(n/size)} rows of {@code size} values, the last one zero-padded (spec §2,
     * chunk-wise vectorisation).
     */
    public static double[][] chunks(double[] v, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + size);
        }
        int rows = (v.length + size - 1) / size;
        double[][] out = new double[rows][size];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(v, r * size, out[r], 0, Math.min(size, v.length - r * size));
        }
        return out;
    }

    /** The inverse of {@link #chunks}: the first {@code n} values of the concatenated rows. */
    public static double[] unchunk(double[][] chunks, int n) {
        double[] out = new double[n];
        int at = 0;
        for (double[] c : chunks) {
            int take = Math.min(c.length, n - at);
            if (take <= 0) {
                break;
            }
            System.arraycopy(c, 0, out, at, take);
            at += take;
        }
        if (at < n) {
            throw new IllegalArgumentException("the chunks hold " + at + " values, fewer than the " + n + " asked for");
        }
        return out;
    }

    /** The parameter tensors' values cut out of {@code v} (unpadded or padded), shaped like the model's parameters. */
    public static List<double[]> unflatten(Module model, double[] v) {
        int need = length(model);
        if (v.length < need) {
            throw new IllegalArgumentException("a weight vector of " + v.length + " values cannot fill a model of "
                    + need + " parameters (" + model.getClass().getSimpleName() + ")");
        }
        List<double[]> out = new ArrayList<>();
        int at = 0;
        for (Tensor p : model.namedParameters().values()) {
            int n = (int) p.numel();
            out.add(Arrays.copyOfRange(v, at, at + n));
            at += n;
        }
        return out;
    }

    /**
     * Loads a (generated) vector into the model's parameters in place: unpads it and copies each parameter's slice,
     * converting to the parameter's dtype (spec §5, last item).
     */
    public static void load(Module model, double[] v) {
        List<double[]> parts = unflatten(model, v);
        int i = 0;
        try (var ng = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                Tensor p = e.getValue();
                try (Tensor src = p.backend().tensor(parts.get(i++), p.dims()); Tensor cast = src.to(p.dtype())) {
                    p.copyFrom(cast);
                }
            }
        }
    }
}
