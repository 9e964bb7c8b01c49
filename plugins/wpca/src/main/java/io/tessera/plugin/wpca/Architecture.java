package io.tessera.plugin.wpca;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * One candidate encoder: its gene vector in a {@link SearchSpace} (one gene per layer slot: a block index, or the
 * space's skip value) and the blocks it decodes to.
 *
 * @param genes  one value per layer slot
 * @param layers the non-skipped blocks, in order
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record Architecture(List<Integer> genes, List<Layer> layers) {

    /** One encoder block: its type and FFN inner width. */
    public record Layer(BlockType type, int ffn) {
        @Override
        public String toString() {
            return (type == BlockType.BERT ? "bert" : "bneck") + ffn;
        }
    }

    public Architecture {
        genes = List.copyOf(genes);
        layers = List.copyOf(layers);
    }

    /** A short name such as {@code bert64-bneck32} (unique per gene vector when no layer is skipped twice). */
    public String name() {
        List<String> parts = new ArrayList<>();
        layers.forEach(l -> parts.add(l.toString()));
        return String.join("-", parts);
    }

    /** The genes as one key, e.g. {@code 3.10.7.1}, unique per candidate. */
    public String key() {
        StringBuilder sb = new StringBuilder();
        for (int g : genes) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(g);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT) + " [" + key() + "]";
    }
}
