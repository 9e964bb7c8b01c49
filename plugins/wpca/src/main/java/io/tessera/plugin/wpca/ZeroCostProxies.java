package io.tessera.plugin.wpca;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Training-free proxies of one freshly initialised candidate on one batch: W-PCA and its two components (spec §2, no
 * gradient), and two gradient-based zero-cost proxies for comparison: {@code synflow} (Tanaka et al. 2020: the
 * network with {@code |θ|} on an all-ones input, {@code Σ |θ ⊙ ∂R/∂θ|} with {@code R} the sum of the outputs) and
 * {@code grad_norm} (Abdelfattah et al. 2021: {@code Σ_p ||∂L/∂p||₂} of the cross-entropy on the batch).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class ZeroCostProxies {
    /** Every proxy name this class computes, in report order. */
    public static final List<String> ALL = List.of("wpca", "pca", "params", "synflow", "grad_norm");

    private ZeroCostProxies() {
    }

    /**
     * The W-PCA score of {@code model} on {@code images} (eval mode, no gradient): per-block PC counts of the FFN
     * pre-activations at {@code eta}, reduced over layers, with the encoder's parameter count.
     */
    public static WpcaScore wpca(EncoderClassifier model, Tensor images, double eta, LayerReduction reduction) {
        model.eval();
        List<Tensor> pre = new ArrayList<>();
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope s = Tensors.scope()) {
            model.forward(images, pre);
            return WpcaScore.ofBatch(pre, model.encoderParameterCount(), eta, reduction);
        } finally {
            pre.forEach(Tensor::close);
        }
    }

    /** SynFlow: the parameters are replaced by their absolute values (the model is consumed), input all ones. */
    public static double synflow(EncoderClassifier model, long batchShapeSeq, long tokenDim) {
        model.eval();
        try (TensorScope s = Tensors.scope()) {
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                for (Tensor p : model.parameters()) {
                    p.copyFrom(p.abs());
                }
            }
            model.zeroGrad();
            Tensor x = model.parameters().get(0).backend().ones(Shape.of(1, batchShapeSeq, tokenDim),
                    model.parameters().get(0).dtype());
            model.forward(x).sum().backward();
            double score = 0;
            for (Tensor p : model.parameters()) {
                if (p.grad() != null) {
                    score += p.mul(p.grad()).abs().sum().item();
                }
            }
            model.zeroGrad();
            return score;
        }
    }

    /** Grad-norm: {@code Σ_p ||∂L/∂p||₂} of the cross-entropy of {@code images} against {@code labels}. */
    public static double gradNorm(EncoderClassifier model, Tensor images, Tensor labels) {
        model.train();
        try (TensorScope s = Tensors.scope()) {
            model.zeroGrad();
            Functional.crossEntropy(model.forward(images), labels).backward();
            double score = 0;
            for (Tensor p : model.parameters()) {
                if (p.grad() != null) {
                    score += Math.sqrt(p.grad().square().sum().item());
                }
            }
            model.zeroGrad();
            return score;
        }
    }

    /** Checks a list of proxy names. */
    public static List<String> check(List<String> proxies) {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("proxies is empty; list some of " + ALL);
        }
        for (String p : proxies) {
            if (!ALL.contains(p.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("unknown proxy '" + p + "'; use some of " + ALL);
            }
        }
        return List.copyOf(proxies);
    }
}
