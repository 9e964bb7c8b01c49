package io.tessera.api.nn;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * Batch normalisation over the channels of an NCHW input, PyTorch's {@code nn.BatchNorm2d}. Parameters
 * {@code weight} (ones) and {@code bias} (zeros); buffers {@code running_mean} (zeros), {@code running_var} (ones)
 * and {@code num_batches_tracked} (int64 0), the names PyTorch's state dicts use. In training it normalises with the
 * batch statistics and updates the running ones ({@code (1-momentum) * running + momentum * batch}, unbiased
 * variance); in eval it uses the running statistics.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class BatchNorm2d extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(TensorBackend backend, int numFeatures) {
        this(backend, numFeatures, 1e-5, 0.1, true, true);
    }

    /**
     * @param affine             whether to learn a per-channel scale and shift
     * @param trackRunningStats  whether to keep running statistics; without them eval mode also uses batch statistics
     */
    public BatchNorm2d(TensorBackend backend, int numFeatures, double eps, double momentum, boolean affine,
            boolean trackRunningStats) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("BatchNorm2d: num_features must be >= 1, got " + numFeatures);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", affine ? backend.ones(numFeatures) : null);
        this.bias = registerParameter("bias", affine ? backend.zeros(numFeatures) : null);
        this.runningMean = registerBuffer("running_mean", trackRunningStats ? backend.zeros(numFeatures) : null);
        this.runningVar = registerBuffer("running_var", trackRunningStats ? backend.ones(numFeatures) : null);
        this.numBatchesTracked = registerBuffer("num_batches_tracked",
                trackRunningStats ? backend.zeros(Shape.SCALAR, DType.INT64) : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.size(1) != numFeatures) {
            throw new IllegalArgumentException("BatchNorm2d(" + numFeatures + "): expected an NCHW input with "
                    + numFeatures + " channels, got shape " + input.shape());
        }
        boolean useBatchStats = isTraining() || runningMean == null;
        if (isTraining() && numBatchesTracked != null) {
            numBatchesTracked.addInPlace(1);
        }
        return Functional.batchNorm(input, runningMean, runningVar, weight, bias,
                useBatchStats, momentum, eps);
    }

    /** The per-channel scale, or null without affine. */
    public Tensor weight() {
        return weight;
    }

    /** The per-channel shift, or null without affine. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean, or null when not tracked. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, or null when not tracked. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** Training batches seen, or null when not tracked. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null)
                + ", track_running_stats=" + (runningMean != null);
    }
}
