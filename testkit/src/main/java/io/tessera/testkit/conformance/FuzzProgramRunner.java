package io.tessera.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.nn.Losses;
import io.tessera.api.nn.Reduction;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.golden.Tolerance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays one {@link FuzzCorpus.Program} on a backend through the public tensor API: creates the inputs, runs the
 * ops in order (an op the corpus marks {@code refused} must throw {@link IllegalArgumentException}), compares the
 * recorded outputs (dtype, shape, values within the program's tolerance; integers and booleans exactly), runs the
 * backward passes in order (gradients accumulate across them) and compares every leaf's gradient.
 */
final class FuzzProgramRunner {
    private final TensorBackend backend;
    private final FuzzCorpus.Program program;
    private final Map<String, Tensor> vals = new HashMap<>();

    FuzzProgramRunner(TensorBackend backend, FuzzCorpus.Program program) {
        this.backend = backend;
        this.program = program;
    }

    void run() {
        JsonNode p = program.json();
        try (TensorScope scope = Tensors.scope()) {
            for (JsonNode in : p.path("inputs")) {
                Tensor t = tensor(in);
                if (in.path("grad").asBoolean()) {
                    t.requiresGrad(true);
                }
                vals.put(in.path("name").asText(), t);
            }
            int i = 0;
            for (JsonNode op : p.path("ops")) {
                String where = program + ", op " + i++ + " (" + op + ")";
                if (op.path("refused").asBoolean()) {
                    expectRefusal(op, where);
                    return;
                }
                Tensor r;
                try {
                    r = apply(op);
                } catch (RuntimeException e) {
                    throw new AssertionError(where + ": PyTorch computed it, the tensor API threw " + e, e);
                }
                vals.put(op.path("out").asText(), r);
            }
            Tolerance tol = new Tolerance(p.path("tolerance").path("rtol").asDouble(),
                    p.path("tolerance").path("atol").asDouble());
            for (JsonNode out : p.path("outputs")) {
                String name = out.path("name").asText();
                compare(program + ": output " + name, vals.get(name), out, tol);
            }
            for (JsonNode pass : p.path("backward")) {
                Tensor from = vals.get(pass.path("from").asText());
                from.backward(tensor(pass.path("upstream")));
            }
            for (JsonNode g : p.path("grads")) {
                String wrt = g.path("wrt").asText();
                Tensor grad = vals.get(wrt).grad();
                String what = program + ": gradient of " + wrt + " after " + p.path("backward").size()
                        + " backward pass(es)";
                if (g.path("dtype").isNull()) {
                    if (grad != null && grad.abs().max().item() != 0) {
                        throw new AssertionError(what + ": PyTorch gives none, the tensor API " + grad);
                    }
                    continue;
                }
                if (grad == null) {
                    grad = backend.zeros(vals.get(wrt).shape(), vals.get(wrt).dtype());
                }
                compare(what, grad, g, tol);
            }
        }
    }

    private void expectRefusal(JsonNode op, String where) {
        try {
            Tensor r = apply(op);
            throw new AssertionError(where + ": PyTorch or the dtype rules refuse this op, but the tensor API"
                    + " returned " + r);
        } catch (IllegalArgumentException expected) {
            // refused, with a message for the caller
        }
    }

    // ------------------------------------------------------------------------------------------------ ops

    private Tensor in(JsonNode op, int i) {
        String name = op.path("in").get(i).asText();
        Tensor t = vals.get(name);
        if (t == null) {
            throw new IllegalStateException(program + ": unknown value " + name);
        }
        return t;
    }

    private Tensor opt(JsonNode op, int i) {
        return op.path("in").size() > i ? in(op, i) : null;
    }

    private Tensor apply(JsonNode op) {
        String name = op.path("op").asText();
        JsonNode a = op.path("attrs");
        Tensor x = op.path("in").size() > 0 ? in(op, 0) : null;
        if (a.has("s")) {
            return scalar(name, x, a.path("s").asDouble(), a);
        }
        return switch (name) {
            case "neg" -> x.neg();
            case "abs" -> x.abs();
            case "sign" -> x.sign();
            case "exp" -> x.exp();
            case "log" -> x.log();
            case "log1p" -> x.log1p();
            case "sqrt" -> x.sqrt();
            case "square" -> x.square();
            case "reciprocal" -> x.reciprocal();
            case "sin" -> x.sin();
            case "cos" -> x.cos();
            case "erf" -> x.erf();
            case "tanh" -> x.tanh();
            case "sigmoid" -> x.sigmoid();
            case "relu" -> x.relu();
            case "gelu" -> x.gelu(a.path("approximate").asText().equals("tanh"));
            case "silu" -> x.silu();
            case "softplus" -> x.softplus(a.path("beta").asDouble(), a.path("threshold").asDouble());
            case "leakyRelu" -> x.leakyRelu(a.path("slope").asDouble());
            case "floor" -> x.floor();
            case "ceil" -> x.ceil();
            case "add" -> x.add(in(op, 1));
            case "sub" -> x.sub(in(op, 1));
            case "mul" -> x.mul(in(op, 1));
            case "div" -> x.div(in(op, 1));
            case "pow" -> x.pow(in(op, 1));
            case "maximum" -> x.maximum(in(op, 1));
            case "minimum" -> x.minimum(in(op, 1));
            case "eq" -> x.eq(in(op, 1));
            case "ne" -> x.ne(in(op, 1));
            case "lt" -> x.lt(in(op, 1));
            case "le" -> x.le(in(op, 1));
            case "gt" -> x.gt(in(op, 1));
            case "ge" -> x.ge(in(op, 1));
            case "and" -> x.and(in(op, 1));
            case "or" -> x.or(in(op, 1));
            case "sum", "mean", "max", "min", "prod", "var", "std", "norm" -> reduce(name, x, a);
            case "to" -> x.to(dtype(a.path("dtype").asText()));
            case "copy" -> x.copy();
            case "detach" -> x.detach();
            case "reshape" -> x.reshape(CaseRunner.longs(a.path("shape")));
            case "permute" -> x.permute(CaseRunner.ints(a.path("perm")));
            case "transpose" -> x.transpose(a.path("a").asInt(), a.path("b").asInt());
            case "t" -> x.t();
            case "slice" -> {
                JsonNode rs = a.path("ranges");
                long[][] ranges = new long[rs.size()][];
                for (int d = 0; d < ranges.length; d++) {
                    ranges[d] = rs.get(d).isNull() ? null : CaseRunner.longs(rs.get(d));
                }
                yield x.slice(ranges);
            }
            case "narrow" -> x.narrow(a.path("axis").asInt(), a.path("start").asLong(), a.path("length").asLong());
            case "unsqueeze" -> x.unsqueeze(a.path("axis").asInt());
            case "squeeze" -> x.squeeze(a.path("axis").asInt());
            case "flatten" -> x.flatten(a.path("start").asInt());
            case "expand" -> x.expand(Shape.of(CaseRunner.longs(a.path("shape"))));
            case "pad" -> {
                JsonNode ps = a.path("pads");
                long[][] pads = new long[ps.size()][];
                for (int d = 0; d < pads.length; d++) {
                    pads[d] = CaseRunner.longs(ps.get(d));
                }
                yield x.pad(pads, a.path("value").asDouble());
            }
            case "concat" -> Tensors.concat(all(op), a.path("axis").asInt());
            case "stack" -> Tensors.stack(all(op), a.path("axis").asInt());
            case "where" -> Tensors.where(x, in(op, 1), in(op, 2));
            case "maskedFill" -> x.maskedFill(in(op, 1), a.path("value").asDouble());
            case "matmul" -> x.matmul(in(op, 1));
            case "gather" -> x.gather(a.path("axis").asInt(), in(op, 1));
            case "indexSelect" -> x.indexSelect(a.path("axis").asInt(), in(op, 1));
            case "cumsum" -> x.cumsum(a.path("axis").asInt());
            case "argmax" -> x.argmax(a.path("axis").asInt(), a.path("keepdim").asBoolean());
            case "topk" -> x.topk(a.path("k").asInt(), a.path("axis").asInt(), a.path("largest").asBoolean())
                    .values();
            case "topkIndices" -> x.topk(a.path("k").asInt(), a.path("axis").asInt(),
                    a.path("largest").asBoolean()).indices();
            case "softmax" -> x.softmax(a.path("axis").asInt());
            case "logSoftmax" -> x.logSoftmax(a.path("axis").asInt());
            case "logSumExp" -> x.logSumExp(a.path("axis").asInt(), a.path("keepdim").asBoolean());
            case "linear" -> Functional.linear(x, in(op, 1), opt(op, 2));
            case "layerNorm" -> Functional.layerNorm(x, CaseRunner.longs(a.path("shape")), opt(op, 1), opt(op, 2),
                    a.path("eps").asDouble());
            case "groupNorm" -> Functional.groupNorm(x, a.path("groups").asInt(), in(op, 1), in(op, 2),
                    a.path("eps").asDouble());
            case "crossEntropy" -> Functional.crossEntropy(x, in(op, 1), a.path("ls").asDouble());
            case "crossEntropyLoss" -> Losses.crossEntropy(x, in(op, 1), a.path("ls").asDouble(),
                    a.path("ignore").asLong(), reduction(a));
            case "nllLoss" -> Losses.nllLoss(x, in(op, 1), a.path("ignore").asLong(), reduction(a));
            case "mseLoss" -> Functional.mseLoss(x, in(op, 1));
            case "l1Loss" -> Functional.l1Loss(x, in(op, 1));
            case "bceWithLogits" -> Functional.bceWithLogits(x, in(op, 1));
            case "klDiv" -> Functional.klDiv(x, in(op, 1));
            case "cosineSimilarity" -> Functional.cosineSimilarity(x, in(op, 1), a.path("axis").asInt(),
                    a.path("eps").asDouble());
            case "conv2d" -> Functional.conv2d(x, in(op, 1), opt(op, 2), CaseRunner.ints(a.path("stride")),
                    CaseRunner.ints(a.path("padding")), CaseRunner.ints(a.path("dilation")),
                    a.path("groups").asInt());
            case "avgPool2d" -> Functional.avgPool2d(x, CaseRunner.ints(a.path("kernel")),
                    CaseRunner.ints(a.path("stride")), CaseRunner.ints(a.path("padding")),
                    a.path("ceil").asBoolean(), a.path("countPad").asBoolean());
            case "maxPool2d" -> Functional.maxPool2d(x, CaseRunner.ints(a.path("kernel")),
                    CaseRunner.ints(a.path("stride")), CaseRunner.ints(a.path("padding")));
            case "oneHot" -> Functional.oneHot(x, a.path("n").asInt());
            default -> throw new IllegalStateException(program + ": the replay has no op '" + name + "'");
        };
    }

    private List<Tensor> all(JsonNode op) {
        List<Tensor> ts = new ArrayList<>();
        for (int i = 0; i < op.path("in").size(); i++) {
            ts.add(in(op, i));
        }
        return ts;
    }

    private static Reduction reduction(JsonNode a) {
        return switch (a.path("reduction").asText()) {
            case "sum" -> Reduction.SUM;
            case "none" -> Reduction.NONE;
            default -> Reduction.MEAN;
        };
    }

    private static Tensor scalar(String name, Tensor x, double s, JsonNode a) {
        return switch (name) {
            case "add" -> x.add(s);
            case "sub" -> x.sub(s);
            case "rsub" -> x.rsub(s);
            case "mul" -> x.mul(s);
            case "div" -> x.div(s);
            case "rdiv" -> x.rdiv(s);
            case "pow" -> x.pow(s);
            case "clampMin" -> x.clampMin(s);
            case "clampMax" -> x.clampMax(s);
            case "clamp" -> x.clamp(s, a.path("hi").asDouble());
            case "gtScalar" -> x.gt(s);
            case "ltScalar" -> x.lt(s);
            case "geScalar" -> x.ge(s);
            case "leScalar" -> x.le(s);
            case "eqScalar" -> x.eq(s);
            case "neScalar" -> x.ne(s);
            default -> throw new IllegalStateException("the replay has no scalar op '" + name + "'");
        };
    }

    private static Tensor reduce(String name, Tensor x, JsonNode a) {
        JsonNode axesNode = a.path("axes");
        boolean all = axesNode.isNull() || axesNode.isMissingNode();
        int[] axes = all ? allAxes(x) : CaseRunner.ints(axesNode);
        boolean keep = !all && a.path("keepdim").asBoolean();
        int correction = a.path("correction").asInt(1);
        return switch (name) {
            case "sum" -> all ? x.sum() : x.sum(axes, keep);
            case "mean" -> all ? x.mean() : x.mean(axes, keep);
            case "max" -> all ? x.max() : x.max(axes, keep);
            case "min" -> all ? x.min() : x.min(axes, keep);
            case "prod" -> x.prod(axes, keep);
            case "var" -> x.var(axes, keep, correction);
            case "std" -> x.std(axes, keep, correction);
            default -> x.norm(axes, keep);
        };
    }

    private static int[] allAxes(Tensor x) {
        int[] axes = new int[x.rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    // -------------------------------------------------------------------------------------------------- data

    private static DType dtype(String name) {
        return switch (name) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException("unknown dtype '" + name + "' in the corpus");
        };
    }

    private static double number(JsonNode v) {
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("not a number in the corpus: " + v);
            };
        }
        return v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asDouble();
    }

    private Tensor tensor(JsonNode spec) {
        DType type = dtype(spec.path("dtype").asText());
        long[] shape = CaseRunner.longs(spec.path("shape"));
        JsonNode data = spec.path("data");
        int n = data.size();
        return switch (type) {
            case FLOAT32 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) number(data.get(i));
                }
                yield backend.tensor(v, shape);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = number(data.get(i));
                }
                yield backend.tensor(v, shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = data.get(i).asLong();
                }
                yield backend.tensor(v, shape);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = number(data.get(i)) != 0;
                }
                yield backend.tensor(v, shape);
            }
        };
    }

    private void compare(String what, Tensor actual, JsonNode expected, Tolerance tol) {
        DType want = dtype(expected.path("dtype").asText());
        Shape shape = Shape.of(CaseRunner.longs(expected.path("shape")));
        if (actual.dtype() != want || !actual.shape().equals(shape)) {
            throw new AssertionError(what + ": " + actual.dtype().name().toLowerCase() + actual.shape()
                    + ", PyTorch gives " + expected.path("dtype").asText() + shape);
        }
        JsonNode data = expected.path("data");
        if (!want.isFloatingPoint()) {
            long[] e = new long[data.size()];
            for (int i = 0; i < e.length; i++) {
                e[i] = (long) number(data.get(i));
            }
            Tolerance.checkExact(what, actual.toLongArray(), e);
            return;
        }
        double[] e = new double[data.size()];
        for (int i = 0; i < e.length; i++) {
            e[i] = number(data.get(i));
        }
        tol.check(what, actual.toDoubleArray(), e);
    }
}
