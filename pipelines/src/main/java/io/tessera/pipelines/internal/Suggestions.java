package io.tessera.pipelines.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt names: the closest candidate by edit distance, if close enough to be a typo. */
final class Suggestions {
    private Suggestions() {
    }

    /** The closest candidate to {@code given}, if it is plausibly a typo of it. */
    static Optional<String> closest(String given, Collection<String> candidates) {
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String lc = c.toLowerCase(Locale.ROOT);
            int d = distance(g, lc);
            // 'train' for 'core/train', 'idx' for 'datasets/idx': the part after the slash, typed alone.
            int slash = lc.indexOf('/');
            if (slash >= 0 && g.indexOf('/') < 0) {
                d = Math.min(d, distance(g, lc.substring(slash + 1)) + 1);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        // Short names get one edit at most, and a suggestion never replaces the whole word ('c' is no typo of 'a').
        int allowed = g.length() <= 3 ? 1 : Math.max(2, Math.min(g.length(), best.length()) / 3);
        return bestDistance <= allowed && bestDistance < g.length() ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean 'x'?)"} or empty. */
    static String hint(String given, Collection<String> candidates) {
        return closest(given, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Damerau-Levenshtein (optimal string alignment): insertions, deletions, substitutions, swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
