package io.tessera.training;

import java.util.Locale;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Reports the progress of the current epoch after every optimizer step: examples seen of the epoch's total and a
 * status such as {@code epoch 2/3 loss 0.4121}. A pipeline step passes {@code StepContext::progress}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ProgressListener implements TrainingListener {

    /** Receives progress reports. */
    @FunctionalInterface
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public interface Sink {
        /** {@code done} of {@code total} units, with a short status. */
        void progress(long done, long total, String message);
    }

    private final Sink sink;

    public ProgressListener(Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void onBatchEnd(TrainingState state, double loss) {
        sink.progress(state.seen(), state.examplesPerEpoch(), String.format(Locale.ROOT, "epoch %d/%d loss %.4f",
                state.epoch() + 1, state.epochs(), loss));
    }
}
