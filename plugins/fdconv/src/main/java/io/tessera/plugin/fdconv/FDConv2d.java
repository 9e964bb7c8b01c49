package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Init;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Frequency Dynamic Convolution (Chen et al., CVPR 2025), a drop-in for {@link Conv2d}: the same constructor
 * arguments plus the FDConv hyperparameters ({@link FDConvOptions}, official defaults), the same input and output
 * shapes, and the official state-dict keys ({@code dft_weight}, {@code bias}, {@code KSM_Global.*}, {@code KSM_Local.*},
 * {@code FBM.*}), so an official checkpoint loads with {@link #loadStateDict}.
 *
 * <pre>{@code
 * FDConv2d conv = FDConv2d.builder(backend, 64, 64, 3).padding(1).bias(false)
 *         .options(FDConvOptions.builder().kernelNum(64).build()).generator(new Generator(7)).build();
 * Tensor y = conv.forward(x);                          // [B, 64, H, W]
 * }</pre>
 *
 * <p><b>Computation</b> (spec §5, for an input {@code x [B, Cin, H, W]}): the pooled input {@code g} drives the global
 * gains {@code a_c, a_f, a_s, a_g} ({@link KernelSpatialModulationGlobal}) and the dense local gain {@code a_l}
 * ({@link KernelSpatialModulationLocal}). The Fourier weight {@code dft_weight [1, Cout·k, Cin·k/2+1, 2]} is split
 * into {@code kernel_num} radial frequency groups ({@link FrequencyGroups}); each sample's spectrum scales group
 * {@code i} by {@code α·a_g[i]} and its exact C2R inverse ({@link Fft#irfft2}: inverse DFT over rows, then only the
 * real parts of columns 0 and {@code Ws/2} count) is the sample's kernel. The input passes through frequency band
 * modulation ({@link FrequencyBandModulation}) when the kernel size asks for it, and all samples are convolved in one
 * grouped convolution ({@code [1, B·Cin, H, W]} with {@code [B·Cout, Cin, k, k]}, {@code groups = B}).
 *
 * <p><b>Plain mode</b> (spec §3): when {@code min(Cin, Cout) <= use_fdconv_if_c_gt} or {@code k} is not in
 * {@code use_fdconv_if_k_in}, the layer is an ordinary convolution with {@code weight} and {@code bias}, as in the
 * official code.
 *
 * <p><b>Modes</b>: in training mode the KSM batch norm uses the batch statistics of the pooled vectors (and needs
 * {@code B > 1}); in eval mode its running statistics.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class FDConv2d extends Module {
    private final TensorBackend backend;
    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final FDConvOptions options;
    private final boolean active;

    // plain mode
    private final Tensor weight;
    // FDConv mode
    private final Tensor bias;
    private final Tensor dftWeight;
    private final FrequencyGroups frequencyGroups;
    private final KernelSpatialModulationGlobal ksmGlobal;
    private final FrequencyBandModulation fbm;
    private final KernelSpatialModulationLocal ksmLocal;
    private final int kernelNum;
    private final int attentionChannels;
    private final double alpha;
    /** {@link #groupMasks()}, built on first use. */
    private volatile float[] groupMasks;

    /**
     * Everything the forward pass computes, for inspection and for the golden tests (spec §11 "trace"). Every tensor
     * is the caller's to close; absent gains (a configuration without them) are ones of the stated shape.
     *
     * @param gap             {@code g [B, Cin]}
     * @param channelGain     {@code a_c [B, Cin]}
     * @param filterGain      {@code a_f [B, Cout]}
     * @param spatialGain     {@code a_s [B, k, k]}
     * @param kernelGain      {@code a_g [B, kn]}
     * @param localGain       {@code a_l [B, Cout, Cin, k, k]}
     * @param fdwKernel       the per-sample inverse-transformed kernel {@code Wd [B, Cout, Cin, k, k]}
     * @param aggregateKernel {@code K = Wd·a_l·a_s·a_c·a_f [B, Cout, Cin, k, k]}
     * @param fbmOut          the input after frequency band modulation ({@code x} itself without FBM)
     * @param output          the layer output, still connected to the autograd graph
     */
    public record Trace(Tensor gap, Tensor channelGain, Tensor filterGain, Tensor spatialGain, Tensor kernelGain,
                       Tensor localGain, Tensor fdwKernel, Tensor aggregateKernel, Tensor fbmOut, Tensor output)
            implements AutoCloseable {
        @Override
        public void close() {
            for (Tensor t : List.of(gap, channelGain, filterGain, spatialGain, kernelGain, localGain, fdwKernel,
                    aggregateKernel, fbmOut, output)) {
                t.close();
            }
        }
    }

    private FDConv2d(Builder b) {
        this.backend = b.backend;
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernelSize = b.kernelSize;
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.dilation = b.dilation.clone();
        this.groups = b.groups;
        this.options = b.options;
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || groups < 1 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException("FDConv2d: in_channels (" + inChannels + ") and out_channels ("
                    + outChannels + ") must be positive multiples of groups (" + groups + "), kernel_size >= 1");
        }
        this.active = Math.min(inChannels, outChannels) > options.useFdconvIfCGt()
                && options.useFdconvIfKIn().contains(kernelSize);
        Generator gen = b.generator != null ? b.generator : new Generator(new java.util.SplittableRandom().nextLong());
        long[] wShape = {outChannels, inChannels / groups, kernelSize, kernelSize};
        Tensor w0 = b.initialWeight != null ? copyChecked("weight", b.initialWeight, wShape)
                : Init.defaultWeight(backend, wShape, gen);
        Tensor b0 = !b.bias ? null : b.initialBias != null
                ? copyChecked("bias", b.initialBias, new long[] {outChannels})
                : Init.defaultBias(backend, outChannels, Init.fanIn(wShape), gen);
        if (!active) {
            this.weight = registerParameter("weight", w0);
            this.bias = registerParameter("bias", b0);
            this.dftWeight = null;
            this.frequencyGroups = null;
            this.ksmGlobal = null;
            this.fbm = null;
            this.ksmLocal = null;
            this.kernelNum = 0;
            this.attentionChannels = 0;
            this.alpha = 0;
            return;
        }
        if (groups != 1) {
            w0.close();
            throw new IllegalArgumentException("FDConv2d: groups=" + groups + " is not supported in FDConv mode (the"
                    + " official layer only works with groups=1); use groups=1 or raise use_fdconv_if_c_gt to keep a"
                    + " plain convolution");
        }
        this.kernelNum = options.kernelNumFor(outChannels);
        this.frequencyGroups = FrequencyGroups.of(outChannels * kernelSize, inChannels * kernelSize, kernelNum);
        this.weight = null;
        this.bias = registerParameter("bias", b0);
        // spec §4: dft_weight = rfft2(M) / m with M[co·k+ki, ci·k+kj] = w[co, ci, ki, kj]
        this.dftWeight = registerParameter("dft_weight", toFourier(w0));
        w0.close();
        long[] table = frequencyGroups.table();
        registerBuffer("indices", backend.tensor(table, 1, 2, kernelNum, frequencyGroups.groupSize()), false);
        this.attentionChannels = Math.max((int) Math.floor(inChannels * options.reduction()), options.minChannel());
        this.alpha = Math.min(inChannels, outChannels) / 2 * (double) kernelNum * options.paramRatio()
                / options.paramReduction();
        this.ksmGlobal = registerModule("KSM_Global", new KernelSpatialModulationGlobal(backend, inChannels,
                outChannels, kernelSize, kernelNum, attentionChannels, options.tempFor(outChannels),
                options.kernelTempFor(outChannels), options.attMulti(), options.ksmOnlyKernelAtt(),
                options.ksmGlobalAct(), gen));
        boolean useFbm = options.useFbmIfKIn().contains(kernelSize) || (options.useFbmForStride() && stride[0] > 1);
        this.fbm = useFbm ? registerModule("FBM", new FrequencyBandModulation(backend, inChannels, options.fbm(), gen))
                : null;
        this.ksmLocal = options.useKsmLocal() ? registerModule("KSM_Local",
                new KernelSpatialModulationLocal(backend, inChannels, outChannels * kernelSize * kernelSize)) : null;
    }

    private Tensor copyChecked(String what, Tensor src, long[] shape) {
        if (!Arrays.equals(src.dims(), shape)) {
            throw new IllegalArgumentException("FDConv2d: initial " + what + " has shape " + src.shape()
                    + " but the layer needs " + Shape.of(shape));
        }
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            Tensor c = src.backend() == backend ? src.detach().copy() : backend.copyOf(src);
            return c.dtype() == DType.FLOAT32 ? c : c.to(DType.FLOAT32);
        }
    }

    /** The Fourier form of a spatial kernel {@code [Cout, Cin, k, k]} (spec §4): {@code [1, Cout·k, Cin·k/2+1, 2]}. */
    private Tensor toFourier(Tensor w) {
        int hs = outChannels * kernelSize;
        int ws = inChannels * kernelSize;
        int m = Math.min(inChannels, outChannels) / 2;
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            Tensor flat = w.permute(0, 2, 1, 3).reshape(hs, ws);
            ComplexTensor f = Fft.rfft2(flat, FftNorm.BACKWARD);
            Tensor d = Tensors.stack(List.of(f.real(), f.imag()), -1).div(m).reshape(1, hs, ws / 2 + 1, 2);
            return sc.keep(d.to(DType.FLOAT32));
        }
    }

    // ------------------------------------------------------------------------------------------------ forward

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        if (!active) {
            return Functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        }
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(compute(input, false, null).output());
        }
    }

    /**
     * The forward pass with every intermediate of spec §5 (see {@link Trace}); the output equals {@link #forward}.
     * Only for FDConv mode.
     */
    public Trace trace(Tensor input) {
        checkInput(input);
        if (!active) {
            throw new IllegalStateException("FDConv2d(" + inChannels + ", " + outChannels + ", k=" + kernelSize
                    + ") is a plain convolution (spec §3: min(Cin, Cout) <= use_fdconv_if_c_gt="
                    + options.useFdconvIfCGt() + " or k not in " + options.useFdconvIfKIn() + "); it has no trace");
        }
        try (TensorScope sc = Tensors.scope()) {
            Trace t = compute(input, true, null);
            Tensor out = sc.keep(t.output());
            return new Trace(sc.keep(t.gap()), sc.keep(t.channelGain()), sc.keep(t.filterGain()),
                    sc.keep(t.spatialGain()), sc.keep(t.kernelGain()), sc.keep(t.localGain()),
                    sc.keep(t.fdwKernel()), sc.keep(t.aggregateKernel()), sc.keep(t.fbmOut()), out);
        }
    }

    /** The forward pass with the given modulation order instead of the configured one (spec §5.8, §12 test 8). */
    public Tensor forward(Tensor input, ModulationOrder order) {
        checkInput(input);
        if (!active) {
            return forward(input);
        }
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(compute(input, false, order).output());
        }
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("FDConv2d(" + inChannels + ", " + outChannels + "): expected an NCHW"
                    + " input with " + inChannels + " channels, got shape " + x.shape());
        }
    }

    /** Runs spec §5; trace tensors are detached views (sharing memory) so they outlive the graph they came from. */
    private Trace compute(Tensor x, boolean trace, ModulationOrder forced) {
        int b = (int) x.size(0);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int k = kernelSize;
        Tensor g = x.mean(new int[] {2, 3}, false);                                      // §5.1
        KernelSpatialModulationGlobal.Gains gains = ksmGlobal.gains(g);                   // §5.2
        Tensor local = null;                                                              // §5.3
        if (ksmLocal != null) {
            Tensor logits = ksmLocal.forward(g)                                           // [B, Cout·k², Cin]
                    .reshape(b, outChannels, k, k, inChannels).permute(0, 1, 4, 2, 3);
            local = options.ksmLocalAct() == GateActivation.SIGMOID ? logits.sigmoid().mul(options.attMulti())
                    : logits.tanh().add(1);
        }
        Tensor fdw = fdwKernel(gains.kernel(), b);                                        // §5.4, §5.5
        Tensor xin = fbm == null ? x : fbm.forward(x);                                    // §5.7
        ModulationOrder order = forced != null && forced != ModulationOrder.AUTO ? forced : options.modulationOrder();
        if (order == ModulationOrder.AUTO) {
            long kernelElems = (long) outChannels * inChannels * k * k;
            order = kernelElems < (long) (inChannels + outChannels) * h * w ? ModulationOrder.WEIGHT
                    : ModulationOrder.FEATURE;
        }
        Tensor aggregate = null;
        Tensor y;
        if (order == ModulationOrder.WEIGHT) {                                            // §5.6, §5.8
            aggregate = modulate(fdw, local, gains.spatial(), gains.channel(), gains.filter(), b);
            y = batchedConv(xin, aggregate, b);
        } else {
            Tensor kern = modulate(fdw, local, gains.spatial(), null, null, b);
            Tensor xc = gains.channel() == null ? xin : xin.mul(gains.channel().reshape(b, inChannels, 1, 1));
            y = batchedConv(xc, kern, b);
            if (gains.filter() != null) {
                y = y.mul(gains.filter().reshape(b, outChannels, 1, 1));
            }
            if (trace) {
                aggregate = modulate(fdw, local, gains.spatial(), gains.channel(), gains.filter(), b);
            }
        }
        if (bias != null) {
            y = y.add(bias.reshape(1, outChannels, 1, 1));
        }
        if (!trace) {
            return new Trace(null, null, null, null, null, null, null, null, null, y);
        }
        return new Trace(view(g), orOnes(gains.channel(), b, inChannels), orOnes(gains.filter(), b, outChannels),
                orOnes(gains.spatial(), b, k, k), orOnes(gains.kernel(), b, kernelNum),
                orOnes(local, b, outChannels, inChannels, k, k), view(fdw), view(aggregate), view(xin), y);
    }

    private Tensor view(Tensor t) {
        return t.detach();
    }

    private Tensor orOnes(Tensor t, long... shape) {
        return t != null ? t.detach() : backend.ones(Shape.of(shape), DType.FLOAT32);
    }

    /**
     * Spec §5.5: per sample, {@code S = α·a_g[group]·dft}, then the exact C2R inverse of size {@code Hs × Ws}
     * ("backward" scaling), un-flattened to {@code [B, Cout, Cin, k, k]}.
     *
     * <p>The inverse is linear, so {@code Wd_b = Σ_i a_g[b, i] · irfft2(α · mask_i · dft)} with {@code mask_i} the
     * indicator of frequency group {@code i}: with fewer groups than samples ({@code kn < B}, e.g. kn=4 in a batch of
     * 128) the layer transforms the {@code kn} group kernels once and mixes them per sample with one matrix product,
     * instead of one inverse transform per sample (docs/methods/fdconv.md, "Implementation notes"). Both forms agree
     * within float32 rounding.
     */
    private Tensor fdwKernel(Tensor kernelGain, int b) {
        int hs = frequencyGroups.rows();
        int ws = frequencyGroups.width();
        int wr = frequencyGroups.cols();
        Tensor re = dftWeight.narrow(3, 0, 1).reshape(1, hs, wr);
        Tensor im = dftWeight.narrow(3, 1, 1).reshape(1, hs, wr);
        Tensor m;
        if (kernelGain != null && kernelNum < b) {
            Tensor masks = backend.tensor(groupMasks(), kernelNum, hs, wr);
            Tensor basis = Fft.irfft2(new ComplexTensor(masks.mul(re), masks.mul(im)), hs, ws, FftNorm.BACKWARD);
            m = kernelGain.matmul(basis.reshape(kernelNum, (long) hs * ws)).reshape(b, hs, ws);
        } else {
            Tensor scale;
            if (kernelGain != null) {
                Tensor groupOf = backend.tensor(frequencyGroups.groupOfFlat(), (long) hs * wr);
                scale = kernelGain.indexSelect(1, groupOf).reshape(b, hs, wr).mul(alpha);
            } else {
                scale = backend.full(Shape.of(1, hs, wr), DType.FLOAT32, alpha);
            }
            // spec §5.5: inverse DFT over rows, then C2R over columns keeping only Re of columns 0 and Ws/2; the
            // anti-Hermitian part of those columns (e.g. Im at the self-conjugate points) has no effect
            m = Fft.irfft2(new ComplexTensor(scale.mul(re), scale.mul(im)), hs, ws, FftNorm.BACKWARD);
        }
        long n = m.size(0);
        Tensor kern = m.reshape(n, outChannels, kernelSize, inChannels, kernelSize).permute(0, 1, 3, 2, 4);
        return n == b ? kern : kern.expand(Shape.of(b, outChannels, inChannels, kernelSize, kernelSize));
    }

    /** {@code α · mask_i} of every frequency group, {@code [kn, Hs, Ws/2+1]} row-major; built once per layer. */
    private float[] groupMasks() {
        float[] masks = groupMasks;
        if (masks == null) {
            int cells = frequencyGroups.rows() * frequencyGroups.cols();
            long[] groupOf = frequencyGroups.groupOfFlat();
            masks = new float[kernelNum * cells];
            for (int c = 0; c < cells; c++) {
                masks[(int) groupOf[c] * cells + c] = (float) alpha;
            }
            groupMasks = masks;
        }
        return masks;
    }

    /** {@code Wd · a_l · a_s · a_c · a_f}, leaving out the null gains; always {@code [B, Cout, Cin, k, k]}. */
    private Tensor modulate(Tensor fdw, Tensor local, Tensor spatial, Tensor channel, Tensor filter, int b) {
        int k = kernelSize;
        Tensor kern = fdw;
        if (local != null) {
            kern = kern.mul(local);
        }
        if (spatial != null) {
            kern = kern.mul(spatial.reshape(b, 1, 1, k, k));
        }
        if (channel != null) {
            kern = kern.mul(channel.reshape(b, 1, inChannels, 1, 1));
        }
        if (filter != null) {
            kern = kern.mul(filter.reshape(b, outChannels, 1, 1, 1));
        }
        return kern;
    }

    /** Every sample's own kernel in ONE grouped convolution: {@code [1, B·Cin, H, W] * [B·Cout, Cin, k, k]}. */
    private Tensor batchedConv(Tensor x, Tensor kernels, int b) {
        long h = x.size(2);
        long w = x.size(3);
        Tensor y = Functional.conv2d(x.reshape(1, (long) b * inChannels, h, w),
                kernels.reshape((long) b * outChannels, inChannels, kernelSize, kernelSize), null, stride, padding,
                dilation, b);
        return y.reshape(b, outChannels, y.size(2), y.size(3));
    }

    // --------------------------------------------------------------------------------------------- accessors

    /** Whether the layer runs FDConv (false: a plain convolution, spec §3). */
    public boolean isFrequencyDynamic() {
        return active;
    }

    /** Whether frequency band modulation is applied to the input. */
    public boolean hasFbm() {
        return fbm != null;
    }

    /** The hyperparameters. */
    public FDConvOptions options() {
        return options;
    }

    /** Input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** The square kernel size {@code k}. */
    public int kernelSize() {
        return kernelSize;
    }

    /** Stride {@code [sH, sW]} (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** Padding {@code [pH, pW]} (a copy). */
    public int[] padding() {
        return padding.clone();
    }

    /** Dilation {@code [dH, dW]} (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** The number of frequency groups {@code kn} (0 in plain mode). */
    public int kernelNum() {
        return kernelNum;
    }

    /** The attention width {@code A} (0 in plain mode). */
    public int attentionChannels() {
        return attentionChannels;
    }

    /** The spectrum scale {@code α = floor(min(Cin, Cout)/2)·kn·P / param_reduction} (0 in plain mode). */
    public double alpha() {
        return alpha;
    }

    /** The frequency groups (null in plain mode). */
    public FrequencyGroups frequencyGroups() {
        return frequencyGroups;
    }

    /** The Fourier weight {@code [1, Cout·k, Cin·k/2+1, 2]} (null in plain mode). */
    public Tensor dftWeight() {
        return dftWeight;
    }

    /** The spatial weight of plain mode (null in FDConv mode, where it is {@link #spatialKernel()}). */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [Cout]} or null. */
    public Tensor bias() {
        return bias;
    }

    /** The global kernel modulation (null in plain mode). */
    public KernelSpatialModulationGlobal ksmGlobal() {
        return ksmGlobal;
    }

    /** The local kernel modulation (null in plain mode or without {@code use_ksm_local}). */
    public KernelSpatialModulationLocal ksmLocal() {
        return ksmLocal;
    }

    /** The frequency band modulation (null in plain mode or when the kernel size does not use it). */
    public FrequencyBandModulation fbm() {
        return fbm;
    }

    /**
     * The static spatial kernel {@code [Cout, Cin, k, k]} that {@code dft_weight} encodes: {@code m · irfft2(dft)},
     * the inverse of spec §4's conversion (in plain mode a copy of {@code weight}). No gradient is recorded.
     */
    public Tensor spatialKernel() {
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            if (!active) {
                return sc.keep(weight.copy());
            }
            int hs = frequencyGroups.rows();
            int ws = frequencyGroups.width();
            int wr = frequencyGroups.cols();
            double m = Math.min(inChannels, outChannels) / 2;
            Tensor re = dftWeight.narrow(3, 0, 1).reshape(hs, wr).mul(m);
            Tensor im = dftWeight.narrow(3, 1, 1).reshape(hs, wr).mul(m);
            Tensor flat = Fft.irfft2(new ComplexTensor(re, im), hs, ws, FftNorm.BACKWARD);
            return sc.keep(flat.reshape(outChannels, kernelSize, inChannels, kernelSize).permute(0, 2, 1, 3));
        }
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + kernelSize + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding)
                + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + Arrays.toString(dilation) : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "")
                + (active ? ", kernel_num=" + kernelNum + (fbm != null ? ", fbm" : "") + (ksmLocal != null
                ? ", ksm_local" : "") : ", plain (spec §3)");
    }

    // ------------------------------------------------------------------------------------------- construction

    /** Settings of an FDConv2d with a square kernel, as {@link Conv2d#builder}. */
    public static Builder builder(TensorBackend backend, int inChannels, int outChannels, int kernelSize) {
        return new Builder(backend, inChannels, outChannels, kernelSize);
    }

    /**
     * Settings that convert a (trained) convolution to the Fourier form (spec §4, the official
     * {@code tools/convert_to_fdconv.py}): channels, kernel size, stride, padding, dilation, groups, bias and the
     * weights all come from {@code conv}; only the FDConv options are left to set:
     *
     * <pre>{@code
     * FDConv2d fd = FDConv2d.fromConv2d(conv).options(FDConvOptions.officialCoco()).build();
     * }</pre>
     *
     * At construction the converted layer's static kernel equals the conv's weight, and with the group gains at
     * {@code 1/kn} every sample's {@code Wd} equals it (spec §12 test 3).
     */
    public static Builder fromConv2d(Conv2d conv) {
        int[] k = conv.kernelSize();
        if (k[0] != k[1]) {
            throw new IllegalArgumentException("FDConv2d.fromConv2d: needs a square kernel, got "
                    + Arrays.toString(k) + " (weight " + conv.weight().shape() + ")");
        }
        Builder b = new Builder(conv.weight().backend(), conv.inChannels(), conv.outChannels(), k[0]);
        b.initialWeight = conv.weight();
        b.initialBias = conv.bias();
        b.bias = conv.hasBias();
        return b.stride(conv.stride()).padding(conv.padding()).dilation(conv.dilation()).groups(conv.groups());
    }

    /**
     * Settings that convert a spatial kernel {@code [Cout, Cin, k, k]} (and a bias {@code [Cout]} or null) to the
     * Fourier form; the backend is the weight's.
     */
    public static Builder fromWeight(Tensor weight, Tensor bias) {
        if (weight.rank() != 4 || weight.size(2) != weight.size(3)) {
            throw new IllegalArgumentException("FDConv2d.fromWeight: needs an OIHW weight with a square kernel, got "
                    + weight.shape());
        }
        Builder b = new Builder(weight.backend(), (int) weight.size(1), (int) weight.size(0), (int) weight.size(2));
        b.initialWeight = weight;
        b.initialBias = bias;
        b.bias = bias != null;
        return b;
    }

    /** Settings of an {@link FDConv2d}; defaults: stride 1, padding 0, dilation 1, groups 1, bias, official options. */
    @API(status = API.Status.STABLE, since = "1.0")
    public static final class Builder {
        private final TensorBackend backend;
        private final int inChannels;
        private final int outChannels;
        private final int kernelSize;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;
        private Generator generator;
        private FDConvOptions options = FDConvOptions.defaults();
        private Tensor initialWeight;
        private Tensor initialBias;

        private Builder(TensorBackend backend, int inChannels, int outChannels, int kernelSize) {
            this.backend = backend;
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernelSize = kernelSize;
        }

        /** The same stride on both axes. */
        public Builder stride(int s) {
            return stride(new int[] {s, s});
        }

        /** Stride {@code [sH, sW]}. */
        public Builder stride(int[] s) {
            stride = pair("stride", s, 1);
            return this;
        }

        /** The same zero padding on both axes. */
        public Builder padding(int p) {
            return padding(new int[] {p, p});
        }

        /** Zero padding {@code [pH, pW]}. */
        public Builder padding(int[] p) {
            padding = pair("padding", p, 0);
            return this;
        }

        /** The same dilation on both axes. */
        public Builder dilation(int d) {
            return dilation(new int[] {d, d});
        }

        /** Dilation {@code [dH, dW]}. */
        public Builder dilation(int[] d) {
            dilation = pair("dilation", d, 1);
            return this;
        }

        /** Channel groups; FDConv mode needs 1 (plain mode accepts any). */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Whether the layer has a bias. */
        public Builder bias(boolean b) {
            bias = b;
            if (!b) {
                initialBias = null;
            }
            return this;
        }

        /** The generator of the initial weights. */
        public Builder generator(Generator g) {
            generator = g;
            return this;
        }

        /** The FDConv hyperparameters. */
        public Builder options(FDConvOptions o) {
            options = java.util.Objects.requireNonNull(o, "options");
            return this;
        }

        /** Shortcut: these options with {@code kernel_num = n}. */
        public Builder kernelNum(int n) {
            options = options.toBuilder().kernelNum(n).build();
            return this;
        }

        /** The layer. */
        public FDConv2d build() {
            return new FDConv2d(this);
        }

        private static int[] pair(String what, int[] v, int min) {
            if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
                throw new IllegalArgumentException("FDConv2d: " + what + " must be two values >= " + min + ", got "
                        + Arrays.toString(v));
            }
            return v.clone();
        }
    }
}
