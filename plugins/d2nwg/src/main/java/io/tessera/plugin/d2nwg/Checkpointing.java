package io.tessera.plugin.d2nwg;

import io.tessera.api.io.RawTensor;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.Optimizer;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints of the VAE and diffusion training steps: the trained modules' state dicts, the optimizer's state and
 * a few named numbers (optimizer step, scale factor). Randomness is drawn from per-step seeds, so a resumed run
 * continues exactly as an uninterrupted one.
 */
final class Checkpointing {
    private Checkpointing() {
    }

    static void save(StepContext ctx, long step, Map<String, Module> modules, Optimizer opt,
            Map<String, Double> numbers) throws IOException {
        ctx.checkpoints().save(step, dir -> {
            for (Map.Entry<String, Module> e : modules.entrySet()) {
                e.getValue().save(dir.resolve(e.getKey() + ".safetensors"));
            }
            Optimizer.State s = opt.state();
            Map<String, RawTensor> raw = new LinkedHashMap<>(TensorWeights.toRaw(s.tensors()));
            s.counters().forEach((k, v) -> raw.put("counter." + k, RawTensor.ofLongs(new long[] {v.length}, v)));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("learning_rate", Double.toString(s.learningRate()));
            numbers.forEach((k, v) -> meta.put("number." + k, Double.toString(v)));
            Safetensors.write(dir.resolve("optimizer.safetensors"), raw, meta);
        });
    }

    /** Restores the newest checkpoint, if any, and returns its numbers. */
    static Optional<Map<String, Double>> restore(StepContext ctx, Map<String, Module> modules, Optimizer opt)
            throws IOException {
        Optional<Path> last = ctx.checkpoints().latest();
        if (last.isEmpty()) {
            return Optional.empty();
        }
        Path dir = last.get();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            e.getValue().load(dir.resolve(e.getKey() + ".safetensors"), true);
        }
        SafetensorsFile f = Safetensors.read(dir.resolve("optimizer.safetensors"));
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> counters = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith("counter.")) {
                counters.put(k.substring("counter.".length()), v.toLongArray());
            } else {
                tensors.put(k, v);
            }
        });
        double lr = Double.parseDouble(f.metadata().getOrDefault("learning_rate", Double.toString(opt.learningRate())));
        try (TensorScope scope = Tensors.scope()) {
            opt.loadState(new Optimizer.State(TensorWeights.toTensors(opt.parameters().get(0).backend(), tensors),
                    counters, lr));
        }
        Map<String, Double> numbers = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> {
            if (k.startsWith("number.")) {
                numbers.put(k.substring("number.".length()), Double.parseDouble(v));
            }
        });
        return Optional.of(numbers);
    }
}
