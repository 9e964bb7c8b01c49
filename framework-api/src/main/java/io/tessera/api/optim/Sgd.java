package io.tessera.api.optim;

import io.tessera.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} rule:
 *
 * <pre>
 * g = grad + weight_decay * p
 * if momentum != 0:
 *     buf = g                                   (first step)
 *     buf = momentum * buf + (1 - dampening) * g (later steps)
 *     g = g + momentum * buf  if nesterov  else  buf
 * p = p - lr * g
 * </pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final Tensor[] buffers;
    private final boolean[] started;

    /** Plain SGD. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /**
     * SGD with every option of PyTorch's.
     *
     * @throws IllegalArgumentException for negative values, or Nesterov without momentum or with dampening
     */
    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
            boolean nesterov) {
        super(params, lr);
        checkNonNegative("SGD", "momentum", momentum);
        checkNonNegative("SGD", "dampening", dampening);
        checkNonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new Tensor[params.size()];
        this.started = new boolean[params.size()];
        if (momentum != 0) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = newState(params.get(i));
            }
        }
    }

    @Override
    protected void saveCounters(Map<String, long[]> out) {
        long[] s = new long[started.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = started[i] ? 1 : 0;
        }
        out.put("momentum_started", s);
    }

    @Override
    protected void checkCounters(Map<String, long[]> counters) {
        requireCounter(counters, "momentum_started", started.length);
    }

    @Override
    protected void loadCounters(Map<String, long[]> counters) {
        long[] s = counters.get("momentum_started");
        for (int i = 0; i < started.length; i++) {
            started[i] = s[i] != 0;
        }
    }

    @Override
    protected void update(int index, Tensor param, Tensor grad) {
        Tensor g = weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
        if (momentum != 0) {
            Tensor buf = buffers[index];
            if (!started[index]) {
                buf.copyFrom(g);
                started[index] = true;
            } else {
                buf.mulInPlace(momentum).addInPlace(g, 1 - dampening);
            }
            g = nesterov ? g.add(buf.mul(momentum)) : buf;
        }
        param.addInPlace(g, -learningRate());
    }
}
