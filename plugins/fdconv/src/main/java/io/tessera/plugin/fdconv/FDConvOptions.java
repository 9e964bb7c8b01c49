package io.tessera.plugin.fdconv;

import java.util.List;
import org.apiguardian.api.API;

/**
 * The FDConv hyperparameters of spec §6, with the official defaults ({@link #defaults()}). Names follow the official
 * keyword arguments in camel case.
 *
 * <pre>{@code
 * FDConvOptions o = FDConvOptions.defaults().toBuilder().kernelNum(64).build();   // the official COCO configs
 * }</pre>
 *
 * @param kernelNum        number of frequency groups {@code kn} (default 4); {@link #AUTO_KERNEL_NUM} is the official
 *                         {@code None}: {@code Cout / 2} groups and kernel temperature {@code sqrt(kn · P)}
 * @param reduction        attention width factor: {@code A = max(floor(Cin · reduction), minChannel)} (0.0625)
 * @param minChannel       minimum attention width (16)
 * @param attMulti         the gain range of the sigmoid gains, {@code att_multi · σ} (2.0)
 * @param temp             temperature {@code T} of the channel, filter and spatial gains; null (the default) means
 *                         {@code kernelTemp}
 * @param kernelTemp       temperature {@code KT} of the group gain (1.0)
 * @param paramRatio       official {@code param_ratio}; only 1 is supported (spec §9)
 * @param paramReduction   official {@code param_reduction}; only 1.0 is supported (spec §9)
 * @param useFdconvIfCGt   the layer is a plain convolution unless {@code min(Cin, Cout)} exceeds this (16)
 * @param useFdconvIfKIn   kernel sizes that get FDConv; others stay plain convolutions ([1, 3])
 * @param useFbmIfKIn      kernel sizes that get frequency band modulation ([3]); empty disables FBM
 * @param useFbmForStride  also use FBM for any kernel size when the stride is above 1 (false)
 * @param useKsmLocal      whether the dense local gain {@code a_l} is used (true)
 * @param ksmLocalAct      the local gain's activation (sigmoid)
 * @param ksmGlobalAct     the global gains' activation (sigmoid)
 * @param ksmOnlyKernelAtt keep only the group gain of the global branch (no channel, filter or spatial heads; false)
 * @param fbm              frequency band modulation settings
 * @param modulationOrder  where the channel and filter gains are applied (spec §5.8; default the official choice)
 */
@API(status = API.Status.STABLE, since = "1.0")
public record FDConvOptions(int kernelNum, double reduction, int minChannel, double attMulti, Double temp,
                            double kernelTemp, int paramRatio, double paramReduction, int useFdconvIfCGt,
                            List<Integer> useFdconvIfKIn, List<Integer> useFbmIfKIn, boolean useFbmForStride,
                            boolean useKsmLocal, GateActivation ksmLocalAct, GateActivation ksmGlobalAct,
                            boolean ksmOnlyKernelAtt, FbmOptions fbm, ModulationOrder modulationOrder) {

    /** {@link #kernelNum()} value standing for the official {@code kernel_num=None}. */
    public static final int AUTO_KERNEL_NUM = 0;

    public FDConvOptions {
        useFdconvIfKIn = List.copyOf(useFdconvIfKIn);
        useFbmIfKIn = List.copyOf(useFbmIfKIn);
        if (kernelNum < 0) {
            throw new IllegalArgumentException("kernel_num must be >= 1 (or 0 for the official None: Cout / 2), was "
                    + kernelNum);
        }
        if (!(reduction > 0) || minChannel < 1) {
            throw new IllegalArgumentException("reduction must be > 0 and min_channel >= 1, were " + reduction
                    + " and " + minChannel);
        }
        if (!(attMulti > 0)) {
            throw new IllegalArgumentException("att_multi must be > 0, was " + attMulti);
        }
        if ((temp != null && !(temp > 0)) || !(kernelTemp > 0)) {
            throw new IllegalArgumentException("temp and kernel_temp must be > 0, were " + temp + " and "
                    + kernelTemp);
        }
        if (paramRatio != 1 || paramReduction != 1.0) {
            throw new IllegalArgumentException("param_ratio=" + paramRatio + ", param_reduction=" + paramReduction
                    + ": only the official defaults 1 and 1.0 are implemented (replicated or truncated Fourier tables"
                    + " are outside spec §9)");
        }
        if (ksmLocalAct == null || ksmGlobalAct == null || fbm == null || modulationOrder == null) {
            throw new IllegalArgumentException("ksm_local_act, ksm_global_act, fbm and modulation order must be set");
        }
    }

    /** The official defaults (spec §6). */
    public static FDConvOptions defaults() {
        return new FDConvOptions(4, 0.0625, 16, 2.0, null, 1.0, 1, 1.0, 16, List.of(1, 3), List.of(3), false, true,
                GateActivation.SIGMOID, GateActivation.SIGMOID, false, FbmOptions.defaults(), ModulationOrder.AUTO);
    }

    /** The settings used by the official COCO configs: the defaults with {@code kernel_num = 64}. */
    public static FDConvOptions officialCoco() {
        return defaults().toBuilder().kernelNum(64).build();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** The number of groups for a layer with {@code outChannels} (resolves {@link #AUTO_KERNEL_NUM}). */
    public int kernelNumFor(int outChannels) {
        return kernelNum == AUTO_KERNEL_NUM ? outChannels / 2 : kernelNum;
    }

    /** The group-gain temperature {@code KT} for a layer with {@code outChannels}. */
    public double kernelTempFor(int outChannels) {
        return kernelNum == AUTO_KERNEL_NUM ? Math.sqrt(kernelNumFor(outChannels) * (double) paramRatio) : kernelTemp;
    }

    /** The temperature {@code T} of the other global gains for a layer with {@code outChannels}. */
    public double tempFor(int outChannels) {
        return temp != null ? temp : kernelTempFor(outChannels);
    }

    /** Mutable settings for {@link FDConvOptions}; every setter names the official keyword. */
    @API(status = API.Status.STABLE, since = "1.0")
    public static final class Builder {
        private int kernelNum;
        private double reduction;
        private int minChannel;
        private double attMulti;
        private Double temp;
        private double kernelTemp;
        private int paramRatio;
        private double paramReduction;
        private int useFdconvIfCGt;
        private List<Integer> useFdconvIfKIn;
        private List<Integer> useFbmIfKIn;
        private boolean useFbmForStride;
        private boolean useKsmLocal;
        private GateActivation ksmLocalAct;
        private GateActivation ksmGlobalAct;
        private boolean ksmOnlyKernelAtt;
        private FbmOptions fbm;
        private ModulationOrder modulationOrder;

        private Builder(FDConvOptions o) {
            kernelNum = o.kernelNum;
            reduction = o.reduction;
            minChannel = o.minChannel;
            attMulti = o.attMulti;
            temp = o.temp;
            kernelTemp = o.kernelTemp;
            paramRatio = o.paramRatio;
            paramReduction = o.paramReduction;
            useFdconvIfCGt = o.useFdconvIfCGt;
            useFdconvIfKIn = o.useFdconvIfKIn;
            useFbmIfKIn = o.useFbmIfKIn;
            useFbmForStride = o.useFbmForStride;
            useKsmLocal = o.useKsmLocal;
            ksmLocalAct = o.ksmLocalAct;
            ksmGlobalAct = o.ksmGlobalAct;
            ksmOnlyKernelAtt = o.ksmOnlyKernelAtt;
            fbm = o.fbm;
            modulationOrder = o.modulationOrder;
        }

        /** {@code kernel_num}; {@link #AUTO_KERNEL_NUM} for the official None. */
        public Builder kernelNum(int v) {
            kernelNum = v;
            return this;
        }

        /** {@code reduction}. */
        public Builder reduction(double v) {
            reduction = v;
            return this;
        }

        /** {@code min_channel}. */
        public Builder minChannel(int v) {
            minChannel = v;
            return this;
        }

        /** {@code att_multi}. */
        public Builder attMulti(double v) {
            attMulti = v;
            return this;
        }

        /** {@code temp}; null means {@code kernel_temp}. */
        public Builder temp(Double v) {
            temp = v;
            return this;
        }

        /** {@code kernel_temp}. */
        public Builder kernelTemp(double v) {
            kernelTemp = v;
            return this;
        }

        /** {@code param_ratio} (only 1 is accepted). */
        public Builder paramRatio(int v) {
            paramRatio = v;
            return this;
        }

        /** {@code param_reduction} (only 1.0 is accepted). */
        public Builder paramReduction(double v) {
            paramReduction = v;
            return this;
        }

        /** {@code use_fdconv_if_c_gt}. */
        public Builder useFdconvIfCGt(int v) {
            useFdconvIfCGt = v;
            return this;
        }

        /** {@code use_fdconv_if_k_in}. */
        public Builder useFdconvIfKIn(List<Integer> v) {
            useFdconvIfKIn = v;
            return this;
        }

        /** {@code use_fbm_if_k_in}; an empty list disables FBM. */
        public Builder useFbmIfKIn(List<Integer> v) {
            useFbmIfKIn = v;
            return this;
        }

        /** {@code use_fbm_for_stride}. */
        public Builder useFbmForStride(boolean v) {
            useFbmForStride = v;
            return this;
        }

        /** {@code use_ksm_local}. */
        public Builder useKsmLocal(boolean v) {
            useKsmLocal = v;
            return this;
        }

        /** {@code ksm_local_act}. */
        public Builder ksmLocalAct(GateActivation v) {
            ksmLocalAct = v;
            return this;
        }

        /** {@code ksm_global_act}. */
        public Builder ksmGlobalAct(GateActivation v) {
            ksmGlobalAct = v;
            return this;
        }

        /** {@code ksm_only_kernel_att}. */
        public Builder ksmOnlyKernelAtt(boolean v) {
            ksmOnlyKernelAtt = v;
            return this;
        }

        /** {@code fbm_cfg}. */
        public Builder fbm(FbmOptions v) {
            fbm = v;
            return this;
        }

        /** The modulation order (spec §5.8). */
        public Builder modulationOrder(ModulationOrder v) {
            modulationOrder = v;
            return this;
        }

        /** The validated options. */
        public FDConvOptions build() {
            return new FDConvOptions(kernelNum, reduction, minChannel, attMulti, temp, kernelTemp, paramRatio,
                    paramReduction, useFdconvIfCGt, useFdconvIfKIn, useFbmIfKIn, useFbmForStride, useKsmLocal,
                    ksmLocalAct, ksmGlobalAct, ksmOnlyKernelAtt, fbm, modulationOrder);
        }
    }
}
