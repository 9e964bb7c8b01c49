package io.tessera.api.nn;

import java.util.Arrays;

/** Argument checks shared by the layers. */
final class NnChecks {
    private NnChecks() {
    }

    static int[] pair(String name, int[] v, int min) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(name + " must have 2 values [H, W], got " + Arrays.toString(v));
        }
        for (int x : v) {
            if (x < min) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(v) + " must be >= " + min);
            }
        }
        return v.clone();
    }

    static double probability(String layer, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(layer + ": probability " + p + " must be in [0, 1]");
        }
        return p;
    }
}
