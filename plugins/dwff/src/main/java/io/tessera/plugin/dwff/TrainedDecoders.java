package io.tessera.plugin.dwff;

import java.util.List;
import org.apiguardian.api.API;

/**
 * The decoders one {@code dwff/train} step trained: one per seed, all of the same variant, on the encoder levels at
 * {@code layers}.
 *
 * @param variant  a label for tables and figures ({@code DWFF}, {@code NWFF-last})
 * @param layers   hidden-state indices of the encoder the decoders read
 * @param seeds    the seed of each decoder
 * @param decoders the trained decoders (eval mode), in seed order
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record TrainedDecoders(String variant, int[] layers, List<Long> seeds, List<DwffDecoder> decoders) {
    public TrainedDecoders {
        layers = layers.clone();
        seeds = List.copyOf(seeds);
        decoders = List.copyOf(decoders);
        if (seeds.size() != decoders.size() || decoders.isEmpty()) {
            throw new IllegalArgumentException("need one decoder per seed, got " + decoders.size() + " for "
                    + seeds.size() + " seeds");
        }
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }
}
