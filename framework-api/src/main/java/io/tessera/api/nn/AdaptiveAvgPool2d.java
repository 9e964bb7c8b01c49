package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import java.util.Arrays;
import org.apiguardian.api.API;

/** Adaptive average pooling to a fixed output size, PyTorch's {@code nn.AdaptiveAvgPool2d}. */
@API(status = API.Status.STABLE, since = "1.0")
public final class AdaptiveAvgPool2d extends Module {
    private final int[] outputSize;

    /** Square output {@code size x size} ({@code 1} gives global average pooling). */
    public AdaptiveAvgPool2d(int size) {
        this(new int[] {size, size});
    }

    /** Output {@code [oH, oW]}. */
    public AdaptiveAvgPool2d(int[] outputSize) {
        this.outputSize = NnChecks.pair("output_size", outputSize, 1);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.adaptiveAvgPool2d(input, outputSize);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Arrays.toString(outputSize);
    }
}
