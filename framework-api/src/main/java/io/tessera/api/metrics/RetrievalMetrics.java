package io.tessera.api.metrics;

import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Retrieval metrics over embeddings: Recall@K as used in deep metric learning (CUB-200, Cars-196, SOP): the fraction
 * of queries for which at least one of the {@code K} nearest gallery items (cosine similarity) has the query's label.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class RetrievalMetrics {

    private RetrievalMetrics() {
    }

    /**
     * Recall@K for each {@code k} when the queries are also the gallery (leave-one-out: an item never retrieves
     * itself), the usual protocol of CUB and Cars.
     *
     * @param embeddings one row per item (need not be normalised)
     * @param labels     the class of each item
     * @param ks         the K values, each {@code >= 1}
     * @return Recall@K per entry of {@code ks}, in [0, 1]
     */
    public static double[] recallAtK(float[][] embeddings, int[] labels, int... ks) {
        return recallAtK(embeddings, labels, embeddings, labels, true, ks);
    }

    /**
     * Recall@K of {@code queries} against a separate {@code gallery} (e.g. In-Shop); with {@code excludeSelf}, item
     * {@code i} of the gallery is skipped for query {@code i} (the gallery is the query set).
     */
    public static double[] recallAtK(float[][] queries, int[] queryLabels, float[][] gallery, int[] galleryLabels,
            boolean excludeSelf, int... ks) {
        if (queries.length != queryLabels.length || gallery.length != galleryLabels.length) {
            throw new IllegalArgumentException("every embedding needs one label: " + queries.length + " queries / "
                    + queryLabels.length + " labels, " + gallery.length + " gallery items / " + galleryLabels.length
                    + " labels");
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("give at least one K");
        }
        int maxK = 0;
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("K must be >= 1, was " + k);
            }
            maxK = Math.max(maxK, k);
        }
        float[][] q = normalised(queries);
        float[][] g = normalised(gallery);
        long[] hits = new long[ks.length];
        for (int i = 0; i < q.length; i++) {
            // The rank of the first correct gallery item: the recall at K counts it when rank < K.
            int firstCorrect = firstCorrectRank(q[i], queryLabels[i], g, galleryLabels, excludeSelf ? i : -1, maxK);
            for (int j = 0; j < ks.length; j++) {
                if (firstCorrect < ks[j]) {
                    hits[j]++;
                }
            }
        }
        double[] out = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            out[j] = q.length == 0 ? Double.NaN : hits[j] / (double) q.length;
        }
        return out;
    }

    /**
     * Recall@K from a score matrix, for models that score (query, item) pairs directly (cross-encoders, or
     * dual encoders with their own similarity): row {@code i} of {@code scores} holds query {@code i}'s score of every
     * gallery item, higher is better, and a query is a hit at K when one of its K best-scored items has its label
     * (ties keep gallery order).
     *
     * @param scores        {@code [queries][gallery]}, finite
     * @param queryLabels   the label of each query
     * @param galleryLabels the label of each gallery item
     * @param ks            the K values, each {@code >= 1}
     * @return Recall@K per entry of {@code ks}, in [0, 1]
     */
    public static double[] recallAtK(double[][] scores, int[] queryLabels, int[] galleryLabels, int... ks) {
        if (scores.length != queryLabels.length) {
            throw new IllegalArgumentException("every query needs one label: " + scores.length + " score rows / "
                    + queryLabels.length + " labels");
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("give at least one K");
        }
        int maxK = 0;
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("K must be >= 1, was " + k);
            }
            maxK = Math.max(maxK, k);
        }
        long[] hits = new long[ks.length];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i].length != galleryLabels.length) {
                throw new IllegalArgumentException("score row " + i + " has " + scores[i].length + " entries for "
                        + galleryLabels.length + " gallery labels");
            }
            int firstCorrect = firstCorrectRank(scores[i].clone(), queryLabels[i], galleryLabels, -1, maxK);
            for (int j = 0; j < ks.length; j++) {
                if (firstCorrect < ks[j]) {
                    hits[j]++;
                }
            }
        }
        double[] out = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            out[j] = scores.length == 0 ? Double.NaN : hits[j] / (double) scores.length;
        }
        return out;
    }

    /** The rank (0-based) of the best-ranked correct item among the top {@code maxK}, or {@code maxK} if none. */
    private static int firstCorrectRank(float[] query, int label, float[][] gallery, int[] galleryLabels, int skip,
            int maxK) {
        int n = gallery.length;
        double[] sims = new double[n];
        for (int j = 0; j < n; j++) {
            sims[j] = dot(query, gallery[j]);
        }
        return firstCorrectRank(sims, label, galleryLabels, skip, maxK);
    }

    /** The same from similarities {@code sims} (modified: the skipped item's becomes -inf). */
    private static int firstCorrectRank(double[] sims, int label, int[] galleryLabels, int skip, int maxK) {
        int n = sims.length;
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            if (j == skip) {
                sims[j] = Double.NEGATIVE_INFINITY;
            }
        }
        // Stable sort by similarity, descending: ties keep gallery order, so results never depend on chance.
        Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
        int limit = Math.min(maxK, n - (skip >= 0 && skip < n ? 1 : 0));
        for (int r = 0; r < limit; r++) {
            if (galleryLabels[order[r]] == label) {
                return r;
            }
        }
        return maxK;
    }

    private static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding sizes differ: " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * (double) b[i];
        }
        return s;
    }

    private static float[][] normalised(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double norm = 0;
            for (float v : rows[i]) {
                norm += v * (double) v;
            }
            double inv = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            out[i] = new float[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = (float) (rows[i][j] * inv);
            }
        }
        return out;
    }
}
