package io.tessera.api.nn;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * Weight initialisations with PyTorch's formulas ({@code torch.nn.init}). Each returns a new float32 tensor drawn
 * from the given {@link Generator}; the same seed gives the same tensor on every backend. Like any new tensor it
 * belongs to the current scope until {@link Module#registerParameter} (or
 * {@link io.tessera.api.tensor.Tensors#disown}) takes it out, so layers may be built inside a scope.
 *
 * <p>Fans follow {@code _calculate_fan_in_and_fan_out}: for a weight of shape {@code [d0, d1, k...]},
 * {@code fan_in = d1 * prod(k)} and {@code fan_out = d0 * prod(k)}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Init {
    private Init() {
    }

    /** {@code fan_in} of a weight shape (rank >= 2). */
    public static long fanIn(long[] shape) {
        checkRank(shape);
        return shape[1] * receptiveField(shape);
    }

    /** {@code fan_out} of a weight shape (rank >= 2). */
    public static long fanOut(long[] shape) {
        checkRank(shape);
        return shape[0] * receptiveField(shape);
    }

    private static long receptiveField(long[] shape) {
        long r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    private static void checkRank(long[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan in and fan out need a weight of rank >= 2, got rank "
                    + shape.length);
        }
    }

    /** The gain {@code torch.nn.init.calculate_gain} gives for leaky ReLU with negative slope {@code a}. */
    public static double leakyReluGain(double a) {
        return Math.sqrt(2.0 / (1 + a * a));
    }

    /** Uniform in {@code [-bound, bound)}. */
    public static Tensor uniform(TensorBackend backend, long[] shape, double bound, Generator gen) {
        return gen.uniform(backend, Shape.of(shape), -bound, bound);
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(TensorBackend backend, long[] shape, double mean, double std, Generator gen) {
        return gen.normal(backend, Shape.of(shape), mean, std);
    }

    /**
     * {@code kaiming_uniform_(w, a, mode='fan_in', nonlinearity='leaky_relu')}: uniform in {@code ±gain*sqrt(3/fan_in)}
     * with {@code gain = sqrt(2/(1+a^2))}. PyTorch's Linear and Conv layers use {@code a = sqrt(5)}, which gives
     * {@code ±1/sqrt(fan_in)}.
     */
    public static Tensor kaimingUniform(TensorBackend backend, long[] shape, double a, Generator gen) {
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn(shape));
        return uniform(backend, shape, bound, gen);
    }

    /** {@code kaiming_normal_(w, a, mode='fan_in')}: normal with {@code std = gain/sqrt(fan_in)}. */
    public static Tensor kaimingNormal(TensorBackend backend, long[] shape, double a, Generator gen) {
        return normal(backend, shape, 0, leakyReluGain(a) / Math.sqrt(fanIn(shape)), gen);
    }

    /** {@code xavier_uniform_(w, gain)}: uniform in {@code ±gain*sqrt(6/(fan_in+fan_out))}. */
    public static Tensor xavierUniform(TensorBackend backend, long[] shape, double gain, Generator gen) {
        return uniform(backend, shape, gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape))), gen);
    }

    /** {@code xavier_normal_(w, gain)}: normal with {@code std = gain*sqrt(2/(fan_in+fan_out))}. */
    public static Tensor xavierNormal(TensorBackend backend, long[] shape, double gain, Generator gen) {
        return normal(backend, shape, 0, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape))), gen);
    }

    /** The default weight of PyTorch's Linear and Conv layers: {@code kaiming_uniform_(w, a=sqrt(5))}. */
    public static Tensor defaultWeight(TensorBackend backend, long[] shape, Generator gen) {
        return kaimingUniform(backend, shape, Math.sqrt(5), gen);
    }

    /** The default bias of PyTorch's Linear and Conv layers: uniform in {@code ±1/sqrt(fan_in)}. */
    public static Tensor defaultBias(TensorBackend backend, long size, long fanIn, Generator gen) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(backend, new long[] {size}, bound, gen);
    }

    /** A generator with an unpredictable seed, for layers built without one (like PyTorch without a manual seed). */
    static Generator unseeded() {
        return new Generator(new java.util.SplittableRandom().nextLong());
    }
}
