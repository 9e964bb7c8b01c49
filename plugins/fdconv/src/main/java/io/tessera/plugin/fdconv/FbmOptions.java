package io.tessera.plugin.fdconv;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Frequency band modulation settings, the official {@code fbm_cfg} (spec §5.7).
 *
 * @param kList         band cut-offs: band {@code j} keeps frequencies below {@code 0.5 / kList[j]} (Chebyshev
 *                      norm); must be increasing so that the masks are nested ({@code [2, 4, 8]})
 * @param lowfreqAtt    whether the lowest band gets its own gate too (official {@code lowfreq_att}, default false)
 * @param act           the gate activation ({@code 2σ} or {@code 1 + tanh})
 * @param spatialGroup  channel groups sharing one gate map (official {@code spatial_group}, default 1; values above
 *                      64 mean one group per channel, as in the official code)
 * @param spatialKernel size of the gate convolutions (default 3)
 * @param zeroInit      official {@code init='zero'}: gate weights {@code N(0, 1e-6)} and zero bias, so every gate
 *                      starts at 1; false keeps the default convolution initialisation
 * @param maxH          rows of the grid the masks are built on before resampling (default 64)
 * @param maxW          columns of that grid (default 64; the mask grid has {@code maxW / 2 + 1} columns)
 */
@API(status = API.Status.STABLE, since = "1.0")
public record FbmOptions(List<Integer> kList, boolean lowfreqAtt, GateActivation act, int spatialGroup,
                         int spatialKernel, boolean zeroInit, int maxH, int maxW) {

    public FbmOptions {
        kList = List.copyOf(kList);
        if (kList.isEmpty()) {
            throw new IllegalArgumentException("fbm k_list must name at least one band cut-off, e.g. [2, 4, 8]");
        }
        for (int i = 0; i < kList.size(); i++) {
            if (kList.get(i) < 1 || (i > 0 && kList.get(i) <= kList.get(i - 1))) {
                throw new IllegalArgumentException("fbm k_list " + kList + " must hold increasing positive integers"
                        + " (the band masks must be nested), e.g. [2, 4, 8]");
            }
        }
        if (act == null) {
            throw new IllegalArgumentException("fbm act must be SIGMOID or TANH");
        }
        if (spatialGroup < 1) {
            throw new IllegalArgumentException("fbm spatial_group must be >= 1, was " + spatialGroup);
        }
        if (spatialKernel < 1 || spatialKernel % 2 == 0) {
            throw new IllegalArgumentException("fbm spatial_kernel must be odd and positive (padding is kernel // 2),"
                    + " was " + spatialKernel);
        }
        if (maxH < 1 || maxW < 2) {
            throw new IllegalArgumentException("fbm max_size must be at least [1, 2], was [" + maxH + ", " + maxW
                    + "]");
        }
    }

    /** The official configuration: {@code k_list [2,4,8]}, no low-band gate, sigmoid, one group, 3×3, zero init, 64×64. */
    public static FbmOptions defaults() {
        return new FbmOptions(List.of(2, 4, 8), false, GateActivation.SIGMOID, 1, 3, true, 64, 64);
    }

    /** The number of band masks, {@code nb}. */
    public int bands() {
        return kList.size();
    }

    /** These options with other cut-offs. */
    public FbmOptions withKList(List<Integer> k) {
        return new FbmOptions(k, lowfreqAtt, act, spatialGroup, spatialKernel, zeroInit, maxH, maxW);
    }

    /** These options with or without a gate on the lowest band. */
    public FbmOptions withLowfreqAtt(boolean on) {
        return new FbmOptions(kList, on, act, spatialGroup, spatialKernel, zeroInit, maxH, maxW);
    }

    /** These options with another gate activation. */
    public FbmOptions withAct(GateActivation a) {
        return new FbmOptions(kList, lowfreqAtt, a, spatialGroup, spatialKernel, zeroInit, maxH, maxW);
    }

    /** These options with another number of channel groups per gate. */
    public FbmOptions withSpatialGroup(int g) {
        return new FbmOptions(kList, lowfreqAtt, act, g, spatialKernel, zeroInit, maxH, maxW);
    }
}
