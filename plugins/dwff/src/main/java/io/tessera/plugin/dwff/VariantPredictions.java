package io.tessera.plugin.dwff;

import java.util.List;
import org.apiguardian.api.API;

/**
 * What {@code dwff/evaluate} hands to {@code dwff/gallery} for one variant: the predicted label maps of the first test
 * scenes and the fusion weights of every test scene, both from the variant's first seed.
 *
 * @param variant       the variant's label
 * @param fusion        its fusion
 * @param layers        the encoder hidden states it fuses
 * @param examples      predicted label maps ({@code H·W} each) of the first test scenes
 * @param fusionWeights {@code [scenes × L]} fusion weights, row-major
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record VariantPredictions(String variant, Fusion fusion, int[] layers, List<int[]> examples,
                                 float[] fusionWeights) {
    public VariantPredictions {
        layers = layers.clone();
        examples = List.copyOf(examples);
    }

    /** The fusion weights of scene {@code index}. */
    public float[] weights(int index) {
        float[] out = new float[layers.length];
        System.arraycopy(fusionWeights, index * layers.length, out, 0, layers.length);
        return out;
    }
}
