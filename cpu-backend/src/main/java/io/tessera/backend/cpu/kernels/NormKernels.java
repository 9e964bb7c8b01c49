package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
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
        INDArray xd = KernelArrays.dense(x);
        float[] w = perChannel(op, "weight", weight, c);
        float[] b = perChannel(op, "bias", bias, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        INDArray out = KernelArrays.uninitialized(x.shape());
        float[] mean = new float[c];
        float[] var = new float[c];
        float[] inv = new float[c];
        float[] rmNew = rm == null ? null : new float[c];
        float[] rvNew = rv == null ? null : new float[c];
        // blocked: each (sample, channel) plane is copied into a per-thread array, worked on in cache, copied out
        KernelArrays.parallelRanges(c, m * 4, (c0, c1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer ob = KernelArrays.buffer(out);
            float[] buf = KernelArrays.scratch(0, s);
            for (int ch = c0; ch < c1; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    xb.get((i * c + ch) * s, buf, 0, s);
                    sum += sum(buf, 0, s, 1, 0);
                }
                double mu = sum / m;
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    xb.get((i * c + ch) * s, buf, 0, s);
                    sq += sumSquares(buf, 0, s, 1, mu);
                }
                double v = sq / m;
                double r = 1.0 / Math.sqrt(v + eps);
                // elementwise work in float: the JIT vectorises it, float-double conversions it does not
                float muF = (float) mu;
                float scale = (float) (w == null ? r : r * w[ch]);
                float shift = b == null ? 0f : b[ch];
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    xb.get(base, buf, 0, s);
                    for (int k = 0; k < s; k++) {
                        buf[k] = (buf[k] - muF) * scale + shift;
                    }
                    ob.put(base, buf, 0, s);
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
            }
        });
        return new BatchNormTrainResult(out, KernelArrays.array(mean, c), KernelArrays.array(var, c),
                KernelArrays.array(inv, c), rmNew == null ? null : KernelArrays.array(rmNew, c),
                rvNew == null ? null : KernelArrays.array(rvNew, c));
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
        INDArray xd = KernelArrays.dense(x);
        INDArray gd = KernelArrays.dense(gradOut);
        float[] w = perChannel(op, "weight", weight, c);
        float[] mu = perChannel(op, "batch_mean", batchMean, c);
        float[] r = perChannel(op, "inv_std", invStd, c);
        INDArray dx = KernelArrays.uninitialized(x.shape());
        float[] dw = new float[c];
        float[] db = new float[c];
        KernelArrays.parallelRanges(c, m * 4, (c0, c1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer gb = KernelArrays.buffer(gd);
            FloatBuffer ob = KernelArrays.buffer(dx);
            float[] bx = KernelArrays.scratch(0, s);
            float[] bg = KernelArrays.scratch(1, s);
            for (int ch = c0; ch < c1; ch++) {
                double muc = mu[ch];
                double sg = 0;
                double sgx = 0;
                double[] acc = new double[2];
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    xb.get(base, bx, 0, s);
                    gb.get(base, bg, 0, s);
                    gradSums(bx, bg, s, muc, acc);
                    sg += acc[0];
                    sgx += acc[1];
                }
                double rc = r[ch];
                double sgxhat = sgx * rc;
                double wc = w == null ? 1 : w[ch];
                // dx = w*rstd/m * (m*g - sum(g) - xhat*sum(g*xhat))
                float k1 = (float) (wc * rc);
                float meanG = (float) (sg / m);
                float meanGx = (float) (sgxhat / m);
                float muF = (float) muc;
                float rF = (float) rc;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    xb.get(base, bx, 0, s);
                    gb.get(base, bg, 0, s);
                    for (int k = 0; k < s; k++) {
                        float xhat = (bx[k] - muF) * rF;
                        bx[k] = k1 * (bg[k] - meanG - xhat * meanGx);
                    }
                    ob.put(base, bx, 0, s);
                }
                dw[ch] = (float) sgxhat;
                db[ch] = (float) sg;
            }
        });
        return new NormGrads(dx, w == null ? null : KernelArrays.array(dw, c), hasBias ? KernelArrays.array(db, c)
                : null);
    }

    /** Batch norm in evaluation mode: normalises with the running statistics, which stay unchanged. */
    public static INDArray batchNormEval(INDArray x, INDArray weight, INDArray bias, INDArray runningMean,
                                         INDArray runningVar, double eps) {
        String op = "batch_norm (eval)";
        int[] d = ncs(op, x);
        int c = d[1];
        int s = d[2];
        INDArray xd = KernelArrays.dense(x);
        float[][] ab = evalAffine(op, weight, bias, runningMean, runningVar, eps, c);
        INDArray out = KernelArrays.uninitialized(x.shape());
        KernelArrays.parallelRanges(d[0] * c, s, (p0, p1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer ob = KernelArrays.buffer(out);
            float[] buf = KernelArrays.scratch(0, s);
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                float mean = ab[0][ch];
                float scale = ab[1][ch];
                float shift = ab[2][ch];
                xb.get(p * s, buf, 0, s);
                for (int k = 0; k < s; k++) {
                    buf[k] = (buf[k] - mean) * scale + shift;
                }
                ob.put(p * s, buf, 0, s);
            }
        });
        return out;
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
        INDArray xd = KernelArrays.dense(x);
        INDArray gd = KernelArrays.dense(gradOut);
        float[] w = perChannel(op, "weight", weight, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        KernelArrays.require(rm != null && rv != null, op + ": evaluation mode needs running_mean and running_var");
        INDArray dx = KernelArrays.uninitialized(x.shape());
        float[] dw = new float[c];
        float[] db = new float[c];
        KernelArrays.parallelRanges(c, (long) n * s * 3, (c0, c1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer gb = KernelArrays.buffer(gd);
            FloatBuffer ob = KernelArrays.buffer(dx);
            float[] bx = KernelArrays.scratch(0, s);
            float[] bg = KernelArrays.scratch(1, s);
            for (int ch = c0; ch < c1; ch++) {
                double r = 1.0 / Math.sqrt(rv[ch] + eps);
                float k1 = (float) (r * (w == null ? 1 : w[ch]));
                double sg = 0;
                double sgx = 0;
                double[] acc = new double[2];
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    xb.get(base, bx, 0, s);
                    gb.get(base, bg, 0, s);
                    gradSums(bx, bg, s, rm[ch], acc);
                    sg += acc[0];
                    sgx += acc[1];
                    for (int k = 0; k < s; k++) {
                        bx[k] = bg[k] * k1;
                    }
                    ob.put(base, bx, 0, s);
                }
                sgx *= r;
                dw[ch] = (float) sgx;
                db[ch] = (float) sg;
            }
        });
        return new NormGrads(dx, w == null ? null : KernelArrays.array(dw, c), hasBias ? KernelArrays.array(db, c)
                : null);
    }

    /** {running mean, scale, bias} per channel: {@code out = (x - mean) * scale + bias}. */
    private static float[][] evalAffine(String op, INDArray weight, INDArray bias, INDArray runningMean,
                                        INDArray runningVar, double eps, int c) {
        KernelArrays.require(runningMean != null && runningVar != null,
                op + ": evaluation mode needs running_mean and running_var");
        float[] w = perChannel(op, "weight", weight, c);
        float[] b = perChannel(op, "bias", bias, c);
        float[] rm = perChannel(op, "running_mean", runningMean, c);
        float[] rv = perChannel(op, "running_var", runningVar, c);
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double r = 1.0 / Math.sqrt(rv[ch] + eps);
            scale[ch] = (float) (r * (w == null ? 1 : w[ch]));
            shift[ch] = b == null ? 0f : b[ch];
        }
        return new float[][] {rm, scale, shift};
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
        INDArray xd = KernelArrays.dense(x);
        INDArray out = KernelArrays.uninitialized(x.shape());
        float[] mean = new float[outer];
        float[] rstd = new float[outer];
        KernelArrays.parallelRanges(outer, inner * 3L, (o0, o1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer ob = KernelArrays.buffer(out);
            float[] buf = KernelArrays.scratch(0, inner);
            for (int o = o0; o < o1; o++) {
                xb.get(o * inner, buf, 0, inner);
                double[] st = stats(buf, 0, inner, 1, eps);
                float m = (float) st[0];
                float r = (float) st[1];
                if (w == null && b == null) {
                    for (int k = 0; k < inner; k++) {
                        buf[k] = (buf[k] - m) * r;
                    }
                } else {
                    for (int k = 0; k < inner; k++) {
                        buf[k] = (buf[k] - m) * r * (w == null ? 1f : w[k]) + (b == null ? 0f : b[k]);
                    }
                }
                ob.put(o * inner, buf, 0, inner);
                mean[o] = (float) st[0];
                rstd[o] = (float) st[1];
            }
        });
        return new NormResult(out, KernelArrays.array(mean, outer), KernelArrays.array(rstd, outer));
    }

    /** Backward of {@link #layerNorm}; {@code mean} and {@code rstd} come from its result. */
    public static NormGrads layerNormBackward(INDArray x, long[] normalizedShape, INDArray weight, boolean hasBias,
                                              INDArray gradOut, INDArray mean, INDArray rstd) {
        String op = "layer_norm backward";
        requireSameShape(op, x, gradOut);
        int inner = innerSize(op, x, normalizedShape);
        int outer = (int) (x.length() / Math.max(1, inner));
        float[] w = affine(op, "weight", weight, inner);
        INDArray xd = KernelArrays.dense(x);
        INDArray gd = KernelArrays.dense(gradOut);
        float[] mu = KernelArrays.floats(mean);
        float[] rs = KernelArrays.floats(rstd);
        KernelArrays.require(mu.length == outer && rs.length == outer, op + ": mean and rstd must hold " + outer
                + " values, one per normalised row");
        INDArray dx = KernelArrays.uninitialized(x.shape());
        boolean affineGrads = w != null || hasBias;
        java.util.List<double[]> partials = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        KernelArrays.parallelRanges(outer, inner * 4L, (o0, o1) -> {
            FloatBuffer xb = KernelArrays.buffer(xd);
            FloatBuffer gb = KernelArrays.buffer(gd);
            FloatBuffer ob = KernelArrays.buffer(dx);
            float[] bx = KernelArrays.scratch(0, inner);
            float[] bg = KernelArrays.scratch(1, inner);
            // per-range column sums for the weight and bias gradients: [0, inner) weight, [inner, 2*inner) bias
            double[] part = affineGrads ? new double[2 * inner] : null;
            for (int o = o0; o < o1; o++) {
                xb.get(o * inner, bx, 0, inner);
                gb.get(o * inner, bg, 0, inner);
                double r = rs[o];
                double m = mu[o];
                double sgw = 0;
                double sgwx = 0;
                for (int k = 0; k < inner; k++) {
                    double gw = bg[k] * (w == null ? 1.0 : w[k]);
                    double xhat = (bx[k] - m) * r;
                    sgw += gw;
                    sgwx += gw * xhat;
                    if (part != null) {
                        part[k] += bg[k] * xhat;
                        part[inner + k] += bg[k];
                    }
                }
                float mg = (float) (sgw / inner);
                float mgx = (float) (sgwx / inner);
                float mF = (float) m;
                float rF = (float) r;
                for (int k = 0; k < inner; k++) {
                    float gw = bg[k] * (w == null ? 1f : w[k]);
                    float xhat = (bx[k] - mF) * rF;
                    bx[k] = rF * (gw - mg - xhat * mgx);
                }
                ob.put(o * inner, bx, 0, inner);
            }
            if (part != null) {
                partials.add(part);
            }
        });
        INDArray dw = null;
        INDArray db = null;
        if (affineGrads) {
            double[] total = new double[2 * inner];
            for (double[] part : partials) {
                for (int k = 0; k < total.length; k++) {
                    total[k] += part[k];
                }
            }
            dw = w == null ? null : KernelArrays.array(toFloats(Arrays.copyOfRange(total, 0, inner)), normalizedShape);
            db = hasBias ? KernelArrays.array(toFloats(Arrays.copyOfRange(total, inner, 2 * inner)), normalizedShape)
                    : null;
        }
        return new NormGrads(dx, dw, db);
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
            float m = (float) st[0];
            for (int cc = 0; cc < cpg; cc++) {
                float scale = (float) (st[1] * (w == null ? 1 : w[c0 + cc]));
                float shift = b == null ? 0f : b[c0 + cc];
                int cb = base + cc * s;
                for (int k = 0; k < s; k++) {
                    out[cb + k] = (xs[cb + k] - m) * scale + shift;
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
            float mg = (float) (sgw / gsize);
            float mgx = (float) (sgwx / gsize);
            float rF = (float) r;
            float muF = mu[ng];
            for (int cc = 0; cc < cpg; cc++) {
                float wc = w == null ? 1f : w[c0 + cc];
                int cb = base + cc * s;
                for (int k = 0; k < s; k++) {
                    float xhat = (xs[cb + k] - muF) * rF;
                    dx[cb + k] = rF * (g[cb + k] * wc - mg - xhat * mgx);
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
        double mu = sum(xs, base, count, step, 0) / count;
        double var = sumSquares(xs, base, count, step, mu) / count;
        return new double[] {mu, 1.0 / Math.sqrt(var + eps)};
    }

    /**
     * {@code acc[0] = sum(g)}, {@code acc[1] = sum(g * (x - mu))} over {@code count} values, in double with two
     * independent chains each so that the adds overlap.
     */
    static void gradSums(float[] x, float[] g, int count, double mu, double[] acc) {
        double s0 = 0;
        double s1 = 0;
        double t0 = 0;
        double t1 = 0;
        int k = 0;
        for (; k + 1 < count; k += 2) {
            double g0 = g[k];
            double g1 = g[k + 1];
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[k] - mu);
            t1 += g1 * (x[k + 1] - mu);
        }
        if (k < count) {
            s0 += g[k];
            t0 += g[k] * (x[k] - mu);
        }
        acc[0] = s0 + s1;
        acc[1] = t0 + t1;
    }

    /** Sum of {@code count} values; four independent accumulators let the adds overlap. */
    static double sum(float[] xs, int base, int count, int step, double shift) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        int k = 0;
        if (step == 1) {
            for (; k + 3 < count; k += 4) {
                a0 += xs[base + k] - shift;
                a1 += xs[base + k + 1] - shift;
                a2 += xs[base + k + 2] - shift;
                a3 += xs[base + k + 3] - shift;
            }
        }
        for (; k < count; k++) {
            a0 += xs[base + k * step] - shift;
        }
        return (a0 + a1) + (a2 + a3);
    }

    /** Sum of squared deviations from {@code mu}, with four accumulators. */
    static double sumSquares(float[] xs, int base, int count, int step, double mu) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        int k = 0;
        if (step == 1) {
            for (; k + 3 < count; k += 4) {
                double t0 = xs[base + k] - mu;
                double t1 = xs[base + k + 1] - mu;
                double t2 = xs[base + k + 2] - mu;
                double t3 = xs[base + k + 3] - mu;
                a0 += t0 * t0;
                a1 += t1 * t1;
                a2 += t2 * t2;
                a3 += t3 * t3;
            }
        }
        for (; k < count; k++) {
            double t = xs[base + k * step] - mu;
            a0 += t * t;
        }
        return (a0 + a1) + (a2 + a3);
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
