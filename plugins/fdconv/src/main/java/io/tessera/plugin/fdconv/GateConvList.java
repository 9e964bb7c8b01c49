package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The gate convolutions of frequency band modulation, the official {@code freq_weight_conv_list} (a
 * {@code ModuleList}): entry {@code j} maps the input {@code [B, Cin, H, W]} to the {@code spatial_group} logit maps of
 * band {@code j}. Its forward computes every entry at once (one convolution with the stacked weights when there is a
 * single spatial group).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GateConvList extends Module {
    private final List<Conv2d> convs = new ArrayList<>();
    private final int spatialGroup;
    private final int kernelSize;

    GateConvList(TensorBackend be, int in, int count, int spatialGroup, int kernelSize, boolean zeroInit,
                 Generator gen) {
        this.spatialGroup = spatialGroup;
        this.kernelSize = kernelSize;
        for (int j = 0; j < count; j++) {
            Conv2d c = Conv2d.builder(be, in, spatialGroup, kernelSize).groups(spatialGroup)
                    .padding(kernelSize / 2).bias(true).generator(gen).build();
            if (zeroInit) {
                // official init='zero': N(0, 1e-6) weights and zero bias, so every gate starts at act(0) = 1
                try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                    c.weight().copyFrom(gen.normal(be, c.weight().shape(), 0, 1e-6));
                    c.bias().fill(0);
                }
            }
            convs.add(registerModule(Integer.toString(j), c));
        }
    }

    /** The logits of every entry, {@code [B, count · spatial_group, H, W]}, entry-major. */
    @Override
    public Tensor forward(Tensor input) {
        if (spatialGroup == 1) {
            List<Tensor> w = new ArrayList<>();
            List<Tensor> b = new ArrayList<>();
            for (Conv2d c : convs) {
                w.add(c.weight());
                b.add(c.bias());
            }
            int p = kernelSize / 2;
            return Functional.conv2d(input, Tensors.concat(w, 0), Tensors.concat(b, 0), new int[] {1, 1},
                    new int[] {p, p}, new int[] {1, 1}, 1);
        }
        List<Tensor> outs = new ArrayList<>();
        for (Conv2d c : convs) {
            outs.add(c.forward(input));
        }
        return Tensors.concat(outs, 1);
    }

    /** Entry {@code j}. */
    public Conv2d get(int j) {
        return convs.get(j);
    }

    /** Number of entries. */
    public int size() {
        return convs.size();
    }
}
