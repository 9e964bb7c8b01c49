package io.tessera.api.tensor;

import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Neural-network ops and losses as functions of tensors, with PyTorch semantics (NCHW activations, OIHW conv weights,
 * {@code [out, in]} linear weights). Ops backed by a dedicated kernel (convolution, pooling, interpolation,
 * normalisation) record that kernel's backward; the rest are compositions of tensor ops and differentiate through
 * them.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Functional {
    private Functional() {
    }

    // --------------------------------------------------------------------------------------------------- linear

    /** {@code x @ weight^T + bias}; x {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() < 1 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + x.describe() + " and weight " + weight.describe()
                    + " do not fit; weight must be [out_features, in_features] with in_features = x.size(-1)");
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias " + bias.describe() + " must be [" + weight.size(0) + "]");
        }
        same("linear", x, "weight", weight);
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("linear: input " + x.describe() + " must be floating point");
        }
        try (TensorScope sc = Tensors.scope()) {
            long rows = 1;
            for (int d = 0; d < x.rank() - 1; d++) {
                rows *= x.size(d);
            }
            Tensor x2 = x.rank() == 2 ? x : x.reshape(rows, x.size(-1));
            // x W^T and its gradients by the fused transposed-matmul kernel: no transposed copy of W is made
            Tensor y = Tensor.matmulKernel(x2, false, weight, true);
            y = Autograd.record("linear", y, new Tensor[] {x2, weight}, g -> new Tensor[] {
                x2.requiresGrad() ? Tensor.matmulKernel(g, false, weight, false) : null,
                weight.requiresGrad() ? Tensor.matmulKernel(g, true, x2, false) : null});
            if (x.rank() != 2) {
                long[] d = x.dims();
                d[d.length - 1] = weight.size(0);
                y = y.reshape(d);
            }
            return sc.keep(bias == null ? y : y.add(bias));
        }
    }

    /** Rows of {@code weight} ({@code [num, dim]}) picked by int64 {@code indices}: shape {@code indices + [dim]}. */
    public static Tensor embedding(Tensor weight, Tensor indices) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("embedding: weight must be [num_embeddings, dim], got "
                    + weight.describe());
        }
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("embedding: indices must be int64, got " + indices.describe());
        }
        long[] d = Arrays.copyOf(indices.dims(), indices.rank() + 1);
        d[indices.rank()] = weight.size(1);
        try (TensorScope sc = Tensors.scope()) {
            Tensor flat = indices.reshape(indices.numel());
            return sc.keep(weight.indexSelect(0, flat).reshape(d));
        }
    }

    // ---------------------------------------------------------------------------------------------- convolution

    /** 2-D convolution (cross-correlation), NCHW input, OIHW weight, optional bias. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        String op = "conv2d";
        checkNchw(op, "x", x);
        same(op, x, "weight", weight);
        if (weight.rank() != 4) {
            throw new IllegalArgumentException(op + ": weight must be OIHW (rank 4), got " + weight.describe());
        }
        if (groups < 1 || x.size(1) % groups != 0 || weight.size(0) % groups != 0
                || weight.size(1) * groups != x.size(1)) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + ", weight " + weight.describe()
                    + " and groups=" + groups + " do not fit: need C_in % groups == 0, C_out % groups == 0 and"
                    + " weight.size(1) == C_in / groups");
        }
        checkBias(op, bias, weight.size(0), x);
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] dl = pair(op, "dilation", dilation, 1);
        for (int a = 0; a < 2; a++) {
            long eff = (long) dl[a] * (weight.size(2 + a) - 1) + 1;
            if (x.size(2 + a) + 2L * p[a] < eff) {
                throw new IllegalArgumentException(op + ": input " + x.describe() + " with padding "
                        + Arrays.toString(p) + " is smaller than the dilated kernel (" + eff + ") on axis " + (2 + a));
            }
        }
        TensorBackend be = x.backend();
        Tensor r = Tensor.wrap(be, be.kernels.conv2d(x.live(op, "x"), weight.live(op, "weight"),
                bias == null ? null : bias.live(op, "bias"), s, p, dl, groups));
        return Autograd.record(op, r, new Tensor[] {x, weight, bias}, g -> {
            TensorKernels.ConvGrads cg = be.kernels.conv2dBackward(x.live(op, "x"), weight.live(op, "weight"), bias != null,
                    g.live(op, "grad"), s, p, dl, groups);
            return grads(be, cg, x, weight, bias);
        });
    }

    /** Transposed 2-D convolution, NCHW input, IOHW weight {@code [C_in, C_out/groups, kH, kW]}. */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation, int groups) {
        String op = "convTranspose2d";
        checkNchw(op, "x", x);
        same(op, x, "weight", weight);
        if (weight.rank() != 4 || weight.size(0) != x.size(1) || groups < 1 || x.size(1) % groups != 0) {
            throw new IllegalArgumentException(op + ": weight " + weight.describe() + " must be IOHW [C_in="
                    + x.size(1) + ", C_out/groups, kH, kW] for input " + x.describe() + " and groups=" + groups);
        }
        checkBias(op, bias, weight.size(1) * groups, x);
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] op2 = pair(op, "outputPadding", outputPadding, 0);
        int[] dl = pair(op, "dilation", dilation, 1);
        TensorBackend be = x.backend();
        Tensor r = Tensor.wrap(be, be.kernels.convTranspose2d(x.live(op, "x"), weight.live(op, "weight"),
                bias == null ? null : bias.live(op, "bias"), s, p, op2, dl, groups));
        return Autograd.record(op, r, new Tensor[] {x, weight, bias}, g -> {
            TensorKernels.ConvGrads cg = be.kernels.convTranspose2dBackward(x.live(op, "x"), weight.live(op, "weight"),
                    bias != null, g.live(op, "grad"), s, p, op2, dl, groups);
            return grads(be, cg, x, weight, bias);
        });
    }

    private static Tensor[] grads(TensorBackend be, TensorKernels.ConvGrads cg, Tensor x, Tensor w, Tensor b) {
        Tensor dx = Tensor.wrap(be, cg.dx());
        Tensor dw = Tensor.wrap(be, cg.dw());
        Tensor db = cg.db() == null ? null : Tensor.wrap(be, cg.db());
        return new Tensor[] {dx, dw, db};
    }

    // ------------------------------------------------------------------------------------------------- pooling

    /**
     * Max-pooling result.
     *
     * @param values  pooled maxima
     * @param indices int64 arg-max positions, flat in each input H*W plane
     */
    public record Pooled(Tensor values, Tensor indices) {
    }

    /** Max pooling (floor mode, dilation 1). {@code stride} null means the kernel size. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return maxPool2d(x, kernel, stride, padding, new int[] {1, 1}, false);
    }

    /**
     * Max pooling with every option of PyTorch's {@code F.max_pool2d}; {@code stride} null means the kernel size.
     * The arg-max indices the backward pass reads are held by the result and close with it.
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        Pooled p = maxPool2dWithIndices(x, kernel, stride, padding, dilation, ceilMode);
        if (p.values().requiresGrad()) {
            p.values().attach(p.indices());
        } else {
            p.indices().close();
        }
        return p.values();
    }

    /** Max pooling with the arg-max indices (PyTorch's {@code return_indices=True}). */
    public static Pooled maxPool2dWithIndices(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                              boolean ceilMode) {
        String op = "maxPool2d";
        checkNchw(op, "x", x);
        int[] k = pair(op, "kernel", kernel, 1);
        int[] s = stride == null ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        checkWindow(op, x, k, p, d);
        TensorBackend be = x.backend();
        TensorKernels.StoragePair r = be.kernels.maxPool2d(x.live(op, "x"), k, s, p, d, ceilMode);
        Tensor values = Tensor.wrap(be, r.first());
        Tensor indices = Tensor.wrap(be, r.second());
        Shape in = x.shape();
        Autograd.record(op, values, new Tensor[] {x}, g -> new Tensor[] {
            Tensor.wrap(be, be.kernels.maxPool2dBackward(g.live(op, "grad"), indices.live(op, "indices"), in))}, indices);
        return new Pooled(values, indices);
    }

    /** Average pooling. {@code stride} null means the kernel size. */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        String op = "avgPool2d";
        checkNchw(op, "x", x);
        int[] k = pair(op, "kernel", kernel, 1);
        int[] s = stride == null ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        checkWindow(op, x, k, p, new int[] {1, 1});
        TensorBackend be = x.backend();
        Tensor r = Tensor.wrap(be, be.kernels.avgPool2d(x.live(op, "x"), k, s, p, ceilMode, countIncludePad));
        Shape in = x.shape();
        return Autograd.record(op, r, new Tensor[] {x}, g -> new Tensor[] {
            Tensor.wrap(be, be.kernels.avgPool2dBackward(g.live(op, "grad"), in, k, s, p, ceilMode, countIncludePad))});
    }

    /** Average pooling with kernel = stride, no padding. */
    public static Tensor avgPool2d(Tensor x, int[] kernel) {
        return avgPool2d(x, kernel, null, new int[] {0, 0}, false, true);
    }

    /** Adaptive average pooling to {@code [oH, oW]}. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
        String op = "adaptiveAvgPool2d";
        checkNchw(op, "x", x);
        int[] o = pair(op, "outputSize", outputSize, 1);
        TensorBackend be = x.backend();
        Tensor r = Tensor.wrap(be, be.kernels.adaptiveAvgPool2d(x.live(op, "x"), o));
        Shape in = x.shape();
        return Autograd.record(op, r, new Tensor[] {x}, g -> new Tensor[] {
            Tensor.wrap(be, be.kernels.adaptiveAvgPool2dBackward(g.live(op, "grad"), in))});
    }

    /** Resamples an NCHW tensor to {@code size = [oH, oW]}. */
    public static Tensor interpolate(Tensor x, int[] size, InterpolationMode mode, boolean alignCorners) {
        String op = "interpolate";
        checkNchw(op, "x", x);
        int[] o = pair(op, "size", size, 1);
        if (mode == InterpolationMode.NEAREST && alignCorners) {
            throw new IllegalArgumentException(op + ": alignCorners applies to bilinear mode only");
        }
        TensorBackend be = x.backend();
        Tensor r = Tensor.wrap(be, be.kernels.interpolate(x.live(op, "x"), o, mode, alignCorners));
        Shape in = x.shape();
        return Autograd.record(op, r, new Tensor[] {x}, g -> new Tensor[] {
            Tensor.wrap(be, be.kernels.interpolateBackward(g.live(op, "grad"), in, mode, alignCorners))});
    }

    /** Resamples by scale factors: output size {@code floor(in * scale)} per spatial axis. */
    public static Tensor interpolate(Tensor x, double scaleH, double scaleW, InterpolationMode mode,
                                     boolean alignCorners) {
        checkNchw("interpolate", "x", x);
        int[] size = {(int) Math.floor(x.size(2) * scaleH), (int) Math.floor(x.size(3) * scaleW)};
        return interpolate(x, size, mode, alignCorners);
    }

    // ------------------------------------------------------------------------------------------- normalisation

    /**
     * Training-mode batch norm result.
     *
     * @param out       normalised output (differentiable)
     * @param batchMean per-channel batch mean
     * @param batchVar  per-channel biased batch variance
     */
    public record BatchNormOutput(Tensor out, Tensor batchMean, Tensor batchVar) {
    }

    /** Training-mode batch norm over all axes but 1, returning the batch statistics too. */
    public static BatchNormOutput batchNormTraining(Tensor x, Tensor weight, Tensor bias, double eps) {
        String op = "batchNorm";
        checkChannels(op, x, weight, bias);
        TensorBackend be = x.backend();
        TensorKernels.NormResult nr = be.kernels.batchNormTrain(x.live(op, "x"), opt(op, "weight", weight),
                opt(op, "bias", bias), eps);
        Tensor out = Tensor.wrap(be, nr.out());
        Tensor mean = Tensor.wrap(be, nr.mean());
        Tensor var = Tensor.wrap(be, nr.var());
        Autograd.record(op, out, new Tensor[] {x, weight, bias}, g -> {
            TensorKernels.NormGrads ng = be.kernels.batchNormBackward(g.live(op, "grad"), x.live(op, "x"),
                    opt(op, "weight", weight), mean.live(op, "mean"), var.live(op, "var"), eps, true);
            return normGrads(be, ng, weight, bias);
        }, mean, var);
        return new BatchNormOutput(out, mean, var);
    }

    /**
     * Batch norm as PyTorch's {@code F.batch_norm}: in training, normalises with batch statistics and updates
     * {@code runningMean}/{@code runningVar} in place (momentum, unbiased variance); in eval, uses them.
     * {@code weight}, {@code bias}, and in training the running stats, may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        String op = "batchNorm";
        if (training) {
            BatchNormOutput o = batchNormTraining(x, weight, bias, eps);
            long m = x.numel() / x.size(1);
            try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                if (runningMean != null) {
                    runningMean.mulInPlace(1 - momentum).addInPlace(o.batchMean(), momentum);
                }
                if (runningVar != null) {
                    runningVar.mulInPlace(1 - momentum)
                            .addInPlace(o.batchVar(), momentum * m / Math.max(1, m - 1));
                }
            }
            if (o.out().requiresGrad()) {
                // the backward pass reads the batch statistics: they live as long as the output
                o.out().attach(o.batchMean());
                o.out().attach(o.batchVar());
            } else {
                o.batchMean().close();
                o.batchVar().close();
            }
            return o.out();
        }
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException(op + ": eval mode needs running_mean and running_var");
        }
        checkChannels(op, x, weight, bias);
        checkChannels(op, x, runningMean, runningVar);
        TensorBackend be = x.backend();
        Tensor out = Tensor.wrap(be, be.kernels.batchNormEval(x.live(op, "x"), opt(op, "weight", weight),
                opt(op, "bias", bias), runningMean.live(op, "running_mean"), runningVar.live(op, "running_var"), eps));
        return Autograd.record(op, out, new Tensor[] {x, weight, bias}, g -> {
            TensorKernels.NormGrads ng = be.kernels.batchNormBackward(g.live(op, "grad"), x.live(op, "x"),
                    opt(op, "weight", weight), runningMean.live(op, "running_mean"),
                    runningVar.live(op, "running_var"), eps, false);
            return normGrads(be, ng, weight, bias);
        }, runningMean, runningVar);
    }

    /** Layer norm over the trailing {@code normalizedShape}; weight and bias (that shape) may be null. */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layerNorm";
        int k = normalizedShape.length;
        long[] tail = Arrays.copyOfRange(x.dims(), Math.max(0, x.rank() - k), x.rank());
        if (k == 0 || k > x.rank() || !Arrays.equals(tail, normalizedShape)) {
            throw new IllegalArgumentException(op + ": normalized shape " + Arrays.toString(normalizedShape)
                    + " must be the trailing dims of input " + x.describe());
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null) {
                same(op, x, t == weight ? "weight" : "bias", t);
                if (!Arrays.equals(t.dims(), normalizedShape)) {
                    throw new IllegalArgumentException(op + ": " + (t == weight ? "weight " : "bias ") + t.describe()
                            + " must have the normalized shape " + Arrays.toString(normalizedShape));
                }
            }
        }
        if (x.numel() == 0) {
            // an empty batch: an empty output, and zero gradients (kernels never see an empty input)
            TensorBackend eb = x.backend();
            Tensor out = eb.zeros(x.shape(), x.dtype());
            return Autograd.record(op, out, new Tensor[] {x, weight, bias}, g -> new Tensor[] {
                eb.zeros(x.shape(), x.dtype()), weight == null ? null : eb.zeros(weight.shape(), x.dtype()),
                bias == null ? null : eb.zeros(bias.shape(), x.dtype())});
        }
        TensorBackend be = x.backend();
        TensorKernels.NormResult nr = be.kernels.layerNorm(x.live(op, "x"), opt(op, "weight", weight),
                opt(op, "bias", bias), k, eps);
        Tensor out = Tensor.wrap(be, nr.out());
        Tensor mean = Tensor.wrap(be, nr.mean());
        Tensor var = Tensor.wrap(be, nr.var());
        Autograd.record(op, out, new Tensor[] {x, weight, bias}, g -> {
            TensorKernels.NormGrads ng = be.kernels.layerNormBackward(g.live(op, "grad"), x.live(op, "x"),
                    opt(op, "weight", weight), mean.live(op, "mean"), var.live(op, "var"), k, eps);
            return normGrads(be, ng, weight, bias);
        }, mean, var);
        if (out.requiresGrad()) {
            out.attach(mean);
            out.attach(var);
        } else {
            mean.close();
            var.close();
        }
        return out;
    }

    /** Group norm over {@code groups} channel groups of an {@code [N, C, ...]} input; weight/bias {@code [C]}. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        String op = "groupNorm";
        if (x.rank() < 2 || groups < 1 || x.size(1) % groups != 0) {
            throw new IllegalArgumentException(op + ": channels of " + x.describe() + " must divide into " + groups
                    + " groups");
        }
        checkChannels(op, x, weight, bias);
        try (TensorScope sc = Tensors.scope()) {
            long n = x.size(0);
            Tensor g = x.reshape(n, groups, -1);
            Tensor mu = g.mean(2, true);
            Tensor d = g.sub(mu);
            Tensor var = d.square().mean(2, true);
            Tensor y = d.div(var.add(eps).sqrt()).reshape(x.shape());
            long[] bshape = new long[x.rank()];
            Arrays.fill(bshape, 1);
            bshape[1] = x.size(1);
            if (weight != null) {
                y = y.mul(weight.reshape(bshape));
            }
            if (bias != null) {
                y = y.add(bias.reshape(bshape));
            }
            return sc.keep(y);
        }
    }

    private static Tensor[] normGrads(TensorBackend be, TensorKernels.NormGrads ng, Tensor w, Tensor b) {
        return new Tensor[] {Tensor.wrap(be, ng.dx()),
            w == null || ng.dweight() == null ? null : Tensor.wrap(be, ng.dweight()),
            b == null || ng.dbias() == null ? null : Tensor.wrap(be, ng.dbias())};
    }

    // ---------------------------------------------------------------------------------------------- activations

    /** Dropout: in training, zeroes elements with probability {@code p} and scales the rest by {@code 1/(1-p)}. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout: probability " + p + " must be in [0, 1]");
        }
        if (!training || p == 0) {
            return x.copy();
        }
        try (TensorScope sc = Tensors.scope()) {
            if (p == 1) {
                return sc.keep(x.mul(0.0));
            }
            Tensor keep = generator.bernoulli(x.backend(), x.shape(), 1 - p).to(x.dtype());
            return sc.keep(x.mul(keep).div(1 - p));
        }
    }

    /** int64 one-hot encoding: {@code out[..., k] = indices[...] == k}. */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("oneHot: indices must be int64, got " + indices.describe());
        }
        try (TensorScope sc = Tensors.scope()) {
            Tensor classes = indices.backend().arange(numClasses);
            return sc.keep(indices.unsqueeze(-1).eq(classes).to(DType.INT64));
        }
    }

    // -------------------------------------------------------------------------------------------------- losses

    /** Mean cross-entropy of logits {@code [N, C, ...]} against int64 class indices {@code [N, ...]}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, 0.0);
    }

    /**
     * Mean cross-entropy with label smoothing {@code ls}: per sample
     * {@code -(1-ls) logp[target] - ls/C sum_c logp[c]}, class axis 1.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, double labelSmoothing) {
        String op = "crossEntropy";
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": target must be int64 class indices, got "
                    + target.describe());
        }
        checkClassTarget(op, logits, target);
        long c = logits.size(1);
        try (TensorScope sc = Tensors.scope()) {
            Tensor logp = logits.logSoftmax(1);
            Tensor picked = logp.gather(1, target.unsqueeze(1)).squeeze(1);
            Tensor loss = picked.mul(-(1 - labelSmoothing));
            if (labelSmoothing != 0) {
                loss = loss.sub(logp.sum(1, false).mul(labelSmoothing / c));
            }
            return sc.keep(loss.mean());
        }
    }

    /**
     * Checks that {@code target} has the shape of {@code logits} without the class axis 1 ({@code [N, C, d1, ...]}
     * against {@code [N, d1, ...]}), so a mismatch is reported in the caller's terms rather than by a gather inside.
     * Shared with {@code io.tessera.api.nn.Losses}.
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public static void checkClassTarget(String op, Tensor logits, Tensor target) {
        boolean ok = logits.rank() >= 2 && target.rank() == logits.rank() - 1;
        for (int d = 0; ok && d < target.rank(); d++) {
            ok = target.size(d) == logits.size(d == 0 ? 0 : d + 1);
        }
        if (!ok) {
            long[] want = new long[Math.max(0, logits.rank() - 1)];
            for (int d = 0; d < want.length; d++) {
                want[d] = logits.size(d == 0 ? 0 : d + 1);
            }
            throw new IllegalArgumentException(op + ": target " + target.describe() + " does not fit logits "
                    + logits.describe() + ": logits need shape [N, C, d1, ...] and the target [N, d1, ...]"
                    + (logits.rank() >= 2 ? ", here " + Shape.of(want) : ""));
        }
    }

    /**
     * Mean binary cross-entropy with logits: {@code (1 - t) x + softplus(-x)}, which equals
     * {@code max(x,0) - x t + ln(1 + e^-|x|)} but differentiates smoothly at {@code x = 0} (the max/abs form gave a
     * gradient missing sigmoid(0) = 1/2 there; found by the differential fuzz corpus).
     */
    public static Tensor bceWithLogits(Tensor x, Tensor target) {
        sameShape("bceWithLogits", x, "target", target);
        try (TensorScope sc = Tensors.scope()) {
            Tensor l = x.mul(target.rsub(1)).add(x.neg().softplus());
            return sc.keep(l.mean());
        }
    }

    /** Mean squared error. */
    public static Tensor mseLoss(Tensor x, Tensor target) {
        sameShape("mseLoss", x, "target", target);
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(x.sub(target).square().mean());
        }
    }

    /** Mean absolute error. */
    public static Tensor l1Loss(Tensor x, Tensor target) {
        sameShape("l1Loss", x, "target", target);
        try (TensorScope sc = Tensors.scope()) {
            return sc.keep(x.sub(target).abs().mean());
        }
    }

    /**
     * KL divergence with {@code input} = log-probabilities, {@code target} = probabilities, reduction
     * {@code batchmean}: {@code sum(target (ln target - input)) / N}, with 0 where {@code target == 0}.
     */
    public static Tensor klDiv(Tensor input, Tensor target) {
        sameShape("klDiv", input, "target", target);
        try (TensorScope sc = Tensors.scope()) {
            Tensor pos = target.gt(0);
            Tensor safeLog = Tensors.where(pos, target, input.backend().ones(Shape.SCALAR, target.dtype())).log();
            Tensor pw = target.mul(safeLog.sub(input));
            return sc.keep(pw.sum().div(input.rank() == 0 ? 1 : input.size(0)));
        }
    }

    /** Cosine similarity along {@code axis} (removed): {@code sum(x1 x2) / max(|x1| |x2|, eps)}. */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int axis, double eps) {
        same("cosineSimilarity", x1, "x2", x2);
        Shape.broadcast("cosineSimilarity", x1.shape(), x2.shape());
        try (TensorScope sc = Tensors.scope()) {
            Tensor dot = x1.mul(x2).sum(axis, false);
            Tensor n = x1.norm(new int[] {axis}, false).mul(x2.norm(new int[] {axis}, false)).clampMin(eps);
            return sc.keep(dot.div(n));
        }
    }

    // ------------------------------------------------------------------------------------------------- checks

    private static TensorStorage opt(String op, String arg, Tensor t) {
        return t == null ? null : t.live(op, arg);
    }

    private static void checkNchw(String op, String arg, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be NCHW (rank 4), got "
                    + x.describe());
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be floating point, got "
                    + x.describe());
        }
        x.live(op, arg);
    }

    private static void same(String op, Tensor ref, String arg, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' is null");
        }
        if (t.backend() != ref.backend()) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + t.describe() + " is on backend "
                    + t.backend().name() + " but the input " + ref.describe() + " is on " + ref.backend().name());
        }
        if (t.dtype() != ref.dtype()) {
            throw new IllegalArgumentException(op + ": dtype mismatch: argument '" + arg + "' is " + t.describe()
                    + " but the input is " + ref.describe());
        }
        t.live(op, arg);
    }

    private static void sameShape(String op, Tensor x, String arg, Tensor t) {
        same(op, x, arg, t);
        if (!x.shape().equals(t.shape())) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' " + t.describe()
                    + " must have the input's shape " + x.shape());
        }
    }

    private static void checkBias(String op, Tensor bias, long channels, Tensor x) {
        if (bias == null) {
            return;
        }
        same(op, x, "bias", bias);
        if (bias.rank() != 1 || bias.size(0) != channels) {
            throw new IllegalArgumentException(op + ": bias " + bias.describe() + " must be [" + channels + "]");
        }
    }

    private static void checkChannels(String op, Tensor x, Tensor a, Tensor b) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " needs a channel axis 1");
        }
        for (Tensor t : new Tensor[] {a, b}) {
            if (t == null) {
                continue;
            }
            same(op, x, t == a ? "weight" : "bias", t);
            if (t.rank() != 1 || t.size(0) != x.size(1)) {
                throw new IllegalArgumentException(op + ": per-channel argument " + t.describe() + " must be ["
                        + x.size(1) + "] for input " + x.describe());
            }
        }
    }

    private static void checkWindow(String op, Tensor x, int[] k, int[] p, int[] d) {
        for (int a = 0; a < 2; a++) {
            if (p[a] * 2 > k[a]) {
                throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p) + " must be at most half"
                        + " the kernel " + Arrays.toString(k));
            }
            long eff = (long) d[a] * (k[a] - 1) + 1;
            if (x.size(2 + a) + 2L * p[a] < eff) {
                throw new IllegalArgumentException(op + ": input " + x.describe() + " is smaller than the window "
                        + Arrays.toString(k) + " on axis " + (2 + a));
            }
        }
    }

    private static int[] pair(String op, String name, int[] v, int min) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must have 2 values [H, W], got "
                    + Arrays.toString(v));
        }
        for (int x : v) {
            if (x < min) {
                throw new IllegalArgumentException(op + ": " + name + " " + Arrays.toString(v) + " must be >= " + min);
            }
        }
        return v.clone();
    }
}
