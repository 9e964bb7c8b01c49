package io.tessera.plugin.dcd;

import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * What a training step hands to {@code dcd/evaluate}: a label for the comparison, one model per seed, and the
 * training measurements (parameters, time per step) for the comparison table.
 *
 * @param label    the row name ({@code teacher}, {@code (a) hard labels}, ...)
 * @param models   one trained model per seed
 * @param seeds    the seeds, in the order of {@code models}
 * @param training training measurements
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainedModels(String label, List<RetrievalModel> models, List<Long> seeds, Map<String, Double> training) {
    public TrainedModels {
        models = List.copyOf(models);
        seeds = List.copyOf(seeds);
        training = Map.copyOf(training);
        if (models.isEmpty() || models.size() != seeds.size()) {
            throw new IllegalArgumentException("trained models need one seed per model, got " + models.size()
                    + " models and " + seeds.size() + " seeds");
        }
    }
}
