package io.tessera.plugin.wpca;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Architectures of one search space, passed between the W-PCA steps ({@code wpca/sample} and {@code wpca/search}
 * produce them; {@code wpca/score} and {@code wpca/train-candidates} consume them).
 *
 * @param space         the search space
 * @param architectures the candidates, in order
 * @param labels        one label per candidate ({@code c07}, {@code ga-best})
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record Candidates(SearchSpace space, List<Architecture> architectures, List<String> labels) {
    public Candidates {
        architectures = List.copyOf(architectures);
        labels = List.copyOf(labels);
        if (labels.size() != architectures.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + architectures.size()
                    + " candidates");
        }
    }

    /** Number of candidates. */
    public int size() {
        return architectures.size();
    }
}
