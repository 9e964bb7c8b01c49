package io.tessera.pipelines.internal;

import io.tessera.api.nn.Module;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.OneOf;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code core/export}: writes a model's weights as safetensors into the run folder's {@code weights/} (atomically),
 * with PyTorch-compatible names, so {@code safetensors.torch.load_file} reads them.
 */
final class ExportStep implements Step<ExportStep.Config> {

    /**
     * Configuration of {@code core/export}.
     *
     * @param file   the file name in the run's {@code weights/} folder
     * @param format the weight format
     */
    public record Config(@Description("file name in the run's weights/ folder") String file,
                         @Description("weight format") @OneOf({"safetensors"}) String format) {
        public Config {
            if (file == null || file.isBlank() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                throw new IllegalArgumentException("file must be a plain file name such as model.safetensors, was '"
                        + file + "'");
            }
        }
    }

    @Override
    public String name() {
        return "core/export";
    }

    @Override
    public String description() {
        return "writes a model's weights as safetensors into the run's weights/ folder";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config("model.safetensors", "safetensors");
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("model", Module.class, "the model whose weights to write"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("file", Path.class, "the weights file"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        Module model = in.get("model", Module.class);
        Path dir = ctx instanceof RunStepContext r ? r.runDirectory().resolve("weights") : ctx.workDirectory();
        java.nio.file.Files.createDirectories(dir);
        Path file = dir.resolve(c.file());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("exported_by", "tessera core/export, step " + ctx.stepName());
        model.save(file, metadata);
        ctx.metric("parameters", model.parameterCount());
        ctx.logger().log(System.Logger.Level.INFO, "wrote " + model.stateDict().size() + " tensors to " + file);
        return PortValues.of("file", file);
    }
}
