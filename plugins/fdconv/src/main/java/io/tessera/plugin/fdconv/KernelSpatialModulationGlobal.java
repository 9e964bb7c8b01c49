package io.tessera.plugin.fdconv;

import io.tessera.api.nn.BatchNorm2d;
import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Init;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * The global branch of kernel spatial modulation, the official {@code KernelSpatialModulation_Global} (spec §5.2):
 * from the pooled input {@code g [B, Cin]} a squeeze ({@code fc}, {@code bn}, StarReLU {@code relu}) and four heads
 * give per-sample gains on the kernel's input channels ({@code channel_fc}), output channels ({@code filter_fc}),
 * spatial taps ({@code spatial_fc}) and frequency groups ({@code kernel_fc}). The heads are 1×1 convolutions in the
 * official code (so their weights are {@code [out, A, 1, 1]}); here they run as linear maps on {@code [B, A]}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class KernelSpatialModulationGlobal extends Module {
    private static final double BN_EPS = 1e-5;

    private final int kernelSize;
    private final int kernelNum;
    private final double temp;
    private final double kernelTemp;
    private final double attMulti;
    private final GateActivation act;
    private final Conv2d fc;
    private final BatchNorm2d bn;
    private final StarReLU relu;
    private final Conv2d channelFc;
    private final Conv2d filterFc;
    private final Conv2d spatialFc;
    private final Conv2d kernelFc;

    /**
     * The per-sample gains; a gain that the configuration leaves out is null (it is 1).
     *
     * @param channel {@code a_c [B, Cin]}
     * @param filter  {@code a_f [B, Cout]}
     * @param spatial {@code a_s [B, k, k]}
     * @param kernel  {@code a_g [B, kn]}
     */
    public record Gains(Tensor channel, Tensor filter, Tensor spatial, Tensor kernel) {
    }

    KernelSpatialModulationGlobal(TensorBackend be, int in, int out, int kernelSize, int kernelNum, int attention,
                                  double temp, double kernelTemp, double attMulti, boolean onlyKernelAtt,
                                  GateActivation act, Generator gen) {
        this.kernelSize = kernelSize;
        this.kernelNum = kernelNum;
        this.temp = temp;
        this.kernelTemp = kernelTemp;
        this.attMulti = attMulti;
        this.act = act;
        // spec §4: every 1x1 conv starts kaiming-normal (fan_out, relu) with zero bias; channel, spatial and kernel
        // heads are then redrawn N(0, 1e-6). filter_fc keeps the kaiming init: the official tiny init is skipped by an
        // isinstance check on a bound method.
        this.fc = registerModule("fc", head(be, in, attention, false, false, gen));
        this.bn = registerModule("bn", new BatchNorm2d(be, attention, BN_EPS, 0.1, true, true));
        this.relu = registerModule("relu", new StarReLU(be));
        this.channelFc = onlyKernelAtt ? null : registerModule("channel_fc", head(be, attention, in, true, true, gen));
        this.filterFc = onlyKernelAtt ? null : registerModule("filter_fc", head(be, attention, out, true, false, gen));
        this.spatialFc = onlyKernelAtt || kernelSize == 1 ? null
                : registerModule("spatial_fc", head(be, attention, kernelSize * kernelSize, true, true, gen));
        this.kernelFc = kernelNum == 1 ? null
                : registerModule("kernel_fc", head(be, attention, kernelNum, true, true, gen));
    }

    private static Conv2d head(TensorBackend be, int in, int out, boolean bias, boolean tiny, Generator gen) {
        Conv2d c = Conv2d.builder(be, in, out, 1).bias(bias).generator(gen).build();
        long[] shape = c.weight().dims();
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            double std = tiny ? 1e-6 : Math.sqrt(2.0 / Init.fanOut(shape));
            c.weight().copyFrom(Init.normal(be, shape, 0, std, gen));
            if (bias) {
                c.bias().fill(0);
            }
        }
        return c;
    }

    /**
     * The squeeze: {@code StarReLU(BN(g · fcᵀ))}, {@code [B, Cin]} to {@code [B, A]}. Batch norm uses the running
     * statistics in eval mode and the batch of pooled vectors in training mode (which needs {@code B > 1}).
     */
    @Override
    public Tensor forward(Tensor pooled) {
        long b = pooled.size(0);
        Tensor z = pooled.matmul(flat(fc.weight()).t());
        if (isTraining()) {
            if (b < 2) {
                throw new IllegalArgumentException("FDConv2d KSM_Global.bn in training mode needs more than one"
                        + " sample per batch (its statistics come from the B pooled vectors), got B=1; call"
                        + " eval() for single-sample inference");
            }
            z = bn.forward(z.reshape(b, z.size(1), 1, 1)).reshape(b, z.size(1));
        } else {
            // composed from tensor ops so that gradients also reach the running statistics when asked for
            z = z.sub(bn.runningMean()).div(bn.runningVar().add(BN_EPS).sqrt()).mul(bn.weight()).add(bn.bias());
        }
        return relu.forward(z);
    }

    /** The four gains of spec §5.2 for the pooled input {@code g [B, Cin]}. */
    public Gains gains(Tensor pooled) {
        Tensor z = forward(pooled);
        Tensor channel = channelFc == null ? null : gate(linearHead(z, channelFc), temp, attMulti);
        Tensor filter = filterFc == null ? null : gate(linearHead(z, filterFc), temp, attMulti);
        Tensor spatial = spatialFc == null ? null
                : gate(linearHead(z, spatialFc), temp, attMulti).reshape(z.size(0), kernelSize, kernelSize);
        Tensor kernel = null;
        if (kernelFc != null) {
            Tensor u = linearHead(z, kernelFc).div(kernelTemp);
            // the group gain always uses the literal 2 of the official code, not att_multi
            kernel = act == GateActivation.SIGMOID ? u.sigmoid().mul(2.0 / kernelNum) : u.tanh().add(1).div(kernelNum);
        }
        return new Gains(channel, filter, spatial, kernel);
    }

    private Tensor gate(Tensor u, double t, double multi) {
        Tensor s = u.div(t);
        return act == GateActivation.SIGMOID ? s.sigmoid().mul(multi) : s.tanh().add(1);
    }

    private static Tensor linearHead(Tensor z, Conv2d head) {
        // plain tensor ops rather than Functional.linear: a composite's inner scope hides its inputs from the graph
        // walk of an enclosing scope's keep(), and FDConv2d.forward keeps its output out of its own scope
        return z.matmul(flat(head.weight()).t()).add(head.bias());
    }

    private static Tensor flat(Tensor w1x1) {
        return w1x1.reshape(w1x1.size(0), w1x1.size(1));
    }

    /** The squeeze convolution {@code fc} ({@code [A, Cin, 1, 1]}, no bias). */
    public Conv2d fc() {
        return fc;
    }

    /** The squeeze batch norm. */
    public BatchNorm2d bn() {
        return bn;
    }

    /** The channel head, or null with {@code ksm_only_kernel_att}. */
    public Conv2d channelFc() {
        return channelFc;
    }

    /** The filter head, or null with {@code ksm_only_kernel_att}. */
    public Conv2d filterFc() {
        return filterFc;
    }

    /** The spatial head, or null for 1×1 kernels and with {@code ksm_only_kernel_att}. */
    public Conv2d spatialFc() {
        return spatialFc;
    }

    /** The group head, or null when {@code kernel_num = 1}. */
    public Conv2d kernelFc() {
        return kernelFc;
    }
}
