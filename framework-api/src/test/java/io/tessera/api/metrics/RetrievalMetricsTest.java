package io.tessera.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {

    @Test
    void recallAtKCountsQueriesWithACorrectNeighbourAmongTheTopK() {
        // Two tight clusters on the axes and one item of class 0 placed in class 1's cluster.
        float[][] e = {{1, 0}, {0.9f, 0.1f}, {0, 1}, {0.1f, 0.9f}, {0.05f, 1}};
        int[] labels = {0, 0, 1, 1, 0};
        double[] r = RetrievalMetrics.recallAtK(e, labels, 1, 2, 4);
        // nearest neighbours (self excluded): 0->1 ok, 1->0 ok, 2->4 wrong then 3 ok, 3->4? (0.1,0.9)·(0.05,1) is
        // closest -> wrong then 2 ok, 4->2 wrong, 3 wrong, then 1 ok at rank 2
        assertThat(r[0]).isEqualTo(2 / 5.0);
        assertThat(r[1]).isEqualTo(4 / 5.0);
        assertThat(r[2]).isEqualTo(1.0);
    }

    @Test
    void anItemNeverRetrievesItself() {
        float[][] e = {{1, 0}, {0, 1}};
        assertThat(RetrievalMetrics.recallAtK(e, new int[] {0, 1}, 1)[0]).isZero();
    }

    @Test
    void separateGalleryIsSearchedWhole() {
        float[][] q = {{1, 0}};
        float[][] g = {{1, 0}, {0, 1}};
        assertThat(RetrievalMetrics.recallAtK(q, new int[] {1}, g, new int[] {0, 1}, false, 1, 2))
                .containsExactly(0.0, 1.0);
    }

    @Test
    void rejectsKBelowOne() {
        assertThatThrownBy(() -> RetrievalMetrics.recallAtK(new float[][] {{1}}, new int[] {0}, 0))
                .hasMessageContaining("K must be >= 1");
    }

    @Test
    void scoreMatrixRanksEachRowAndCountsLabelHits() {
        // query 0 (label 7): best items 2 (label 5), then 0 (label 7) -> hit at K = 2; query 1 (label 5): item 2 first
        double[][] scores = {{0.5, 0.1, 0.9}, {0.2, 0.3, 0.8}};
        assertThat(RetrievalMetrics.recallAtK(scores, new int[] {7, 5}, new int[] {7, 1, 5}, 1, 2))
                .containsExactly(0.5, 1.0);
        assertThatThrownBy(() -> RetrievalMetrics.recallAtK(new double[][] {{1, 2}}, new int[] {0}, new int[] {0}, 1))
                .hasMessageContaining("score row 0 has 2 entries for 1 gallery labels");
    }
}
