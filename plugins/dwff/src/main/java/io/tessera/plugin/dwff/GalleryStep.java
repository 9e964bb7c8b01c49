package io.tessera.plugin.dwff;

import io.tessera.api.pipeline.Description;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Range;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Pipeline step {@code dwff/gallery}: draws a few test scenes for the report ({@code test-scenes.png}, one row per
 * scene: the input, the ground truth, then each variant's prediction with its fusion weights as bars underneath) and
 * records the fusion weights per image ({@code fusion-weights.json} and metrics
 * {@code fusion_weight/<variant>/scene<i>/level<layer>}, plus each weighted variant's test-set mean per level).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class GalleryStep implements Step<GalleryStep.Config> {
    private static final int BAR_HEIGHT = 24;
    private static final int GAP = 4;
    /** Label colours: background black, then distinct hues. */
    private static final int[] PALETTE = {0x000000, 0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4,
        0x46f0f0, 0xf032e6, 0xbcf60c, 0xfabebe, 0x008080, 0xe6beff, 0x9a6324, 0xfffac8, 0x800000, 0xaaffc3};

    /**
     * Configuration of {@code dwff/gallery}.
     *
     * @param examples scenes drawn (at most the evaluations' examples)
     * @param scale    pixel magnification of the drawings
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Config(@Description("test scenes drawn") @Range(min = 1, max = 64) int examples,
                         @Description("pixel magnification") @Range(min = 1, max = 8) int scale) {
    }

    @Override
    public String name() {
        return "dwff/gallery";
    }

    @Override
    public String description() {
        return "draws test scenes with ground truth and each variant's prediction, and records fusion weights per"
                + " image";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaultConfig() {
        return new Config(4, 2);
    }

    @Override
    public List<Port> inputs() {
        return List.of(Port.of("test", SceneSet.class, "the test scenes the evaluations used"),
                Port.of("predictions", List.class, "each variant's dwff/evaluate predictions, e.g. [eval_a.predictions,"
                        + " eval_b.predictions]"));
    }

    @Override
    public List<Port> outputs() {
        return List.of();
    }

    @Override
    public PortValues run(StepContext ctx, Config c, PortValues in) throws Exception {
        SceneSet test = in.get("test", SceneSet.class);
        List<VariantPredictions> variants = new ArrayList<>();
        for (Object o : in.get("predictions", List.class)) {
            if (!(o instanceof VariantPredictions v)) {
                throw new IllegalArgumentException("dwff/gallery: 'predictions' must list dwff/evaluate predictions"
                        + " outputs, found " + (o == null ? "null" : o.getClass().getSimpleName()));
            }
            variants.add(v);
        }
        int n = Math.min(c.examples(), test.size());
        for (VariantPredictions v : variants) {
            n = Math.min(n, v.examples().size());
        }
        if (n == 0) {
            throw new IllegalArgumentException("dwff/gallery: no example predictions; set examples >= 1 in the"
                    + " dwff/evaluate steps");
        }
        int s = c.scale();
        int cw = test.width() * s;
        int ch = test.height() * s;
        int cols = 2 + variants.size();
        int width = cols * cw + (cols + 1) * GAP;
        int rowH = ch + BAR_HEIGHT + GAP;
        int height = n * rowH + GAP;
        int[] rgb = new int[width * height];
        java.util.Arrays.fill(rgb, 0xffffff);
        StringBuilder json = new StringBuilder("{\n  \"layers\": {");
        for (int v = 0; v < variants.size(); v++) {
            json.append(v == 0 ? "" : ", ").append('"').append(esc(variants.get(v).variant())).append("\": ")
                    .append(java.util.Arrays.toString(variants.get(v).layers()));
        }
        json.append("},\n  \"scenes\": [\n");
        for (int i = 0; i < n; i++) {
            int top = GAP + i * rowH;
            float[] px = test.pixels(new int[] {i});
            int[] grey = new int[px.length];
            for (int p = 0; p < px.length; p++) {
                int g = Math.round(Math.max(0, Math.min(1, px[p])) * 255);
                grey[p] = (g << 16) | (g << 8) | g;
            }
            blit(rgb, width, GAP, top, grey, test.width(), test.height(), s);
            blit(rgb, width, 2 * GAP + cw, top, colours(test.labelMap(i)), test.width(), test.height(), s);
            json.append("    {\"scene\": ").append(i);
            for (int v = 0; v < variants.size(); v++) {
                VariantPredictions vp = variants.get(v);
                int left = (v + 3) * GAP + (v + 2) * cw;
                blit(rgb, width, left, top, colours(vp.examples().get(i)), test.width(), test.height(), s);
                float[] w = vp.weights(i);
                bars(rgb, width, left, top + ch + 2, cw, BAR_HEIGHT - 4, w);
                json.append(", \"").append(esc(vp.variant())).append("\": ").append(floats(w));
                if (vp.fusion() != Fusion.PLAIN) {
                    for (int l = 0; l < w.length; l++) {
                        ctx.metric("fusion_weight/" + vp.variant() + "/scene" + i + "/level" + vp.layers()[l], w[l]);
                    }
                }
            }
            json.append(i + 1 < n ? "},\n" : "}\n");
        }
        json.append("  ]\n}\n");
        for (VariantPredictions vp : variants) {
            if (vp.fusion() == Fusion.PLAIN) {
                continue;
            }
            int l = vp.layers().length;
            int scenes = vp.fusionWeights().length / l;
            for (int j = 0; j < l; j++) {
                double sum = 0;
                for (int k = 0; k < scenes; k++) {
                    sum += vp.fusionWeights()[k * l + j];
                }
                ctx.metric("fusion_weight_mean/" + vp.variant() + "/level" + vp.layers()[j], sum / scenes);
            }
        }
        Png.write(ctx.workDirectory().resolve("test-scenes.png"), rgb, width, height);
        Files.writeString(ctx.workDirectory().resolve("fusion-weights.json"), json, StandardCharsets.UTF_8);
        StringBuilder legend = new StringBuilder("columns: input, ground truth");
        variants.forEach(v -> legend.append(", ").append(v.variant()));
        ctx.logger().log(System.Logger.Level.INFO, "test-scenes.png " + legend + "; bars: fusion weights per level");
        return PortValues.EMPTY;
    }

    private static int[] colours(int[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = PALETTE[Math.floorMod(labels[i], PALETTE.length)];
        }
        return out;
    }

    private static void blit(int[] dst, int dw, int left, int top, int[] src, int sw, int sh, int s) {
        for (int y = 0; y < sh * s; y++) {
            for (int x = 0; x < sw * s; x++) {
                dst[(top + y) * dw + left + x] = src[(y / s) * sw + x / s];
            }
        }
    }

    /** One bar per level, heights relative to the largest weight. */
    private static void bars(int[] dst, int dw, int left, int top, int w, int h, float[] weights) {
        float max = 0;
        for (float v : weights) {
            max = Math.max(max, Math.abs(v));
        }
        int each = Math.max(1, w / Math.max(1, weights.length));
        for (int l = 0; l < weights.length; l++) {
            int bh = max == 0 ? 0 : Math.round(h * Math.abs(weights[l]) / max);
            for (int y = h - bh; y < h; y++) {
                for (int x = l * each + 1; x < (l + 1) * each - 1; x++) {
                    dst[(top + y) * dw + left + x] = 0x4363d8;
                }
            }
        }
    }

    private static String floats(float[] w) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < w.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", w[i]));
        }
        return b.append(']').toString();
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
