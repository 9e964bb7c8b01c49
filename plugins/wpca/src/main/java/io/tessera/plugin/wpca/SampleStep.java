package io.tessera.plugin.wpca;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code wpca/sample}: the search space over a dataset's image rows and {@code count} distinct legal
 * candidates drawn uniformly from it (the ranking experiment's sample, spec §6). Writes {@code candidates.json}.
 *
 * <pre>{@code
 * sample:
 *   uses: wpca/sample
 *   with: { count: 40, param_cap: 35000 }
 *   inputs: { train: data.train }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class SampleStep implements Step<SampleStep.Config> {

    /**
     * Configuration of {@code wpca/sample}.
     *
     * @param count     candidates to draw
     * @param seed      sampling seed; -1 derives it from the pipeline seed
     * @param hidden    model width
     * @param heads     attention heads
     * @param minLayers fewest layers
     * @param maxLayers layer slots
     * @param widths    FFN widths
     * @param paramCap  largest encoder parameter count
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(
            @Description("candidates to draw (distinct networks, each legal)") @Range(min = 2, max = 10_000) int count,
            @Description("sampling seed; -1 derives it from the pipeline seed") @Range(min = -1) long seed,
            @Description("model width (even; hidden/2 divisible by heads)") @Range(min = 2, max = 4096) int hidden,
            @Description("attention heads") @Range(min = 1, max = 64) int heads,
            @Description("fewest layers of a legal candidate") @Range(min = 1, max = 64) int minLayers,
            @Description("layer slots (a slot may be empty)") @Range(min = 1, max = 64) int maxLayers,
            @Description("FFN inner widths of the blocks") List<Integer> widths,
            @Description("largest legal encoder parameter count (the official max_params)") @Range(min = 1)
            long paramCap) {
        public Config {
            widths = List.copyOf(widths);
        }
    }

    @Override
    public String name() {
        return "wpca/sample";
    }

    @Override
    public String description() {
        return "draws distinct legal candidate encoders from the W-PCA search space over a dataset's image rows";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        SearchSpace s = SearchSpace.fashionRows();
        return new Config(40, -1, s.hidden(), s.heads(), s.minLayers(), s.maxLayers(), s.widths(), s.paramCap());
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("train", ImageDataset.class, "single-channel images; each row is a token"));
    }

    @Override
    public List<Port> outputs() {
        return List.of(Port.of("candidates", Candidates.class, "the sampled candidates and their search space"),
                Port.of("space", SearchSpace.class, "the search space"));
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        SearchSpace space = StepIo.space(in.get("train", ImageDataset.class), c.hidden(), c.heads(), c.minLayers(),
                c.maxLayers(), c.widths(), c.paramCap());
        Candidates cands = sample(space, c.count(), c.seed() >= 0 ? c.seed() : ctx.seed());
        StringBuilder json = new StringBuilder("{\n \"space\": ").append(StepIo.str(space.toString()))
                .append(",\n \"candidates\": [\n");
        for (int i = 0; i < cands.size(); i++) {
            Architecture a = cands.architectures().get(i);
            json.append("  {\"label\": ").append(StepIo.str(cands.labels().get(i))).append(", \"name\": ")
                    .append(StepIo.str(a.name())).append(", \"genes\": ").append(a.genes()).append(", \"params\": ")
                    .append(space.params(a)).append('}').append(i + 1 < cands.size() ? ",\n" : "\n");
        }
        StepIo.write(ctx.workDirectory().resolve("candidates.json"), json.append(" ]\n}\n").toString());
        ctx.metric("candidates", cands.size());
        return PortValues.of("candidates", cands, "space", space);
    }

    /** {@code count} distinct (by network) legal candidates, uniformly drawn. */
    public static Candidates sample(SearchSpace space, int count, long seed) {
        Random r = new Random(seed);
        Set<String> seen = new HashSet<>();
        List<Architecture> out = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int tries = 0;
        while (out.size() < count) {
            if (++tries > 1_000_000) {
                throw new IllegalArgumentException("only " + out.size() + " distinct legal candidates found; lower"
                        + " count or raise param_cap");
            }
            Architecture a = space.decode(space.randomGenes(r, 0, space.skip()));
            if (space.isLegal(a) && seen.add(a.name())) {
                out.add(a);
                labels.add(String.format(Locale.ROOT, "c%02d", out.size() - 1));
            }
        }
        return new Candidates(space, out, labels);
    }
}
