package io.tessera.training;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Stops training when an epoch metric has not improved for {@code patience} epochs
 * ({@link EarlyStopOptions}). Its state is a function of the epoch history, so a resumed run recomputes it from the
 * checkpoint's history and stops where the uninterrupted run stopped.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class EarlyStopping implements TrainingListener {
    private final EarlyStopOptions options;

    public EarlyStopping(EarlyStopOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public void onStart(TrainingState state) {
        check(state, state.history());
    }

    @Override
    public void onEpochEnd(TrainingState state, Map<String, Double> metrics) {
        check(state, state.history());
    }

    private void check(TrainingState state, List<Map<String, Double>> history) {
        if (!options.enabled() || history.isEmpty()) {
            return;
        }
        double best = Double.NaN;
        int bestEpoch = 0;
        for (int e = 0; e < history.size(); e++) {
            Double v = history.get(e).get(options.metric());
            if (v == null) {
                throw new IllegalArgumentException("early stopping watches '" + options.metric() + "', but the"
                        + " epochs report " + history.get(e).keySet() + "; watch one of those (a val_ metric needs a"
                        + " validation set)");
            }
            if (e == 0 || improves(v, best)) {
                best = v;
                bestEpoch = e + 1;
            }
        }
        int since = history.size() - bestEpoch;
        if (since >= options.patience()) {
            state.requestStop(String.format(Locale.ROOT, "%s has not improved on %.6g (epoch %d) for %d epochs",
                    options.metric(), best, bestEpoch, since));
        }
    }

    private boolean improves(double v, double best) {
        return options.goal() == EarlyStopOptions.Goal.MIN ? v < best - options.minDelta()
                : v > best + options.minDelta();
    }
}
