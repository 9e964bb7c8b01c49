package io.tessera.plugin.wpca;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Test accuracy of trained candidates ({@code wpca/train-candidates}; one shard of the candidates).
 *
 * @param space       the search space
 * @param indices     candidate indices (into the step's input {@link Candidates}) of this shard
 * @param labels      their labels
 * @param accuracy    {@code [candidate][seed]} test accuracy
 * @param seconds     {@code [candidate][seed]} training and test wall time
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainedAccuracy(SearchSpace space, List<Integer> indices, List<String> labels, double[][] accuracy,
        double[][] seconds) {

    /** Mean accuracy over seeds of the candidate at position {@code i} of this shard. */
    public double mean(int i) {
        double s = 0;
        for (double a : accuracy[i]) {
            s += a;
        }
        return s / accuracy[i].length;
    }

    /** Mean training seconds per (candidate, seed). */
    public double meanSeconds() {
        double s = 0;
        int n = 0;
        for (double[] row : seconds) {
            for (double v : row) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
