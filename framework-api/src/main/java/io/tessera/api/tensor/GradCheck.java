package io.tessera.api.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * Compares autograd gradients with central finite differences, for tests:
 *
 * <pre>{@code
 * GradCheck.check(in -> in[0].tanh().mul(in[1]), x, y);   // x, y: leaves with requiresGrad(true)
 * }</pre>
 *
 * <p>The function's output may have any shape: the check uses the scalar {@code L = sum(f(inputs) * u)} with a
 * fixed pseudo-random upstream {@code u}, so every output element is exercised. Inputs are perturbed in place, one
 * element at a time, and restored. float64 inputs give tight checks (the defaults); float32 inputs need
 * {@link #eps(double)} around 1e-2 and tolerances around 1e-2.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GradCheck {
    private final Function<Tensor[], Tensor> function;
    private Double eps;
    private Double rtol;
    private Double atol;
    private long seed = 20240601L;

    private GradCheck(Function<Tensor[], Tensor> function) {
        this.function = function;
    }

    /** A checker for {@code function}. */
    public static GradCheck of(Function<Tensor[], Tensor> function) {
        return new GradCheck(function);
    }

    /** Checks with the default settings for the inputs' dtype; throws {@link AssertionError} on a mismatch. */
    public static void check(Function<Tensor[], Tensor> function, Tensor... inputs) {
        of(function).check(inputs);
    }

    /** The finite-difference step. */
    public GradCheck eps(double value) {
        this.eps = value;
        return this;
    }

    /** The tolerance {@code |analytic - numeric| <= atol + rtol |numeric|}. */
    public GradCheck tolerance(double rtol, double atol) {
        this.rtol = rtol;
        this.atol = atol;
        return this;
    }

    /** The seed of the upstream gradient. */
    public GradCheck seed(long value) {
        this.seed = value;
        return this;
    }

    /**
     * One compared gradient element.
     *
     * @param input    index of the input
     * @param element  flat index in that input
     * @param analytic the autograd value
     * @param numeric  the finite-difference value
     */
    public record Mismatch(int input, long element, double analytic, double numeric) {
    }

    /** Runs the check; throws {@link AssertionError} listing the worst mismatches. */
    public void check(Tensor... inputs) {
        List<Mismatch> bad = compare(inputs);
        if (!bad.isEmpty()) {
            StringBuilder sb = new StringBuilder("gradient check failed for " + bad.size() + " element(s):");
            for (Mismatch m : bad.subList(0, Math.min(10, bad.size()))) {
                sb.append(String.format("%n  input %d element %d: autograd %.8g, finite difference %.8g", m.input(),
                        m.element(), m.analytic(), m.numeric()));
            }
            throw new AssertionError(sb.toString());
        }
    }

    /** Runs the check and returns every element out of tolerance (empty when all agree). */
    public List<Mismatch> compare(Tensor... inputs) {
        boolean f64 = true;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].requiresGrad() && !inputs[i].isLeaf()) {
                throw new IllegalArgumentException("GradCheck: input " + i + " " + inputs[i].describe()
                        + " is the output of '" + inputs[i].gradOp() + "', not a leaf; pass leaf tensors made with"
                        + " requiresGrad(true) (use detach().requiresGrad(true))");
            }
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad() && t.dtype() != DType.FLOAT64) {
                f64 = false;
            }
        }
        double h = eps != null ? eps : f64 ? 1e-6 : 1e-2;
        double rt = rtol != null ? rtol : f64 ? 1e-4 : 2e-2;
        double at = atol != null ? atol : f64 ? 1e-6 : 2e-2;
        List<Mismatch> bad = new ArrayList<>();
        try (TensorScope scope = Tensors.scope()) {
            for (Tensor t : inputs) {
                if (t.requiresGrad()) {
                    t.zeroGrad();
                }
            }
            Tensor out = function.apply(inputs);
            Generator gen = new Generator(seed);
            Tensor u = gen.uniform(out.backend(), out.shape(), -1, 1).to(out.dtype());
            out.backward(u);
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                for (int i = 0; i < inputs.length; i++) {
                    Tensor x = inputs[i];
                    if (!x.requiresGrad()) {
                        continue;
                    }
                    double[] analytic = x.grad() == null ? new double[(int) x.numel()] : x.grad().toDoubleArray();
                    long[] strides = x.shape().strides();
                    for (long e = 0; e < x.numel(); e++) {
                        long[] idx = unflatten(e, strides, x.rank());
                        double orig = x.getDouble(idx);
                        x.set(orig + h, idx);
                        double plus = loss(inputs, u);
                        x.set(orig - h, idx);
                        double minus = loss(inputs, u);
                        x.set(orig, idx);
                        double numeric = (plus - minus) / (2 * h);
                        double a = analytic[(int) e];
                        if (!(Math.abs(a - numeric) <= at + rt * Math.abs(numeric))) {
                            bad.add(new Mismatch(i, e, a, numeric));
                        }
                    }
                }
            }
        }
        return bad;
    }

    private double loss(Tensor[] inputs, Tensor u) {
        try (TensorScope s = Tensors.scope()) {
            Tensor out = function.apply(inputs);
            double[] o = out.toDoubleArray();
            double[] w = u.toDoubleArray();
            double sum = 0;
            for (int i = 0; i < o.length; i++) {
                sum += o[i] * w[i];
            }
            return sum;
        }
    }

    private static long[] unflatten(long flat, long[] strides, int rank) {
        long[] idx = new long[rank];
        for (int d = 0; d < rank; d++) {
            idx[d] = flat / strides[d];
            flat %= strides[d];
        }
        return idx;
    }
}
