package io.tessera.training;

import io.tessera.api.io.RawTensor;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a {@link Trainer} checkpoint folder: {@code model.safetensors} (the state dict),
 * {@code optimizer.safetensors} (the optimizer's tensors, counters and learning rate) and {@code progress.safetensors}
 * (position counters, the running sums of the epoch, the history as a {@code [epochs, keys]} float64 table and the
 * loss curve), all plain safetensors so that any tool can read them.
 */
final class TrainingCheckpoint {
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String PROGRESS = "progress.safetensors";
    private static final List<String> COUNTERS = List.of("epoch", "batch", "step", "seen", "train_nanos",
            "timed_examples");

    private TrainingCheckpoint() {
    }

    static void save(Path dir, Trainer<?>.Run run) throws IOException {
        run.model().save(dir.resolve(MODEL));
        Optimizer.State s = run.optimizer.state();
        Map<String, RawTensor> raw = new LinkedHashMap<>(TensorWeights.toRaw(s.tensors()));
        s.counters().forEach((k, v) -> raw.put("counter." + k, RawTensor.ofLongs(new long[] {v.length}, v)));
        Safetensors.write(dir.resolve(OPTIMIZER), raw, Map.of("learning_rate", Double.toString(s.learningRate())));

        Map<String, RawTensor> t = new LinkedHashMap<>();
        long[] counters = {run.epoch, run.batch, run.step, run.seen, run.trainNanos, run.timedExamples};
        t.put("counters", RawTensor.ofLongs(new long[] {counters.length}, counters));
        t.put("sums", RawTensor.ofDoubles(new long[] {run.sums.length}, run.sums.clone()));
        List<String> keys = run.history.isEmpty() ? List.of() : List.copyOf(run.history.get(0).keySet());
        double[] h = new double[run.history.size() * keys.size()];
        for (int e = 0; e < run.history.size(); e++) {
            for (int k = 0; k < keys.size(); k++) {
                h[e * keys.size() + k] = run.history.get(e).get(keys.get(k));
            }
        }
        t.put("history", RawTensor.ofDoubles(new long[] {run.history.size(), keys.size()}, h));
        long[] steps = new long[run.curve.size()];
        double[] losses = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = run.curve.get(i).step();
            losses[i] = run.curve.get(i).loss();
        }
        t.put("loss_curve.step", RawTensor.ofLongs(new long[] {steps.length}, steps));
        t.put("loss_curve.loss", RawTensor.ofDoubles(new long[] {losses.length}, losses));
        Safetensors.write(dir.resolve(PROGRESS), t, Map.of("counters", String.join(",", COUNTERS),
                "sums", String.join(",", run.sumNames()), "history_keys", String.join(",", keys)));
    }

    @SuppressWarnings("try") // scopes act by their extent
    static void restore(Path dir, Trainer<?>.Run run, TensorBackend backend) throws IOException {
        Path progress = dir.resolve(PROGRESS);
        SafetensorsFile st = Safetensors.read(progress);
        List<String> names = List.of(st.metadata().getOrDefault("counters", "").split(","));
        List<String> sumNames = List.of(st.metadata().getOrDefault("sums", "").split(","));
        if (!names.equals(COUNTERS) || !sumNames.equals(run.sumNames())) {
            throw new IOException(progress + ": the counters " + names + " and sums " + sumNames + " are not those"
                    + " this training writes (" + COUNTERS + ", " + run.sumNames() + "); start a new run instead of"
                    + " resuming");
        }
        run.model().load(dir.resolve(MODEL), true);
        SafetensorsFile f = Safetensors.read(dir.resolve(OPTIMIZER));
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> counters = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith("counter.")) {
                counters.put(k.substring("counter.".length()), v.toLongArray());
            } else {
                tensors.put(k, v);
            }
        });
        double lr = Double.parseDouble(f.metadata().getOrDefault("learning_rate",
                Double.toString(run.optimizer.learningRate())));
        try (TensorScope scope = Tensors.scope()) {
            run.optimizer.loadState(new Optimizer.State(TensorWeights.toTensors(backend, tensors), counters, lr));
        }
        long[] c = st.tensor("counters").toLongArray();
        run.epoch = Math.toIntExact(c[0]);
        run.batch = Math.toIntExact(c[1]);
        run.step = c[2];
        run.seen = c[3];
        run.trainNanos = c[4];
        run.timedExamples = c[5];
        double[] sums = st.tensor("sums").toDoubleArray();
        System.arraycopy(sums, 0, run.sums, 0, run.sums.length);
        String keyList = st.metadata().getOrDefault("history_keys", "");
        List<String> keys = keyList.isEmpty() ? List.of() : List.of(keyList.split(","));
        double[] h = st.tensor("history").toDoubleArray();
        int epochs = keys.isEmpty() ? 0 : h.length / keys.size();
        run.history.clear();
        for (int e = 0; e < epochs; e++) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (int k = 0; k < keys.size(); k++) {
                row.put(keys.get(k), h[e * keys.size() + k]);
            }
            run.history.add(row);
        }
        long[] steps = st.tensor("loss_curve.step").toLongArray();
        double[] losses = st.tensor("loss_curve.loss").toDoubleArray();
        run.curve.clear();
        for (int i = 0; i < steps.length; i++) {
            run.curve.add(new TrainingState.LossPoint(steps[i], losses[i]));
        }
        if (run.batch > run.perEpoch) {
            throw new IOException(progress + ": the checkpoint stands at batch " + run.batch + " of an epoch, but"
                    + " epochs now have " + run.perEpoch + " batches; resume with the batch size and max_batches of"
                    + " the original run, or start a new run");
        }
    }
}
