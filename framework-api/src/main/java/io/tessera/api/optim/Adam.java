package io.tessera.api.optim;

import io.tessera.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Adam with PyTorch's {@code torch.optim.Adam} rule (L2 weight decay added to the gradient; for decoupled decay use
 * {@link AdamW}):
 *
 * <pre>
 * g = grad + weight_decay * p
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * vmax = max(vmax, v)                                   (amsgrad)
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupled;
    private final Tensor[] m;
    private final Tensor[] v;
    private final Tensor[] vmax;
    private final long[] t;

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Adam with every option of PyTorch's. */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean amsgrad) {
        this(params, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean amsgrad, boolean decoupled) {
        super(params, lr);
        String name = decoupled ? "AdamW" : "Adam";
        checkBeta(name, "beta1", beta1);
        checkBeta(name, "beta2", beta2);
        checkNonNegative(name, "eps", eps);
        checkNonNegative(name, "weight_decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
        int n = params.size();
        this.m = new Tensor[n];
        this.v = new Tensor[n];
        this.vmax = new Tensor[n];
        this.t = new long[n];
        for (int i = 0; i < n; i++) {
            m[i] = newState(params.get(i));
            v[i] = newState(params.get(i));
            if (amsgrad) {
                vmax[i] = newState(params.get(i));
            }
        }
    }

    @Override
    protected void saveCounters(Map<String, long[]> out) {
        out.put("t", t.clone());
    }

    @Override
    protected void checkCounters(Map<String, long[]> counters) {
        requireCounter(counters, "t", t.length);
    }

    @Override
    protected void loadCounters(Map<String, long[]> counters) {
        System.arraycopy(counters.get("t"), 0, t, 0, t.length);
    }

    @Override
    protected void update(int index, Tensor param, Tensor grad) {
        long step = ++t[index];
        double lr = learningRate();
        Tensor g = grad;
        if (weightDecay != 0) {
            if (decoupled) {
                param.mulInPlace(1 - lr * weightDecay);
            } else {
                g = grad.add(param.mul(weightDecay));
            }
        }
        // In-place updates on fresh temporaries keep the step at four allocations per parameter.
        m[index].mulInPlace(beta1).addInPlace(g, 1 - beta1);
        Tensor sq = g.square();
        v[index].mulInPlace(beta2).addInPlace(sq.mulInPlace(1 - beta2));
        Tensor second = v[index];
        if (amsgrad) {
            vmax[index].copyFrom(vmax[index].maximum(v[index]));
            second = vmax[index];
        }
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        Tensor denom = second.sqrt().mulInPlace(1 / Math.sqrt(bc2)).addInPlace(eps);
        param.subInPlace(m[index].div(denom).mulInPlace(lr / bc1));
    }
}
