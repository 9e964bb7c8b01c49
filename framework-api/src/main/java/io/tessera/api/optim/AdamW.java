package io.tessera.api.optim;

import io.tessera.api.tensor.Tensor;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Adam with decoupled weight decay, PyTorch's {@code torch.optim.AdamW}: first {@code p = p * (1 - lr * weight_decay)},
 * then the Adam update of the plain gradient. PyTorch's default weight decay is 0.01.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class AdamW extends Adam {

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    /** AdamW with every option of PyTorch's. */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean amsgrad) {
        super(params, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }
}
