package io.tessera.testkit.golden;

import org.apiguardian.api.API;

/**
 * An elementwise closeness rule {@code |actual - expected| <= atol + rtol * |expected|}, as in the golden manifests.
 *
 * @param rtol relative tolerance
 * @param atol absolute tolerance
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Tolerance(double rtol, double atol) {

    /**
     * Checks every element and throws an {@link AssertionError} naming {@code what}, the first offending index,
     * both values and the worst error when any element is out of tolerance (NaN never passes unless both are NaN).
     */
    public void check(String what, float[] actual, float[] expected) {
        double[] a = new double[actual.length];
        double[] e = new double[expected.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i];
        }
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        check(what, a, e);
    }

    /** {@link #check(String, float[], float[])} for doubles (equal infinities pass, as equal NaNs do). */
    public void check(String what, double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": expected " + expected.length + " elements but got " + actual.length);
        }
        int firstBad = -1;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i];
            double e = expected[i];
            if (Double.isNaN(a) && Double.isNaN(e) || a == e) {
                continue;
            }
            double err = Math.abs(a - e);
            boolean ok = err <= atol + rtol * Math.abs(e);
            if (!ok || Double.isNaN(err)) {
                if (firstBad < 0) {
                    firstBad = i;
                }
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                if (excess > worst || worstAt < 0) {
                    worst = excess;
                    worstAt = i;
                }
            }
        }
        if (firstBad >= 0) {
            throw new AssertionError(String.format(
                    "%s: element %d is %s, expected %s (rtol=%g, atol=%g); worst |error| %g at element %d (%s vs %s)",
                    what, firstBad, actual[firstBad], expected[firstBad], rtol, atol, worst, worstAt,
                    actual[worstAt], expected[worstAt]));
        }
    }

    /** Checks integer or boolean data for exact equality. */
    public static void checkExact(String what, long[] actual, long[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": expected " + expected.length + " elements but got " + actual.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != expected[i]) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }
}
