package io.tessera.plugin.wpca;

import io.tessera.api.tensor.Tensor;
import java.util.List;
import org.apiguardian.api.API;

/**
 * W-PCA and its two components for one network on one or more batches (spec §2): per layer the PC count of the FFN
 * pre-activation {@code [B·L, d_l]} at {@code eta}, reduced over layers, combined with the parameter count, and
 * averaged over batches weighted by their size (the official {@code AverageMeter} over up to 3 validation batches).
 *
 * @param counts    the per-layer PC counts of the last batch scored
 * @param pcaScore  the size-weighted mean over batches of the reduced counts ({@code S_PCA})
 * @param params    the parameter count
 * @param reduction how the layers were reduced
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record WpcaScore(int[] counts, double pcaScore, long params, LayerReduction reduction) {

    /** The value of {@code proxy}. */
    public double value(Proxy proxy) {
        return proxy.combine(pcaScore, params);
    }

    /** W-PCA ({@code params × S_PCA}). */
    public double wpca() {
        return value(Proxy.WPCA);
    }

    /**
     * The per-layer counts of one batch's pre-activations, each {@code [N, d_l]} (or {@code [B, L, d_l]}, reshaped to
     * {@code [B·L, d_l]}, every position counted as in the official code).
     */
    public static int[] layerCounts(List<Tensor> preActivations, double eta) {
        int[] out = new int[preActivations.size()];
        for (int l = 0; l < out.length; l++) {
            Tensor h = preActivations.get(l);
            if (h.rank() < 2) {
                throw new IllegalArgumentException("W-PCA: pre-activation of layer " + l + " has shape " + h.shape()
                        + "; it must be [tokens, units] or [batch, seq, units]");
            }
            out[l] = h.rank() == 2 ? PcaCount.count(h, eta) : countFlattened(h, eta);
        }
        return out;
    }

    private static int countFlattened(Tensor h, double eta) {
        try (Tensor flat = h.reshape(-1, h.size(-1))) {
            return PcaCount.count(flat, eta);
        }
    }

    /** The score of one batch. */
    public static WpcaScore ofBatch(List<Tensor> preActivations, long params, double eta, LayerReduction reduction) {
        int[] counts = layerCounts(preActivations, eta);
        return new WpcaScore(counts, reduction.reduce(counts), params, reduction);
    }

    /**
     * The size-weighted mean of several batches' scores of one network ({@code AverageMeter.update(val, n)}): every
     * score must have the same parameter count and reduction.
     */
    public static WpcaScore average(List<WpcaScore> scores, int[] batchSizes) {
        if (scores.isEmpty() || scores.size() != batchSizes.length) {
            throw new IllegalArgumentException("W-PCA: " + scores.size() + " batch scores but " + batchSizes.length
                    + " batch sizes; give one size per score, at least one");
        }
        double sum = 0;
        long n = 0;
        WpcaScore first = scores.get(0);
        for (int i = 0; i < scores.size(); i++) {
            WpcaScore s = scores.get(i);
            if (s.params != first.params || s.reduction != first.reduction) {
                throw new IllegalArgumentException("W-PCA: batch scores of different networks cannot be averaged");
            }
            if (batchSizes[i] < 1) {
                throw new IllegalArgumentException("W-PCA: batch size " + batchSizes[i] + " must be >= 1");
            }
            sum += s.pcaScore * batchSizes[i];
            n += batchSizes[i];
        }
        return new WpcaScore(scores.get(scores.size() - 1).counts, sum / n, first.params, first.reduction);
    }
}
