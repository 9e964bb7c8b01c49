package io.tessera.plugin.dwff;

import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * The DWFF-Net training objective (spec §5): {@code total = 0.5·Dice + 0.5·Focal − 0.01·Entropy(ω)}, the official
 * {@code DiceFocalLoss()} (segmentation_models_pytorch 0.5.0 defaults) plus the entropy bonus of
 * {@code model.py::_common_step}. Background pixels count; nothing is ignored.
 *
 * <ul>
 *   <li><b>Dice</b> (multiclass, from logits, smooth 0, eps 1e-7): per class c over batch and pixels
 *       {@code dice_c = 2·ΣPT / max(ΣP + ΣT, 1e-7)}, {@code Dice = mean_c[(1 − dice_c)·1(ΣT_c > 0)]}, i.e. divided by
 *       all K classes with absent classes contributing 0.</li>
 *   <li><b>Focal</b> (multiclass, γ 2, no α): one-vs-rest sigmoid focal per class, a mean over pixels, summed over
 *       classes.</li>
 *   <li><b>Entropy</b> of the fusion weights: {@code mean_b(−Σ_i ω log(ω + 1e-8))}, subtracted, so it pushes the
 *       weights toward uniform. NWFF and SWFF have no entropy term (spec §8).</li>
 * </ul>
 *
 * @param diceWeight    weight of the Dice part (0.5)
 * @param focalWeight   weight of the Focal part (0.5)
 * @param entropyLambda weight of the entropy bonus (0.01; 0 turns it off)
 * @param gamma         focal exponent (2)
 */
@API(status = API.Status.STABLE, since = "1.0")
public record DwffLoss(double diceWeight, double focalWeight, double entropyLambda, double gamma) {
    static final double DICE_EPS = 1e-7;
    static final double ENTROPY_EPS = 1e-8;

    /** The official objective of DWFF-Net. */
    public static DwffLoss official() {
        return new DwffLoss(0.5, 0.5, 0.01, 2.0);
    }

    /** The official objective for a fusion: NWFF and SWFF train without the entropy term. */
    public static DwffLoss forFusion(Fusion fusion) {
        return fusion == Fusion.DYNAMIC ? official() : new DwffLoss(0.5, 0.5, 0, 2.0);
    }

    /**
     * The loss and its parts (each a scalar tensor that records gradients).
     *
     * @param dice    the Dice loss
     * @param focal   the Focal loss
     * @param seg     {@code diceWeight·dice + focalWeight·focal}
     * @param entropy the mean entropy of the fusion weights (null when the entropy term is off)
     * @param total   {@code seg − entropyLambda·entropy}
     */
    public record Parts(Tensor dice, Tensor focal, Tensor seg, Tensor entropy, Tensor total) {
    }

    /**
     * Computes the loss of logits {@code [B, K, H, W]} against int64 labels {@code [B, H, W]} in {@code [0, K)};
     * {@code fusionWeights} {@code [B, L]} feed the entropy term (ignored, and may be null, when it is off).
     */
    public Parts compute(Tensor logits, Tensor target, Tensor fusionWeights) {
        if (logits.rank() != 4 || target.rank() != 3 || target.size(0) != logits.size(0)
                || target.size(1) != logits.size(2) || target.size(2) != logits.size(3)) {
            throw new IllegalArgumentException("DwffLoss: logits " + logits.shape() + " and target " + target.shape()
                    + " do not match; expected [B, K, H, W] and [B, H, W]");
        }
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException("DwffLoss: target must hold int64 class indices, got "
                    + target.dtype());
        }
        int k = (int) logits.size(1);
        Tensor onehot = Functional.oneHot(target, k).permute(0, 3, 1, 2).to(logits.dtype());
        Tensor dice = dice(logits, onehot);
        Tensor focal = focal(logits, onehot);
        Tensor seg = dice.mul(diceWeight).add(focal.mul(focalWeight));
        if (entropyLambda == 0) {
            return new Parts(dice, focal, seg, null, seg);
        }
        if (fusionWeights == null) {
            throw new IllegalArgumentException("DwffLoss: the entropy term needs the fusion weights [B, L]");
        }
        Tensor entropy = entropy(fusionWeights);
        return new Parts(dice, focal, seg, entropy, seg.sub(entropy.mul(entropyLambda)));
    }

    /** spec §5 Dice over all K classes with the absent-class mask. */
    static Tensor dice(Tensor logits, Tensor onehot) {
        int[] axes = {0, 2, 3};
        Tensor p = logits.softmax(1);
        Tensor intersection = p.mul(onehot).sum(axes, false);
        Tensor tSum = onehot.sum(axes, false);
        Tensor cardinality = p.sum(axes, false).add(tSum);
        Tensor score = intersection.mul(2).div(cardinality.clampMin(DICE_EPS));
        Tensor present = tSum.gt(0).to(logits.dtype());
        return score.rsub(1).mul(present).mean();
    }

    /** spec §5 one-vs-rest sigmoid focal: Σ_c mean_pixels((1 − pt)^γ ℓ); all classes share the pixel count. */
    Tensor focal(Tensor logits, Tensor onehot) {
        Tensor bce = Losses.bceWithLogits(logits, onehot, null, Reduction.NONE);
        Tensor pt = bce.neg().exp();
        Tensor miss = pt.rsub(1);
        Tensor term = (gamma == 2 ? miss.square() : miss.pow(gamma)).mul(bce);
        long pixels = logits.size(0) * logits.size(2) * logits.size(3);
        return term.sum().div(pixels);
    }

    /** spec §5: {@code mean_b(−Σ_i ω log(ω + 1e-8))}. */
    static Tensor entropy(Tensor weights) {
        return weights.mul(weights.add(ENTROPY_EPS).log()).sum(1, false).neg().mean();
    }
}
