package io.tessera.plugin.fdconv;

import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * The local branch of kernel spatial modulation, the official {@code KernelSpatialModulation_Local} (spec §5.3): the
 * pooled input {@code g [B, Cin]} is layer-normalised over its channels ({@code norm}) and read as a one-channel
 * signal of length {@code Cin}; a 1-D convolution ({@code conv}, kernel size {@code ks} from {@code Cin}) gives
 * {@code Cout·k²} logits per input channel, one for every kernel element.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class KernelSpatialModulationLocal extends Module {
    private final LocalConv1d conv;
    private final LayerNorm norm;

    KernelSpatialModulationLocal(TensorBackend backend, int in, int outN) {
        this.conv = registerModule("conv", new LocalConv1d(backend, outN, kernelSizeFor(in)));
        this.norm = registerModule("norm", new LayerNorm(backend, in));
    }

    /**
     * The official local kernel size {@code round(log2(Cin)/2 + 0.5) // 2 * 2 + 1} (3 for Cin 8-32, 5 for 64-512,
     * 7 for 1024-2048). Half-way cases cannot change the result after {@code // 2 * 2 + 1}.
     */
    public static int kernelSizeFor(int in) {
        // log2 exact for powers of two (Math.log(64)/Math.log(2) is 5.999..., which would flip 3.5 to 3)
        int e = 31 - Integer.numberOfLeadingZeros(in);
        double log2 = e + Math.log(in / (double) (1 << e)) / Math.log(2);
        long r = Math.round(log2 / 2 + 0.5);
        return (int) (r / 2 * 2 + 1);
    }

    /** Logits {@code [B, Cout·k², Cin]} from the pooled input {@code [B, Cin]}. */
    @Override
    public Tensor forward(Tensor pooled) {
        Tensor normed = norm.forward(pooled);
        return conv.forward(normed.reshape(pooled.size(0), 1, pooled.size(1)));
    }

    /** The 1-D convolution. */
    public LocalConv1d conv() {
        return conv;
    }

    /** The layer norm over {@code Cin}. */
    public LayerNorm norm() {
        return norm;
    }
}
