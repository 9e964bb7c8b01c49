package io.tessera.training;

import io.tessera.api.pipeline.Checkpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Saves a checkpoint ({@link TrainingState#save}) into a {@link Checkpoints} store every {@code every} optimizer steps
 * (0: never mid-epoch) and at every epoch end, labelled by the optimizer step, and offers the newest one to resume
 * from. A pipeline step passes its {@code StepContext.checkpoints()}, so a killed run resumes with
 * {@code tessera run FILE --resume RUN_DIR}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class CheckpointListener implements TrainingListener {
    private final Checkpoints store;
    private final int every;

    /**
     * @param store where checkpoints go and the newest comes from
     * @param every optimizer steps between mid-epoch checkpoints; 0 checkpoints at epoch ends only
     */
    public CheckpointListener(Checkpoints store, int every) {
        this.store = Objects.requireNonNull(store, "store");
        if (every < 0) {
            throw new IllegalArgumentException("every must be >= 0 (0: at epoch ends only), was " + every);
        }
        this.every = every;
    }

    @Override
    public Optional<Path> resumeFrom() {
        return store.latest();
    }

    @Override
    public void onBatchEnd(TrainingState state, double loss) throws IOException {
        // the epoch-end checkpoint follows right after the last batch, so it is not saved twice
        if (every > 0 && state.step() % every == 0 && state.batch() < state.batchesPerEpoch()) {
            store.save(state.step(), state::save);
        }
    }

    @Override
    public void onEpochEnd(TrainingState state, Map<String, Double> metrics) throws IOException {
        store.save(state.step(), state::save);
    }
}
