package io.tessera.backend.cpu.kernels;

import java.util.Arrays;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Normalisation layers, forward and backward, statistics accumulated in double: batch norm (training with batch
 * statistics and running-statistics update, and evaluation), layer norm over the trailing dims, group norm. Inputs are
 * {@code [N, C, *]} for batch and group norm and {@code [..., *normalized_shape]} for layer norm. Weight and bias are
 * nullable (no affine transform).
 */
@API(status = API.Status.INTERNAL, since = "1.0")
public final class NormKernels {

    /**
     * Result of batch norm in training mode.
     *
     * @param out                the normalised output, shaped like the input
     * @param batchMean          per-channel batch mean {@code [C]}
     * @param batchVar           per-channel biased batch variance {@code [C]} (the one used to normalise)
     * @param invStd             per-channel {@code 1/sqrt(batchVar + eps)} {@code [C]}, saved for the backward pass
     * @param runningMeanUpdated {@code (1-momentum)*running_mean + momentum*batchMean}, or null without running stats
     * @param runningVarUpdated  {@code (1-momentum)*running_var + momentum*unbiased batch variance}, or null
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public record BatchNormTrainResult(INDArray out, INDArray batchMean, INDArray batchVar, INDArray invStd,
                                       INDArray runningMeanUpdated, INDArray runningVarUpdated) {
    }

    /**
     * Result of layer or group norm.
     *
     * @param out  the normalised output, shaped like the input
     * @param mean the mean of each normalised group ({@code [outer]} for layer norm, {@code [N, groups]} for group
     *             norm)
     * @param rstd {@code 1/sqrt(var + eps)} of each group, same shape as {@code mean}
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public record NormResult(INDArray out, INDArray mean, INDArray rstd) {
    }

    /**
     * Gradients of a normalisation layer.
     *
     * @param dx      gradient with respect to the input
     * @param dweight gradient with respect to the weight, or null when there was no weight
     * @param dbias   gradient with respect to the bias, or null when there was no bias
     */
    @API(status = API.Status.INTERNAL, since = "1.0")
    public record NormGrads(INDArray dx, INDArray dweight, INDArray dbias) {
    }

    private NormKernels() {
    }

    /** {N, C, S}: batch, channels, elements per channel and sample. */
    private static int[] ncs(String op, INDArray x) {
        KernelArrays.require(x != null && x.rank() >= 2, op + ": input must be [N, C, ...] (rank >= 2) but has shape "
                + (x == null ? "null" : Arrays.toString(x.shape())));
        long s = 1;
        for (int d = 2; d < x.rank(); d++) {
            s *= x.size(d);
        }
        return new int[] {(int) x.size(0), (int) x.size(1), Math.toIntExact(s)};
    }

    private static float[] perChannel(String op, String name, INDArray a, int c) {
        if (a == null) {
            return null;
        }
        KernelArrays.require(a.length() == c, op + ": " + name + " must have " + c + " elements (one per channel) but"
                + " has shape " + Arrays.toString(a.shape()));
        return KernelArrays.floats(a);
    }

    /** Batch norm in training mode; {@code runningMean}/{@code runningVar} may be null (no running statistics). */
    public static BatchNormTrainResult batchNormTrain(INDArray x, INDArray weight, INDArray bias,
                                                      INDArray runningMean, INDArray runningVar, double momentum,
                                                      double eps) {
        String op = "batch_norm (training)";
        int[] d = ncs(op, x);
        int n = d[0];
        int c = d[1];
        int s = d[2];
        long m = (long) n * s;
        KernelArrays.require(m > 1 || runningVar == null, op + ": training needs more than one value per channel, got"
                + " input shape " + Arrays.toString(x.shape()));
        float[] xs = KernelArrays.floats(x);
        float[] w = perChannel(op, "weight", weight, c);
        float[] b = perChannel(op, "bias", bias, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        float[] out = new float[xs.length];
        float[] mean = new float[c];
        float[] var = new float[c];
        float[] inv = new float[c];
        float[] rmNew = rm == null ? null : new float[c];
        float[] rvNew = rv == null ? null : new float[c];
        KernelArrays.parallelFor(c, m * 3, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    sum += xs[base + k];
                }
            }
            double mu = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    double t = xs[base + k] - mu;
                    sq += t * t;
                }
            }
            double v = sq / m;
            double r = 1.0 / Math.sqrt(v + eps);
            double scale = w == null ? r : r * w[ch];
            double shift = (b == null ? 0 : b[ch]) - mu * scale;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    out[base + k] = (float) (xs[base + k] * scale + shift);
                }
            }
            mean[ch] = (float) mu;
            var[ch] = (float) v;
            inv[ch] = (float) r;
            if (rmNew != null) {
                rmNew[ch] = (float) ((1 - momentum) * rm[ch] + momentum * mu);
            }
            if (rvNew != null) {
                rvNew[ch] = (float) ((1 - momentum) * rv[ch] + momentum * (m > 1 ? sq / (m - 1) : v));
            }
        });
        return new BatchNormTrainResult(KernelArrays.array(out, x.shape()), KernelArrays.array(mean, c),
                KernelArrays.array(var, c), KernelArrays.array(inv, c),
                rmNew == null ? null : KernelArrays.array(rmNew, c), rvNew == null ? null : KernelArrays.array(rvNew, c));
    }

    /**
     * Backward of training-mode batch norm (gradients flow through the batch statistics). {@code batchMean} and
     * {@code invStd} come from {@link #batchNormTrain}.
     */
    public static NormGrads batchNormTrainBackward(INDArray x, INDArray weight, boolean hasBias, INDArray gradOut,
                                                   INDArray batchMean, INDArray invStd) {
        String op = "batch_norm (training) backward";
        int[] d = ncs(op, x);
        requireSameShape(op, x, gradOut);
        int n = d[0];
        int c = d[1];
        int s = d[2];
        long m = (long) n * s;
        float[] xs = KernelArrays.floats(x);
        float[] g = KernelArrays.floats(gradOut);
        float[] w = perChannel(op, "weight", weight, c);
        float[] mu = perChannel(op, "batch_mean", batchMean, c);
        float[] r = perChannel(op, "inv_std", invStd, c);
        float[] dx = new float[xs.length];
        float[] dw = new float[c];
        float[] db = new float[c];
        KernelArrays.parallelFor(c, m * 3, ch -> {
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    double gv = g[base + k];
                    sg += gv;
                    sgx += gv * (xs[base + k] - mu[ch]);
                }
            }
            double rc = r[ch];
            double sgxhat = sgx * rc;
            double wc = w == null ? 1 : w[ch];
            // dx = w*rstd/m * (m*g - sum(g) - xhat*sum(g*xhat))
            double k1 = wc * rc;
            double meanG = sg / m;
            double meanGx = sgxhat / m;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    double xhat = (xs[base + k] - mu[ch]) * rc;
                    dx[base + k] = (float) (k1 * (g[base + k] - meanG - xhat * meanGx));
                }
            }
            dw[ch] = (float) sgxhat;
            db[ch] = (float) sg;
        });
        return new NormGrads(KernelArrays.array(dx, x.shape()), w == null ? null : KernelArrays.array(dw, c),
                hasBias ? KernelArrays.array(db, c) : null);
    }

    /** Batch norm in evaluation mode: normalises with the running statistics, which stay unchanged. */
    public static INDArray batchNormEval(INDArray x, INDArray weight, INDArray bias, INDArray runningMean,
                                         INDArray runningVar, double eps) {
        String op = "batch_norm (eval)";
        int[] d = ncs(op, x);
        int c = d[1];
        int s = d[2];
        float[] xs = KernelArrays.floats(x);
        double[][] ab = evalAffine(op, weight, bias, runningMean, runningVar, eps, c);
        float[] out = new float[xs.length];
        KernelArrays.parallelFor(d[0] * c, s, p -> {
            int ch = p % c;
            for (int k = 0; k < s; k++) {
                out[p * s + k] = (float) (xs[p * s + k] * ab[0][ch] + ab[1][ch]);
            }
        });
        return KernelArrays.array(out, x.shape());
    }

    /** Backward of evaluation-mode batch norm; the running statistics are constants. */
    public static NormGrads batchNormEvalBackward(INDArray x, INDArray weight, boolean hasBias, INDArray gradOut,
                                                  INDArray runningMean, INDArray runningVar, double eps) {
        String op = "batch_norm (eval) backward";
        int[] d = ncs(op, x);
        requireSameShape(op, x, gradOut);
        int n = d[0];
        int c = d[1];
        int s = d[2];
        float[] xs = KernelArrays.floats(x);
        float[] g = KernelArrays.floats(gradOut);
        float[] w = perChannel(op, "weight", weight, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        float[] dx = new float[xs.length];
        float[] dw = new float[c];
        float[] db = new float[c];
        KernelArrays.parallelFor(c, (long) n * s * 2, ch -> {
            double r = 1.0 / Math.sqrt(rv[ch] + eps);
            double k1 = r * (w == null ? 1 : w[ch]);
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    double gv = g[base + k];
                    sg += gv;
                    sgx += gv * (xs[base + k] - rm[ch]) * r;
                    dx[base + k] = (float) (gv * k1);
                }
            }
            dw[ch] = (float) sgx;
            db[ch] = (float) sg;
        });
        return new NormGrads(KernelArrays.array(dx, x.shape()), w == null ? null : KernelArrays.array(dw, c),
                hasBias ? KernelArrays.array(db, c) : null);
    }

    private static double[][] evalAffine(String op, INDArray weight, INDArray bias, INDArray runningMean,
                                         INDArray runningVar, double eps, int c) {
        KernelArrays.require(runningMean != null && runningVar != null,
                op + ": evaluation mode needs running_mean and running_var");
        float[] w = perChannel(op, "weight", weight, c);
        float[] b = perChannel(op, "bias", bias, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double r = 1.0 / Math.sqrt(rv[ch] + eps);
            scale[ch] = r * (w == null ? 1 : w[ch]);
            shift[ch] = (b == null ? 0 : b[ch]) - rm[ch] * scale[ch];
        }
        return new double[][] {scale, shift};
    }

    /**
     * Layer norm over the trailing {@code normalizedShape} dims of {@code x}; weight and bias (nullable) have shape
     * {@code normalizedShape}.
     */
    public static NormResult layerNorm(INDArray x, long[] normalizedShape, INDArray weight, INDArray bias,
                                       double eps) {
        String op = "layer_norm";
        int inner = innerSize(op, x, normalizedShape);
        int outer = (int) (x.length() / Math.max(1, inner));
        float[] w = affine(op, "weight", weight, inner);
        float[] b = affine(op, "bias", bias, inner);
        float[] xs = KernelArrays.floats(x);
        float[] out = new float[xs.length];
        float[] mean = new float[outer];
        float[] rstd = new float[outer];
        KernelArrays.parallelFor(outer, inner * 3L, o -> {
            int base = o * inner;
            double[] st = stats(xs, base, inner, 1, eps);
            for (int k = 0; k < inner; k++) {
                double y = (xs[base + k] - st[0]) * st[1];
                out[base + k] = (float) (y * (w == null ? 1 : w[k]) + (b == null ? 0 : b[k]));
            }
            mean[o] = (float) st[0];
            rstd[o] = (float) st[1];
        });
        return new NormResult(KernelArrays.array(out, x.shape()), KernelArrays.array(mean, outer),
                KernelArrays.array(rstd, outer));
    }

    /** Backward of {@link #layerNorm}; {@code mean} and {@code rstd} come from its result. */
    public static NormGrads layerNormBackward(INDArray x, long[] normalizedShape, INDArray weight, boolean hasBias,
                                              INDArray gradOut, INDArray mean, INDArray rstd) {
        String op = "layer_norm backward";
        requireSameShape(op, x, gradOut);
        int inner = innerSize(op, x, normalizedShape);
        int outer = (int) (x.length() / Math.max(1, inner));
        float[] w = affine(op, "weight", weight, inner);
        float[] xs = KernelArrays.floats(x);
        float[] g = KernelArrays.floats(gradOut);
        float[] mu = KernelArrays.floats(mean);
        float[] rs = KernelArrays.floats(rstd);
        KernelArrays.require(mu.length == outer && rs.length == outer, op + ": mean and rstd must hold " + outer
                + " values, one per normalised row");
        float[] dx = new float[xs.length];
        KernelArrays.parallelFor(outer, inner * 3L, o -> {
            int base = o * inner;
            double r = rs[o];
            double sgw = 0;
            double sgwx = 0;
            for (int k = 0; k < inner; k++) {
                double gw = g[base + k] * (w == null ? 1.0 : w[k]);
                sgw += gw;
                sgwx += gw * (xs[base + k] - mu[o]) * r;
            }
            double mg = sgw / inner;
            double mgx = sgwx / inner;
            for (int k = 0; k < inner; k++) {
                double gw = g[base + k] * (w == null ? 1.0 : w[k]);
                double xhat = (xs[base + k] - mu[o]) * r;
                dx[base + k] = (float) (r * (gw - mg - xhat * mgx));
            }
        });
        INDArray dw = null;
        INDArray db = null;
        if (w != null || hasBias) {
            double[] sw = new double[inner];
            double[] sb = new double[inner];
            // rows of the trailing block are summed column-wise; split the columns over threads
            KernelArrays.parallelFor(inner, outer * 2L, k -> {
                double aw = 0;
                double ab = 0;
                for (int o = 0; o < outer; o++) {
                    double gv = g[o * inner + k];
                    aw += gv * (xs[o * inner + k] - mu[o]) * rs[o];
                    ab += gv;
                }
                sw[k] = aw;
                sb[k] = ab;
            });
            long[] ns = normalizedShape;
            dw = w == null ? null : KernelArrays.array(toFloats(sw), ns);
            db = hasBias ? KernelArrays.array(toFloats(sb), ns) : null;
        }
        return new NormGrads(KernelArrays.array(dx, x.shape()), dw, db);
    }

    /** Group norm: channels split into {@code groups} groups, each normalised over its channels and spatial dims. */
    public static NormResult groupNorm(INDArray x, int groups, INDArray weight, INDArray bias, double eps) {
        String op = "group_norm";
        int[] d = ncs(op, x);
        int n = d[0];
        int c = d[1];
        int s = d[2];
        KernelArrays.require(groups >= 1 && c % groups == 0, op + ": " + c + " channels cannot be split into "
                + groups + " groups");
        float[] w = perChannel(op, "weight", weight, c);
        float[] b = perChannel(op, "bias", bias, c);
        float[] xs = KernelArrays.floats(x);
        int cpg = c / groups;
        int gsize = cpg * s;
        float[] out = new float[xs.length];
        float[] mean = new float[n * groups];
        float[] rstd = new float[n * groups];
        KernelArrays.parallelFor(n * groups, gsize * 3L, ng -> {
            int base = ng * gsize;
            double[] st = stats(xs, base, gsize, 1, eps);
            int c0 = (ng % groups) * cpg;
            for (int cc = 0; cc < cpg; cc++) {
                double scale = st[1] * (w == null ? 1 : w[c0 + cc]);
                double shift = (b == null ? 0 : b[c0 + cc]) - st[0] * scale;
                int cb = base + cc * s;
                for (int k = 0; k < s; k++) {
                    out[cb + k] = (float) (xs[cb + k] * scale + shift);
                }
            }
            mean[ng] = (float) st[0];
            rstd[ng] = (float) st[1];
        });
        return new NormResult(KernelArrays.array(out, x.shape()), KernelArrays.array(mean, n, groups),
                KernelArrays.array(rstd, n, groups));
    }

    /** Backward of {@link #groupNorm}; {@code mean} and {@code rstd} ({@code [N, groups]}) come from its result. */
    public static NormGrads groupNormBackward(INDArray x, int groups, INDArray weight, boolean hasBias,
                                              INDArray gradOut, INDArray mean, INDArray rstd) {
        String op = "group_norm backward";
        int[] d = ncs(op, x);
        requireSameShape(op, x, gradOut);
        int n = d[0];
        int c = d[1];
        int s = d[2];
        KernelArrays.require(groups >= 1 && c % groups == 0, op + ": " + c + " channels cannot be split into "
                + groups + " groups");
        int cpg = c / groups;
        int gsize = cpg * s;
        float[] w = perChannel(op, "weight", weight, c);
        float[] xs = KernelArrays.floats(x);
        float[] g = KernelArrays.floats(gradOut);
        float[] mu = KernelArrays.floats(mean);
        float[] rs = KernelArrays.floats(rstd);
        KernelArrays.require(mu.length == n * groups && rs.length == n * groups, op + ": mean and rstd must be [N, "
                + "groups] = [" + n + ", " + groups + "]");
        float[] dx = new float[xs.length];
        KernelArrays.parallelFor(n * groups, gsize * 3L, ng -> {
            int base = ng * gsize;
            int c0 = (ng % groups) * cpg;
            double r = rs[ng];
            double sgw = 0;
            double sgwx = 0;
            for (int cc = 0; cc < cpg; cc++) {
                double wc = w == null ? 1 : w[c0 + cc];
                int cb = base + cc * s;
                for (int k = 0; k < s; k++) {
                    double gw = g[cb + k] * wc;
                    sgw += gw;
                    sgwx += gw * (xs[cb + k] - mu[ng]) * r;
                }
            }
            double mg = sgw / gsize;
            double mgx = sgwx / gsize;
            for (int cc = 0; cc < cpg; cc++) {
                double wc = w == null ? 1 : w[c0 + cc];
                int cb = base + cc * s;
                for (int k = 0; k < s; k++) {
                    double xhat = (xs[cb + k] - mu[ng]) * r;
                    dx[cb + k] = (float) (r * (g[cb + k] * wc - mg - xhat * mgx));
                }
            }
        });
        float[] dw = new float[c];
        float[] db = new float[c];
        KernelArrays.parallelFor(c, (long) n * s * 2, ch -> {
            int grp = ch / cpg;
            double aw = 0;
            double ab = 0;
            for (int i = 0; i < n; i++) {
                int cb = (i * c + ch) * s;
                int ng = i * groups + grp;
                for (int k = 0; k < s; k++) {
                    double gv = g[cb + k];
                    aw += gv * (xs[cb + k] - mu[ng]) * rs[ng];
                    ab += gv;
                }
            }
            dw[ch] = (float) aw;
            db[ch] = (float) ab;
        });
        return new NormGrads(KernelArrays.array(dx, x.shape()), w == null ? null : KernelArrays.array(dw, c),
                hasBias ? KernelArrays.array(db, c) : null);
    }

    /** {mean, 1/sqrt(biased var + eps)} of {@code count} values from {@code base}, two-pass in double. */
    private static double[] stats(float[] xs, int base, int count, int step, double eps) {
        double sum = 0;
        for (int k = 0; k < count; k++) {
            sum += xs[base + k * step];
        }
        double mu = sum / count;
        double sq = 0;
        for (int k = 0; k < count; k++) {
            double t = xs[base + k * step] - mu;
            sq += t * t;
        }
        return new double[] {mu, 1.0 / Math.sqrt(sq / count + eps)};
    }

    private static int innerSize(String op, INDArray x, long[] normalizedShape) {
        KernelArrays.require(normalizedShape != null && normalizedShape.length >= 1
                && normalizedShape.length <= x.rank(), op + ": normalized_shape " + Arrays.toString(normalizedShape)
                + " must name 1 to " + x.rank() + " trailing dims of the input " + Arrays.toString(x.shape()));
        long inner = 1;
        for (int i = 0; i < normalizedShape.length; i++) {
            long dim = x.size(x.rank() - normalizedShape.length + i);
            KernelArrays.require(dim == normalizedShape[i], op + ": normalized_shape "
                    + Arrays.toString(normalizedShape) + " does not match the trailing dims of the input "
                    + Arrays.toString(x.shape()));
            inner *= dim;
        }
        return Math.toIntExact(inner);
    }

    private static float[] affine(String op, String name, INDArray a, int inner) {
        if (a == null) {
            return null;
        }
        KernelArrays.require(a.length() == inner, op + ": " + name + " must have normalized_shape ("
                + inner + " elements) but has shape " + Arrays.toString(a.shape()));
        return KernelArrays.floats(a);
    }

    private static void requireSameShape(String op, INDArray x, INDArray gradOut) {
        KernelArrays.require(gradOut != null && Arrays.equals(x.shape(), gradOut.shape()), op + ": gradOut must have"
                + " the input shape " + Arrays.toString(x.shape()) + " but has "
                + (gradOut == null ? "null" : Arrays.toString(gradOut.shape())));
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
