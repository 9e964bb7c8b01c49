package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * The 1-D convolution of the local kernel modulation ({@code nn.Conv1d(1, out, ks, padding=(ks-1)/2, bias=False)}):
 * weight {@code [out, 1, ks]}, initialised to the constant {@code 1e-6} as in the official code. It runs as a 2-D
 * convolution over a height-1 image.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class LocalConv1d extends Module {
    private final Tensor weight;
    private final int kernelSize;

    LocalConv1d(TensorBackend backend, int outChannels, int kernelSize) {
        this.kernelSize = kernelSize;
        this.weight = registerParameter("weight", backend.full(Shape.of(outChannels, 1, kernelSize),
                DType.FLOAT32, 1e-6));
    }

    /** {@code [B, 1, L]} to {@code [B, out, L]} (cross-correlation, zero padding {@code (ks-1)/2}). */
    @Override
    public Tensor forward(Tensor input) {
        long b = input.size(0);
        long len = input.size(2);
        Tensor y = Functional.conv2d(input.reshape(b, 1, 1, len), weight.reshape(weight.size(0), 1, 1, kernelSize),
                null, new int[] {1, 1}, new int[] {0, (kernelSize - 1) / 2}, new int[] {1, 1}, 1);
        return y.reshape(b, weight.size(0), len);
    }

    /** The weight {@code [out, 1, ks]}. */
    public Tensor weight() {
        return weight;
    }

    @Override
    protected String extraRepr() {
        return "1, " + weight.size(0) + ", kernel_size=" + kernelSize + ", padding=" + (kernelSize - 1) / 2
                + ", bias=false";
    }
}
