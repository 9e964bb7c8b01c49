package io.tessera.plugin.fdconv;

import org.apiguardian.api.API;

/**
 * Where FDConv applies the channel and filter gains (spec §5.8). Both orders are mathematically identical; they
 * differ only in cost and float rounding.
 */
@API(status = API.Status.STABLE, since = "1.0")
public enum ModulationOrder {
    /**
     * The official choice: weight modulation when {@code Cout·Cin·k² < (Cin + Cout)·H·W} (the kernel is smaller than
     * the feature maps it would otherwise scale), else feature modulation.
     */
    AUTO,
    /** Fold the channel and filter gains into the per-sample kernel. */
    WEIGHT,
    /** Scale the input per input channel and the output per output channel instead. */
    FEATURE
}
