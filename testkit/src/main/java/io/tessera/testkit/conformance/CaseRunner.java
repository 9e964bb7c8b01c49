package io.tessera.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.Linalg;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs one golden case against a backend: load, dispatch on the op, compare outputs and gradients. */
final class CaseRunner {
    private final TensorBackend backend;
    private final GoldenCase c;
    private final JsonNode at;
    private final Map<String, Tensor> in = new LinkedHashMap<>();

    CaseRunner(TensorBackend backend, GoldenCase goldenCase) {
        this.backend = backend;
        this.c = goldenCase;
        this.at = goldenCase.attributes();
    }

    void run() {
        try (TensorScope scope = Tensors.scope()) {
            for (GoldenCase.Entry e : c.inputs()) {
                Tensor t = load(e);
                if (e.flag("requires_grad")) {
                    t.requiresGrad(true);
                }
                in.put(e.name(), t);
            }
            Map<String, Tensor> out = dispatch();
            for (GoldenCase.Entry e : c.outputs()) {
                Tensor actual = out.get(e.name());
                if (actual == null) {
                    throw new AssertionError(c + ": the runner produced no output '" + e.name() + "' (produced "
                            + out.keySet() + ")");
                }
                compare("output '" + e.name() + "'", actual, e);
            }
            if (c.upstreamGrad().isPresent()) {
                GoldenCase.Entry g = c.upstreamGrad().get();
                String target = g.json().path("for_output").asText("out");
                Tensor y = out.get(target);
                Tensor upstream = load(g);
                y.backward(upstream);
                for (GoldenCase.Entry e : c.grads()) {
                    String wrt = e.json().path("wrt").asText();
                    Tensor x = in.get(wrt);
                    if (x == null) {
                        throw new AssertionError(c + ": gradient " + e.name() + " is w.r.t. unknown input " + wrt);
                    }
                    Tensor grad = x.grad();
                    if (grad == null) {
                        throw new AssertionError(c + ": no gradient reached input '" + wrt + "'");
                    }
                    compare("gradient '" + e.name() + "'", grad, e);
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- dispatch

    private Map<String, Tensor> dispatch() {
        String op = c.op();
        Map<String, Tensor> o = new LinkedHashMap<>();
        switch (op) {
            case "add" -> o.put("out", x("a").add(x("b")));
            case "sub" -> o.put("out", x("a").sub(x("b")));
            case "mul" -> o.put("out", x("a").mul(x("b")));
            case "div" -> o.put("out", x("a").div(x("b")));
            case "exp" -> o.put("out", x("x").exp());
            case "log" -> o.put("out", x("x").log());
            case "sqrt" -> o.put("out", x("x").sqrt());
            case "tanh" -> o.put("out", x("x").tanh());
            case "sigmoid" -> o.put("out", x("x").sigmoid());
            case "relu" -> o.put("out", x("x").relu());
            case "gelu" -> o.put("out", x("x").gelu(at.path("approximate").asText().equals("tanh")));
            case "softplus" -> o.put("out", x("x").softplus(at.path("beta").asDouble(1),
                    at.path("threshold").asDouble(20)));
            case "sum" -> o.put("out", x("x").sum(ints(at.path("dims")), at.path("keepdim").asBoolean()));
            case "mean" -> o.put("out", x("x").mean(ints(at.path("dims")), at.path("keepdim").asBoolean()));
            case "max" -> o.put("out", x("x").max(ints(at.path("dims")), at.path("keepdim").asBoolean()));
            case "var" -> o.put("out", x("x").var(ints(at.path("dims")), at.path("keepdim").asBoolean(),
                    at.path("correction").asInt(1)));
            case "matmul" -> o.put("out", x("a").matmul(x("b")));
            case "transpose" -> o.put("out", x("x").transpose(at.path("dim0").asInt(), at.path("dim1").asInt()));
            case "permute" -> o.put("out", x("x").permute(ints(at.path("perm"))));
            case "reshape" -> o.put("out", x("x").reshape(longs(at.path("shape"))));
            case "concat" -> o.put("out", Tensors.concat(new ArrayList<>(in.values()), at.path("axis").asInt()));
            case "slice" -> {
                JsonNode s = at.path("slices");
                long[][] r = new long[s.size()][];
                for (int i = 0; i < r.length; i++) {
                    r[i] = longs(s.get(i));
                }
                o.put("out", x("x").slice(r));
            }
            case "narrow" -> o.put("out", x("x").narrow(at.path("dim").asInt(), at.path("start").asLong(),
                    at.path("length").asLong()));
            case "pad" -> {
                JsonNode p = at.path("pads");
                long[][] pads = new long[p.size()][];
                for (int i = 0; i < pads.length; i++) {
                    pads[i] = longs(p.get(i));
                }
                o.put("out", x("x").pad(pads, at.path("value").asDouble(0)));
            }
            case "softmax" -> o.put("out", x("x").softmax(at.path("axis").asInt()));
            case "log_softmax" -> o.put("out", x("x").logSoftmax(at.path("axis").asInt()));
            case "layer_norm" -> o.put("out", Functional.layerNorm(x("x"), longs(at.path("normalized_shape")),
                    opt("weight"), opt("bias"), at.path("eps").asDouble(1e-5)));
            case "batch_norm" -> batchNorm(o);
            case "conv2d" -> o.put("out", Functional.conv2d(x("x"), x("weight"), opt("bias"),
                    ints(at.path("stride")), ints(at.path("padding")), ints(at.path("dilation")),
                    at.path("groups").asInt(1)));
            case "conv_transpose2d" -> o.put("out", Functional.convTranspose2d(x("x"), x("weight"), opt("bias"),
                    ints(at.path("stride")), ints(at.path("padding")), ints(at.path("output_padding")),
                    ints(at.path("dilation")), at.path("groups").asInt(1)));
            case "avg_pool2d" -> o.put("out", Functional.avgPool2d(x("x"), ints(at.path("kernel_size")),
                    ints(at.path("stride")), ints(at.path("padding")), at.path("ceil_mode").asBoolean(),
                    at.path("count_include_pad").asBoolean(true)));
            case "max_pool2d" -> {
                Functional.Pooled p = Functional.maxPool2dWithIndices(x("x"), ints(at.path("kernel_size")),
                        ints(at.path("stride")), ints(at.path("padding")), ints(at.path("dilation")),
                        at.path("ceil_mode").asBoolean());
                o.put("out", p.values());
                o.put("indices", p.indices());
            }
            case "adaptive_avg_pool2d" -> o.put("out", Functional.adaptiveAvgPool2d(x("x"),
                    ints(at.path("output_size"))));
            case "interpolate" -> {
                InterpolationMode mode = at.path("mode").asText().equals("nearest")
                        ? InterpolationMode.NEAREST : InterpolationMode.BILINEAR;
                o.put("out", Functional.interpolate(x("x"), ints(at.path("out_size")), mode,
                        at.path("align_corners").asBoolean(false)));
            }
            case "linear" -> o.put("out", Functional.linear(x("x"), x("weight"), opt("bias")));
            case "embedding" -> o.put("out", Functional.embedding(x("weight"), x("indices")));
            case "cross_entropy" -> o.put("out", Functional.crossEntropy(x("logits"), x("target"),
                    at.path("label_smoothing").asDouble(0)));
            case "binary_cross_entropy_with_logits" -> o.put("out", Functional.bceWithLogits(x("x"), x("target")));
            case "mse_loss" -> o.put("out", Functional.mseLoss(x("x"), x("target")));
            case "kl_div" -> o.put("out", Functional.klDiv(x("input"), x("target")));
            case "cosine_similarity" -> o.put("out", Functional.cosineSimilarity(x("x1"), x("x2"),
                    at.path("dim").asInt(), at.path("eps").asDouble(1e-8)));
            case "one_hot" -> o.put("out", Functional.oneHot(x("indices"), at.path("num_classes").asInt()));
            case "argmax" -> o.put("out", x("x").argmax(at.path("dim").asInt(), at.path("keepdim").asBoolean()));
            case "topk" -> {
                Tensor.TopK t = x("x").topk(at.path("k").asInt(), at.path("dim").asInt(),
                        at.path("largest").asBoolean(true));
                o.put("values", t.values());
                o.put("indices", t.indices());
            }
            case "cumsum" -> o.put("out", x("x").cumsum(at.path("dim").asInt()));
            case "where" -> o.put("out", Tensors.where(x("cond"), x("a"), x("b")));
            case "masked_fill" -> o.put("out", x("x").maskedFill(x("mask"), at.path("value").asDouble()));
            case "eigh" -> eigh(o);
            case "svd" -> o.put("singular_values", Linalg.svdvals(x("a")));
            case "inv" -> o.put("out", Linalg.inv(x("a")));
            case "fft2", "ifft2" -> {
                ComplexTensor z = new ComplexTensor(x("x_real"), x("x_imag"));
                FftNorm norm = FftNorm.parse(at.path("norm").asText("backward"));
                ComplexTensor r = op.equals("fft2") ? Fft.fft2(z, norm) : Fft.ifft2(z, norm);
                o.put("out_real", r.real());
                o.put("out_imag", r.imag());
            }
            case "rfft2" -> {
                ComplexTensor r = Fft.rfft2(x("x"), FftNorm.parse(at.path("norm").asText("backward")));
                o.put("out_real", r.real());
                o.put("out_imag", r.imag());
            }
            case "irfft2" -> {
                long[] s = longs(at.path("s"));
                o.put("out", Fft.irfft2(new ComplexTensor(x("x_real"), x("x_imag")), s[0], s[1],
                        FftNorm.parse(at.path("norm").asText("backward"))));
            }
            default -> throw new AssertionError(c + ": the conformance suite has no dispatch for op '" + op + "'");
        }
        return o;
    }

    private void batchNorm(Map<String, Tensor> o) {
        double eps = at.path("eps").asDouble(1e-5);
        double momentum = at.path("momentum").asDouble(0.1);
        boolean training = at.path("training").asBoolean();
        Tensor rm = x("running_mean").copy();
        Tensor rv = x("running_var").copy();
        o.put("out", Functional.batchNorm(x("x"), rm, rv, opt("weight"), opt("bias"), training, momentum, eps));
        if (training) {
            Functional.BatchNormOutput stats = Functional.batchNormTraining(x("x").detach(), null, null, eps);
            o.put("batch_mean", stats.batchMean());
            o.put("batch_var", stats.batchVar());
            o.put("running_mean_updated", rm);
            o.put("running_var_updated", rv);
        }
    }

    private void eigh(Map<String, Tensor> o) {
        Linalg.Eigh e = Linalg.eigh(x("a"));
        Tensor w = e.eigenvalues();
        Tensor v = e.eigenvectors();
        int n = (int) w.size(0);
        // Eigenvector signs are arbitrary: normalise each column so that its largest-magnitude entry is positive,
        // the manifest's rule.
        double[] vs = v.toDoubleArray();
        double[] sign = new double[n];
        for (int k = 0; k < n; k++) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(vs[i * n + k]) > Math.abs(vs[best * n + k])) {
                    best = i;
                }
            }
            sign[k] = vs[best * n + k] < 0 ? -1 : 1;
        }
        Tensor s = backend.tensor(sign, n).to(v.dtype());
        Tensor vn = v.mul(s);
        o.put("eigenvalues", w);
        o.put("eigenvectors", vn);
        o.put("reconstruction", vn.mul(w).matmul(vn.t()));
        Tensor desc = w.topk(n, 0, true).values();
        o.put("explained_variance_ratio", desc.div(w.sum()));
    }

    // --------------------------------------------------------------------------------------------------- data

    private Tensor x(String name) {
        Tensor t = in.get(name);
        if (t == null) {
            throw new AssertionError(c + ": the manifest has no input '" + name + "' (inputs " + in.keySet() + ")");
        }
        return t;
    }

    private Tensor opt(String name) {
        return in.get(name);
    }

    private Tensor load(GoldenCase.Entry e) {
        NpyArray a = c.array(e);
        long[] shape = a.shape();
        return switch (a.descr()) {
            case "<f4" -> backend.tensor(a.toFloatArray(), shape);
            case "<f8" -> backend.tensor(a.toDoubleArray(), shape);
            case "<i8", "<i4" -> backend.tensor(a.toLongArray(), shape);
            case "|b1" -> backend.tensor(a.toBooleanArray(), shape);
            default -> throw new AssertionError(c + ": unsupported dtype " + a.descr() + " in " + e.file());
        };
    }

    private void compare(String what, Tensor actual, GoldenCase.Entry e) {
        String label = c + " " + what;
        NpyArray expected = c.array(e);
        if (!Arrays.equals(actual.shape().dims(), expected.shape())) {
            throw new AssertionError(label + ": shape " + actual.shape() + ", expected "
                    + Arrays.toString(expected.shape()));
        }
        DType want = DType.fromNpyDescr(expected.descr().equals("<i4") ? "<i8" : expected.descr());
        if (want == DType.INT64 || want == DType.BOOL) {
            if (actual.dtype() != want) {
                throw new AssertionError(label + ": dtype " + actual.dtype() + ", expected " + want);
            }
            Tolerance.checkExact(label, actual.toLongArray(), expected.toLongArray());
            return;
        }
        if (!actual.dtype().isFloatingPoint()) {
            throw new AssertionError(label + ": dtype " + actual.dtype() + ", expected floating point");
        }
        c.tolerance().check(label, actual.toFloatArray(), expected.toFloatArray());
    }

    static int[] ints(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    static long[] longs(JsonNode node) {
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asLong();
        }
        return out;
    }
}
