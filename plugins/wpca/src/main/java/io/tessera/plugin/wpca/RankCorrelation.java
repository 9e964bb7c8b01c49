package io.tessera.plugin.wpca;

import java.util.Arrays;
import java.util.Comparator;
import org.apiguardian.api.API;

/**
 * Rank correlations of a proxy with trained accuracy, with ties handled as scipy does: Kendall's τ-b
 * ({@code scipy.stats.kendalltau}) and Spearman's ρ (Pearson correlation of average ranks).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class RankCorrelation {
    private RankCorrelation() {
    }

    /** Kendall's τ-b: {@code (C - D) / sqrt((n0 - n1)(n0 - n2))}; NaN when either side is constant. */
    public static double kendallTauB(double[] x, double[] y) {
        check(x, y);
        int n = x.length;
        long concordantMinusDiscordant = 0;
        long tiesX = 0;
        long tiesY = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int sx = Double.compare(x[i], x[j]);
                int sy = Double.compare(y[i], y[j]);
                pairs++;
                if (sx == 0) {
                    tiesX++;
                }
                if (sy == 0) {
                    tiesY++;
                }
                concordantMinusDiscordant += (long) Integer.signum(sx) * Integer.signum(sy);
            }
        }
        double denom = Math.sqrt((double) (pairs - tiesX) * (double) (pairs - tiesY));
        return denom == 0 ? Double.NaN : concordantMinusDiscordant / denom;
    }

    /** Spearman's ρ with average ranks for ties; NaN when either side is constant. */
    public static double spearmanRho(double[] x, double[] y) {
        check(x, y);
        return pearson(averageRanks(x), averageRanks(y));
    }

    /** Ranks from 1, ties getting the mean of the ranks they span. */
    public static double[] averageRanks(double[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && Double.compare(v[idx[j + 1]], v[idx[i]]) == 0) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    private static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        double d = Math.sqrt(saa * sbb);
        return d == 0 ? Double.NaN : sab / d;
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("rank correlation: needs two equally long samples of at least 2 values,"
                    + " got " + x.length + " and " + y.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i]) || Double.isNaN(y[i])) {
                throw new IllegalArgumentException("rank correlation: value " + i + " is NaN");
            }
        }
    }
}
