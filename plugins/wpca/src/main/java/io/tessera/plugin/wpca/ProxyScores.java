package io.tessera.plugin.wpca;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * The training-free proxies of a set of candidates ({@code wpca/score}).
 *
 * @param candidates      what was scored
 * @param values          proxy name → one value per candidate
 * @param secondsPerProxy proxy name → mean seconds per candidate
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ProxyScores(Candidates candidates, Map<String, double[]> values, Map<String, Double> secondsPerProxy) {
    public ProxyScores {
        values = new LinkedHashMap<>(values);
        secondsPerProxy = new LinkedHashMap<>(secondsPerProxy);
    }

    /** The proxy names, in order. */
    public List<String> proxies() {
        return List.copyOf(values.keySet());
    }
}
