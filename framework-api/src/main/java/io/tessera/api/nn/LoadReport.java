package io.tessera.api.nn;

import java.util.List;
import org.apiguardian.api.API;

/**
 * What {@link Module#loadStateDict} found when it matched a state dict against a model, by PyTorch-style name.
 *
 * @param missingKeys     entries the model has but the state dict lacks
 * @param unexpectedKeys  entries of the state dict the model does not have
 * @param shapeMismatches one line per entry present in both with different shapes:
 *                        {@code "conv1.weight: checkpoint [32, 1, 3, 3], model [16, 1, 3, 3]"}
 */
@API(status = API.Status.STABLE, since = "1.0")
public record LoadReport(List<String> missingKeys, List<String> unexpectedKeys, List<String> shapeMismatches) {

    public LoadReport {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
        shapeMismatches = List.copyOf(shapeMismatches);
    }

    /** Whether every entry matched. */
    public boolean isComplete() {
        return missingKeys.isEmpty() && unexpectedKeys.isEmpty() && shapeMismatches.isEmpty();
    }

    /** A multi-line description of every problem, or {@code "all keys matched"}. */
    public String describe() {
        if (isComplete()) {
            return "all keys matched";
        }
        StringBuilder sb = new StringBuilder();
        if (!missingKeys.isEmpty()) {
            sb.append("missing keys (in the model, not in the state dict): ").append(missingKeys).append('\n');
        }
        if (!unexpectedKeys.isEmpty()) {
            sb.append("unexpected keys (in the state dict, not in the model): ").append(unexpectedKeys).append('\n');
        }
        if (!shapeMismatches.isEmpty()) {
            sb.append("shape mismatches: ").append(String.join("; ", shapeMismatches)).append('\n');
        }
        return sb.toString().strip();
    }
}
