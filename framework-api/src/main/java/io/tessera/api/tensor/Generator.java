package io.tessera.api.tensor;

import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * A seeded random number generator for tensors. It draws on the Java side (SplittableRandom), so a seed gives the
 * same numbers on every run, thread count and backend. Not thread-safe: give each thread its own generator
 * ({@link #split()}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Generator {
    private final SplittableRandom random;
    private double spareNormal = Double.NaN;

    /** A generator with an explicit seed. */
    public Generator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Generator(SplittableRandom random) {
        this.random = random;
    }

    /** An independent generator derived from this one (deterministic given this one's state). */
    public Generator split() {
        return new Generator(random.split());
    }

    /** A uniform double in {@code [0, 1)}. */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** A standard normal double (Box-Muller, deterministic). */
    public double nextGaussian() {
        if (!Double.isNaN(spareNormal)) {
            double v = spareNormal;
            spareNormal = Double.NaN;
            return v;
        }
        double u1;
        do {
            u1 = random.nextDouble();
        } while (u1 <= Double.MIN_NORMAL);
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** A uniform long in {@code [0, bound)}. */
    public long nextLong(long bound) {
        return random.nextLong(bound);
    }

    /** float32 values uniform in {@code [low, high)}. */
    public Tensor uniform(TensorBackend backend, Shape shape, double low, double high) {
        float[] v = new float[shape.intSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (low + (high - low) * random.nextDouble());
        }
        return backend.tensor(v, shape.dims());
    }

    /** float32 values from a normal distribution. */
    public Tensor normal(TensorBackend backend, Shape shape, double mean, double std) {
        float[] v = new float[shape.intSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * nextGaussian());
        }
        return backend.tensor(v, shape.dims());
    }

    /** A bool tensor, true with probability {@code p} (e.g. dropout keep masks). */
    public Tensor bernoulli(TensorBackend backend, Shape shape, double p) {
        boolean[] v = new boolean[shape.intSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextDouble() < p;
        }
        return backend.tensor(v, shape.dims());
    }

    /** A random permutation of {@code 0..n-1} as int64 (Fisher-Yates). */
    public Tensor permutation(TensorBackend backend, int n) {
        return backend.tensor(permutation(n), n);
    }

    /** A random permutation of {@code 0..n-1} as a Java array (Fisher-Yates). */
    public long[] permutation(int n) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
