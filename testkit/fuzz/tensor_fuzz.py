#!/usr/bin/python3
"""Differential fuzzing corpus for Tessera's tensor API (issue 22).

Generates seeded random op-chain programs over the tensor API's vocabulary (shapes of rank 0-4 with size-1 axes,
float32 / float64 / int64 / bool, broadcasting between operands of different rank, views from permute / transpose /
slice / expand, reductions with keepdim, nn functionals and losses, two backward passes that accumulate) and runs
each through PyTorch, recording inputs, expected outputs and the gradients of the leaves after every pass. The Java
replay (io.tessera.testkit.conformance.FuzzCorpusRunner) runs the same programs through the tensor API on a backend
and compares. Programs in which PyTorch refuses an op, or which the dtype rules of docs/tensor-api.md refuse,
expect an IllegalArgumentException at that op.

    /usr/bin/python3 testkit/fuzz/tensor_fuzz.py --seed 22 --count 300 --out corpus.json

Only Debian's python3-torch is needed. Values are drawn so that no op sits within a small margin of a point where
its value or gradient is discontinuous (relu at 0 after rounding, ties within 1e-3, log near 0, ...), except where
the inputs place it there exactly (coarse inputs on a 0.5 grid make exact ties and zeros that both sides see alike).
"""
import argparse
import json
import math
import random
import sys

import torch
import torch.nn.functional as F

FLOAT_DTYPES = {"float32": torch.float32, "float64": torch.float64}
ALL_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
NAMES = {v: k for k, v in ALL_DTYPES.items()}
# Ops the CPU backend computes with float32 kernels even for float64 tensors (docs/tensor-api.md, Known limits).
FLOAT32_KERNELS = {"layerNorm", "conv2d", "avgPool2d", "maxPool2d"}
MARGIN = 1e-3
EMPTY = 0.1  # share of programs whose first input has an axis of size 0 (--empty)


class Skip(Exception):
    """The candidate op does not fit the values at hand; the generator tries another."""


class Refused(Exception):
    """PyTorch, or the dtype rules, refuse the op."""


# ---------------------------------------------------------------------------------------------------- helpers

def dt(t):
    return NAMES[t.dtype]


def is_float(t):
    return t.dtype in (torch.float32, torch.float64)


def scalar_arg(t, s):
    """A Java double acts like a Python int on int64 tensors when its value is an integer (docs/tensor-api.md)."""
    if t.dtype == torch.int64 and float(s).is_integer():
        return int(s)
    return float(s)


def away(x, points, leaf):
    """Values must be MARGIN away from each point, or exactly on it when x is an input leaf."""
    if not is_float(x):
        return
    x = x.detach().double()
    for p in points:
        d = (x - p).abs()
        if d.numel() == 0:
            continue
        near = d < MARGIN
        if leaf:
            near = near & (d != 0)
        if bool(near.any()):
            raise Skip()


def bounded(t, limit=1e4):
    if is_float(t) and t.numel() > 0:
        v = t.detach().double()
        if not bool(torch.isfinite(v).all()) or float(v.abs().max()) > limit:
            raise Skip()
    return t


def prod_axes(x, axes, keepdim):
    r = x
    for a in sorted([a % x.dim() for a in axes], reverse=True):
        r = torch.prod(r, dim=a, keepdim=keepdim)
    return r


def all_axes(x):
    return list(range(x.dim()))


# --------------------------------------------------------------------------------------------- interpretation

def run_op(op, vals, leaves):
    """Runs one op (a dict as stored in the corpus) on torch tensors; returns the result tensor."""
    name = op["op"]
    ins = [vals[r] for r in op["in"]]
    x = ins[0] if ins else None
    leaf = bool(op["in"]) and op["in"][0] in leaves
    a = op.get("attrs", {})

    def need_float():
        if not is_float(x):
            raise Refused()

    if name in UNARY:
        if x.dtype == torch.bool or (x.dtype == torch.int64 and name not in INT_UNARY):
            raise Refused()
        return UNARY[name](x, a, leaf)
    if name in SCALAR_OPS and "s" in a:
        if x.dtype == torch.bool:
            raise Refused()
        s = a["s"]
        if x.dtype == torch.int64 and name == "pow" and float(s).is_integer() and s < 0:
            raise Refused()
        return SCALAR_OPS[name](x, scalar_arg(x, s), a, leaf)
    if name in BINARY:
        y = ins[1]
        if x.dtype != y.dtype:
            raise Refused()
        if x.dtype == torch.bool and name not in ("eq", "ne", "and", "or"):
            raise Refused()
        return BINARY[name](x, y, leaf and op["in"][1] in leaves)
    if name in REDUCE:
        axes = a.get("axes")
        keep = a.get("keepdim", False)
        if x.dtype == torch.bool:
            raise Refused()
        if name in ("mean", "var", "std", "norm") and not is_float(x):
            raise Refused()
        ax = all_axes(x) if axes is None else axes
        n = 1
        for i in ax:
            n *= x.shape[i]
        if name in ("max", "min") and n == 0:
            raise Refused()
        return REDUCE[name](x, axes, keep, a, leaf)
    if name == "to":
        return x.to(ALL_DTYPES[a["dtype"]])
    if name == "copy":
        return x.clone()
    if name == "detach":
        return x.detach()
    if name == "reshape":
        return x.reshape(a["shape"])
    if name == "permute":
        return x.permute(a["perm"])
    if name == "transpose":
        return x.transpose(a["a"], a["b"])
    if name == "t":
        return x.t()
    if name == "slice":
        idx = tuple(slice(None) if r is None else slice(r[0], r[1], r[2]) for r in a["ranges"])
        return x[idx]
    if name == "narrow":
        return x.narrow(a["axis"], a["start"], a["length"])
    if name == "unsqueeze":
        return x.unsqueeze(a["axis"])
    if name == "squeeze":
        if x.shape[a["axis"]] != 1:
            raise Skip()
        return x.squeeze(a["axis"])
    if name == "flatten":
        return x.flatten(a["start"]) if x.dim() > 0 else x.reshape(1)
    if name == "expand":
        return x.expand(a["shape"])
    if name == "pad":
        flat = []
        for before, after in reversed(a["pads"]):
            flat += [before, after]
        return F.pad(x, flat, value=a["value"])
    if name == "concat":
        return torch.cat(ins, a["axis"])
    if name == "stack":
        return torch.stack(ins, a["axis"])
    if name == "where":
        return torch.where(ins[0], ins[1], ins[2])
    if name == "maskedFill":
        return ins[0].masked_fill(ins[1], a["value"])
    if name == "matmul":
        need_float()
        return torch.matmul(ins[0], ins[1])
    if name == "gather":
        return torch.gather(x, a["axis"], ins[1])
    if name == "indexSelect":
        return torch.index_select(x, a["axis"], ins[1])
    if name == "cumsum":
        return torch.cumsum(x, a["axis"])
    if name == "argmax":
        away_ties(x, a["axis"], leaf)
        return torch.argmax(x, a["axis"], keepdim=a["keepdim"])
    if name == "topk":
        away_ties(x, a["axis"], leaf, strict=True)
        return torch.topk(x, a["k"], a["axis"], largest=a["largest"]).values
    if name == "topkIndices":
        away_ties(x, a["axis"], leaf, strict=True)
        return torch.topk(x, a["k"], a["axis"], largest=a["largest"]).indices
    if name == "softmax":
        need_float()
        return torch.softmax(x, a["axis"])
    if name == "logSoftmax":
        need_float()
        return torch.log_softmax(x, a["axis"])
    if name == "logSumExp":
        need_float()
        return torch.logsumexp(x, a["axis"], keepdim=a["keepdim"])
    if name == "linear":
        return F.linear(x, ins[1], ins[2] if len(ins) > 2 else None)
    if name == "layerNorm":
        return F.layer_norm(x, a["shape"], ins[1] if len(ins) > 1 else None, ins[2] if len(ins) > 2 else None,
                            a["eps"])
    if name == "groupNorm":
        return F.group_norm(x, a["groups"], ins[1], ins[2], a["eps"])
    if name == "crossEntropy":
        return F.cross_entropy(x, ins[1], label_smoothing=a["ls"])
    if name == "crossEntropyLoss":
        return F.cross_entropy(x, ins[1], ignore_index=a["ignore"], reduction=a["reduction"],
                               label_smoothing=a["ls"])
    if name == "nllLoss":
        return F.nll_loss(x, ins[1], ignore_index=a["ignore"], reduction=a["reduction"])
    if name == "mseLoss":
        return F.mse_loss(x, ins[1])
    if name == "l1Loss":
        away(x - ins[1], [0.0], False)
        return F.l1_loss(x, ins[1])
    if name == "bceWithLogits":
        return F.binary_cross_entropy_with_logits(x, ins[1])
    if name == "klDiv":
        return F.kl_div(x, ins[1], reduction="batchmean")
    if name == "cosineSimilarity":
        return F.cosine_similarity(x, ins[1], a["axis"], a["eps"])
    if name == "conv2d":
        return F.conv2d(x, ins[1], ins[2] if len(ins) > 2 else None, a["stride"], a["padding"], a["dilation"],
                        a["groups"])
    if name == "avgPool2d":
        return F.avg_pool2d(x, a["kernel"], a["stride"], a["padding"], a["ceil"], a["countPad"])
    if name == "maxPool2d":
        pd = a["padding"]
        xp = F.pad(x.detach().double(), [pd[1], pd[1], pd[0], pd[0]], value=-math.inf)
        w = F.unfold(xp.reshape(-1, 1, *xp.shape[2:]), a["kernel"], 1, 0, a["stride"])
        top = w.topk(2, dim=1).values
        if bool(((top[:, 0] - top[:, 1]).abs() < MARGIN).any()):
            raise Skip()
        return F.max_pool2d(x, a["kernel"], a["stride"], a["padding"])
    if name == "oneHot":
        return F.one_hot(x, a["n"])
    raise ValueError("unknown op " + name)


def away_ties(x, axis, leaf, strict=False):
    if x.shape[axis] < 2:
        return
    s = x.detach().double().sort(dim=axis, descending=True).values
    gaps = (s.narrow(axis, 0, x.shape[axis] - 1) - s.narrow(axis, 1, x.shape[axis] - 1)).abs()
    bad = gaps < MARGIN if strict or not leaf else (gaps < MARGIN)
    if bool(bad.any()):
        raise Skip()


def u_log(x, a, leaf):
    if x.numel() and float(x.detach().min()) < 0.05:
        raise Skip()
    return torch.log(x)


def u_sqrt(x, a, leaf):
    if x.numel() and float(x.detach().min()) < 0.05:
        raise Skip()
    return torch.sqrt(x)


def u_recip(x, a, leaf):
    away(x, [0.0], False)
    if x.numel() and float(x.detach().abs().min()) < 0.1:
        raise Skip()
    return torch.reciprocal(x)


def u_log1p(x, a, leaf):
    if x.numel() and float(x.detach().min()) < -0.9:
        raise Skip()
    return torch.log1p(x)


def u_exp(x, a, leaf):
    if x.numel() and float(x.detach().max()) > 6:
        raise Skip()
    return torch.exp(x)


def kinked(fn, points):
    def f(x, a, leaf):
        away(x, points, leaf)
        return fn(x, a)
    return f


UNARY = {
    "neg": lambda x, a, leaf: torch.neg(x),
    "abs": kinked(lambda x, a: torch.abs(x), [0.0]),
    "sign": kinked(lambda x, a: torch.sign(x), [0.0]),
    "exp": u_exp,
    "log": u_log,
    "log1p": u_log1p,
    "sqrt": u_sqrt,
    "square": lambda x, a, leaf: torch.square(x),
    "reciprocal": u_recip,
    "sin": lambda x, a, leaf: torch.sin(x),
    "cos": lambda x, a, leaf: torch.cos(x),
    "erf": lambda x, a, leaf: torch.erf(x),
    "tanh": lambda x, a, leaf: torch.tanh(x),
    "sigmoid": lambda x, a, leaf: torch.sigmoid(x),
    "relu": kinked(lambda x, a: torch.relu(x), [0.0]),
    "gelu": lambda x, a, leaf: F.gelu(x, approximate=a["approximate"]),
    "silu": lambda x, a, leaf: F.silu(x),
    "softplus": lambda x, a, leaf: (away(x * a["beta"], [a["threshold"]], False),
                                    F.softplus(x, a["beta"], a["threshold"]))[1],
    "leakyRelu": kinked(lambda x, a: F.leaky_relu(x, a["slope"]), [0.0]),
    "floor": lambda x, a, leaf: (away(x - torch.floor(x.detach()), [0.0, 1.0], leaf), torch.floor(x))[1],
    "ceil": lambda x, a, leaf: (away(x - torch.floor(x.detach()), [0.0, 1.0], leaf), torch.ceil(x))[1],
}
INT_UNARY = {"neg", "abs", "sign", "square", "relu"}


def s_div(x, s, a, leaf):
    return x / s


def s_rdiv(x, s, a, leaf):
    away(x, [0.0], False)
    if x.numel() and float(x.detach().abs().min()) < 0.1:
        raise Skip()
    return s / x


def s_pow(x, s, a, leaf):
    if not float(s).is_integer() and x.numel() and float(x.detach().min()) < 0.05:
        raise Skip()
    if s < 0 and x.numel() and float(x.detach().abs().min()) < 0.1:
        raise Skip()
    if s == 0:
        return torch.pow(x, s)
    return torch.pow(x, s)


def s_cmp(fn):
    def f(x, s, a, leaf):
        away(x, [float(s)], leaf)
        return fn(x, s)
    return f


SCALAR_OPS = {
    "add": lambda x, s, a, leaf: x + s,
    "sub": lambda x, s, a, leaf: x - s,
    "rsub": lambda x, s, a, leaf: s - x,
    "mul": lambda x, s, a, leaf: x * s,
    "div": s_div,
    "rdiv": s_rdiv,
    "pow": s_pow,
    "clampMin": lambda x, s, a, leaf: (away(x, [float(s)], leaf), torch.clamp(x, min=s))[1],
    "clampMax": lambda x, s, a, leaf: (away(x, [float(s)], leaf), torch.clamp(x, max=s))[1],
    "clamp": lambda x, s, a, leaf: (away(x, [float(s), float(a["hi"])], leaf),
                                    torch.clamp(x, s, scalar_arg(x, a["hi"])))[1],
    "gtScalar": s_cmp(lambda x, s: x > s),
    "ltScalar": s_cmp(lambda x, s: x < s),
    "geScalar": s_cmp(lambda x, s: x >= s),
    "leScalar": s_cmp(lambda x, s: x <= s),
    "eqScalar": s_cmp(lambda x, s: x == s),
    "neScalar": s_cmp(lambda x, s: x != s),
}


def b_div(x, y, leaf):
    if is_float(y):
        if y.numel() and float(y.detach().abs().min()) < 0.1:
            raise Skip()
    return torch.true_divide(x, y) if x.dtype == torch.int64 else x / y


def b_pow(x, y, leaf):
    if is_float(x):
        if x.numel() and float(x.detach().min()) < 0.1 and not leaf:
            raise Skip()
        if x.numel() and float(x.detach().min()) < 0 :
            raise Skip()
        if y.numel() and float(y.detach().abs().max()) > 3:
            raise Skip()
    else:
        if y.numel() and int(y.min()) < 0:
            raise Skip()
    return torch.pow(x, y)


def b_kink(fn):
    def f(x, y, leaf):
        if is_float(x):
            away(x.detach() - y.detach(), [0.0], leaf)
        return fn(x, y)
    return f


BINARY = {
    "add": lambda x, y, leaf: x + y,
    "sub": lambda x, y, leaf: x - y,
    "mul": lambda x, y, leaf: x * y,
    "div": b_div,
    "pow": b_pow,
    "maximum": b_kink(torch.maximum),
    "minimum": b_kink(torch.minimum),
    "eq": b_kink(torch.eq),
    "ne": b_kink(torch.ne),
    "lt": b_kink(torch.lt),
    "le": b_kink(torch.le),
    "gt": b_kink(torch.gt),
    "ge": b_kink(torch.ge),
    "and": lambda x, y, leaf: torch.logical_and(x, y),
    "or": lambda x, y, leaf: torch.logical_or(x, y),
}


def r_sum(x, axes, keep, a, leaf):
    return x.sum() if axes is None else x.sum(dim=axes, keepdim=keep)


def r_mean(x, axes, keep, a, leaf):
    return x.mean() if axes is None else x.mean(dim=axes, keepdim=keep)


def r_ext(fn):
    def f(x, axes, keep, a, leaf):
        ax = all_axes(x) if axes is None else axes
        if is_float(x) and x.numel() > 1 and ax:
            # the extreme must be MARGIN clear of the others unless they tie exactly
            v = x.detach().double()
            d = (v - fn(v, dim=ax, keepdim=True)).abs()
            if bool(((d < MARGIN) & (d != 0)).any()):
                raise Skip()
        if axes is None:
            return fn(x, dim=ax) if x.dim() > 0 else x.clone()
        return fn(x, dim=axes, keepdim=keep)
    return f


def r_prod(x, axes, keep, a, leaf):
    # zeros are fine where they are exact (inputs on the 0.5 grid, relu, ...); tiny non-zeros are not
    away(x, [0.0], True)
    if axes is None:
        return x.prod()
    return prod_axes(x, axes, keep)


def r_var(x, axes, keep, a, leaf):
    ax = all_axes(x) if axes is None else axes
    n = 1
    for i in ax:
        n *= x.shape[i]
    if n <= a["correction"]:
        raise Skip()
    if axes is None:
        return torch.var(x, unbiased=a["correction"] == 1)
    return torch.var(x, dim=axes, unbiased=a["correction"] == 1, keepdim=keep)


def r_std(x, axes, keep, a, leaf):
    v = r_var(x, axes, keep, a, leaf)
    if v.numel() and float(v.detach().min()) < 1e-4 and not bool((v.detach() == 0).all()):
        raise Skip()
    if axes is None:
        return torch.std(x, unbiased=a["correction"] == 1)
    return torch.std(x, dim=axes, unbiased=a["correction"] == 1, keepdim=keep)


def r_norm(x, axes, keep, a, leaf):
    ax = all_axes(x) if axes is None else axes
    return torch.linalg.vector_norm(x, 2, dim=ax if ax else None, keepdim=keep)


REDUCE = {
    "sum": r_sum,
    "mean": r_mean,
    "max": r_ext(torch.amax),
    "min": r_ext(torch.amin),
    "prod": r_prod,
    "var": r_var,
    "std": r_std,
    "norm": r_norm,
}


# ------------------------------------------------------------------------------------------------ generation

class Program:
    def __init__(self, rng, pid):
        self.rng = rng
        self.id = pid
        self.vals = {}
        self.leaves = set()
        self.inputs = []
        self.ops = []
        self.n = 0
        self.refused_at = None

    def fresh(self):
        self.n += 1
        return "t%d" % self.n

    def values(self, dtype, lo=-2.0, hi=2.0, shape=(), coarse=None):
        r = self.rng
        coarse = r.random() < 0.2 if coarse is None else coarse
        n = 1
        for d in shape:
            n *= d
        if dtype == "int64":
            return [r.randint(int(lo), int(hi)) for _ in range(n)]
        if dtype == "bool":
            return [r.random() < 0.5 for _ in range(n)]
        if coarse:
            return [round(r.uniform(lo, hi) * 2) / 2 for _ in range(n)]
        digits = 3 if dtype == "float32" else 5
        return [round(r.uniform(lo, hi), digits) for _ in range(n)]

    def leaf(self, dtype, shape, grad=None, data=None, **kw):
        name = self.fresh()
        data = self.values(dtype, shape=shape, **kw) if data is None else data
        t = torch.tensor(data, dtype=ALL_DTYPES[dtype]).reshape(shape)
        grad = dtype in FLOAT_DTYPES and (self.rng.random() < 0.8 if grad is None else grad)
        if grad:
            t.requires_grad_(True)
        self.vals[name] = t
        self.leaves.add(name)
        self.inputs.append({"name": name, "dtype": dtype, "shape": list(shape), "grad": grad, "data": data})
        return name

    def apply(self, op, args, attrs=None, expect_refusal=False):
        """Runs the op; on success records it and returns the new name; raises Skip when it does not fit."""
        rec = {"op": op, "in": list(args), "attrs": attrs or {}}
        try:
            out = run_op(rec, self.vals, self.leaves)
        except Refused:
            rec["out"] = None
            rec["refused"] = True
            self.ops.append(rec)
            self.refused_at = len(self.ops) - 1
            return None
        except (RuntimeError, IndexError, ValueError) as e:
            if expect_refusal and "unknown op" not in str(e):
                rec["out"] = None
                rec["refused"] = True
                self.ops.append(rec)
                self.refused_at = len(self.ops) - 1
                return None
            raise Skip() from e
        if is_float(out):
            bounded(out)
        name = self.fresh()
        rec["out"] = name
        self.ops.append(rec)
        self.vals[name] = out
        return name


def rand_shape(r, max_rank=4, empty=0.0):
    rank = r.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][: max_rank * 2 + 1])
    shape = [r.choice([1, 2, 3, 4]) for _ in range(rank)]
    if empty and shape and r.random() < empty:
        shape[r.randrange(rank)] = 0
    return shape


def partner_shape(r, shape):
    """A shape that broadcasts with `shape`, sometimes of another rank, sometimes expanding both sides."""
    rank = len(shape)
    new_rank = max(0, min(4, rank + r.choice([-2, -1, 0, 0, 0, 1])))
    out = []
    for i in range(new_rank):
        j = i - (new_rank - rank)
        if j < 0:
            out.append(r.choice([1, 2, 3]))
        elif shape[j] == 1:
            out.append(r.choice([1, 2, 3, 4]))
        else:
            out.append(r.choice([shape[j], shape[j], 1]))
    return out


def rand_axes(r, rank):
    if rank == 0 or r.random() < 0.2:
        return None
    k = r.randint(1, rank)
    axes = sorted(r.sample(range(rank), k))
    return [a - rank if r.random() < 0.3 else a for a in axes]


SCALARS = [-1.5, -1.0, -0.5, 0.25, 0.5, 2.0, 3.0, 1.0, 0.0, -2.0, 1.5]


def step(p, r):
    """Appends one random op that fits the values at hand (raising Skip when the draw does not fit)."""
    names = [k for k in p.vals if p.vals[k] is not None]
    recent = names[-3:]
    x = r.choice(recent if r.random() < 0.7 else names)
    t = p.vals[x]
    f = is_float(t)
    kind = r.random()
    if t.dtype == torch.bool:
        c = r.choice(["to", "where", "maskedFill", "and", "not_supported"])
        if c == "to":
            return p.apply("to", [x], {"dtype": r.choice(["float32", "float64", "int64"])})
        if c == "where":
            a = r.choice([k for k in names if p.vals[k].dtype != torch.bool] or [None])
            if a is None:
                raise Skip()
            b = p.leaf(dt(p.vals[a]), partner_shape(r, list(p.vals[a].shape)))
            return p.apply("where", [x, a, b])
        if c == "maskedFill":
            a = r.choice([k for k in names if p.vals[k].dtype != torch.bool] or [None])
            if a is None or len(p.vals[a].shape) < len(t.shape):
                raise Skip()
            return p.apply("maskedFill", [a, x], {"value": r.choice([0.0, -1.5, 2.0])})
        if c == "and":
            y = p.leaf("bool", partner_shape(r, list(t.shape)))
            return p.apply(r.choice(["and", "or"]), [x, y])
        raise Skip()
    if kind < 0.22:
        ops = list(UNARY) if f else sorted(INT_UNARY)
        op = r.choice(ops)
        attrs = {}
        if op == "gelu":
            attrs = {"approximate": r.choice(["none", "tanh"])}
        if op == "softplus":
            attrs = {"beta": r.choice([1.0, 2.0, 0.5]), "threshold": r.choice([20.0, 1.0, 2.0])}
        if op == "leakyRelu":
            attrs = {"slope": r.choice([0.01, 0.2])}
        return p.apply(op, [x], attrs)
    if kind < 0.40:
        op = r.choice(list(SCALAR_OPS))
        s = r.choice(SCALARS)
        attrs = {"s": s}
        if op == "clamp":
            attrs["hi"] = s + r.choice([0.5, 1.0, 2.0])
        if op == "pow":
            attrs["s"] = r.choice([2.0, 3.0, 0.5, -1.0, 0.0, 1.0, 1.5]) if f else r.choice([2.0, 3.0, 0.0, 1.0])
        return p.apply(op, [x], attrs)
    if kind < 0.58:
        op = r.choice(["add", "sub", "mul", "div", "pow", "maximum", "minimum", "add", "mul", "sub",
                       "lt", "gt", "eq", "ge"])
        others = [k for k in names if k != x and p.vals[k].dtype == t.dtype and _bcast(t.shape, p.vals[k].shape)]
        if others and r.random() < 0.3:
            y = r.choice(others)
        else:
            lo, hi = (0.2, 2.0) if op == "pow" else (-2.0, 2.0)
            if t.dtype == torch.int64:
                lo, hi = (0, 3) if op == "pow" else (-5, 5)
            y = p.leaf(dt(t), partner_shape(r, list(t.shape)), lo=lo, hi=hi)
        if op == "pow" and f and r.random() < 0.5:
            x, y = y, x
        return p.apply(op, [x, y] if r.random() < 0.8 or op == "pow" else [y, x])
    if kind < 0.70:
        op = r.choice(list(REDUCE) + ["logSumExp", "cumsum", "softmax", "logSoftmax", "argmax", "topk"])
        if op in REDUCE:
            attrs = {"axes": rand_axes(r, t.dim()), "keepdim": r.random() < 0.4}
            if attrs["axes"] is None:
                attrs["keepdim"] = False
            if op in ("var", "std"):
                attrs["correction"] = r.choice([0, 1])
            return p.apply(op, [x], attrs)
        if t.dim() == 0:
            raise Skip()
        axis = r.randrange(-t.dim(), t.dim())
        if op in ("logSumExp", "argmax"):
            return p.apply(op, [x], {"axis": axis, "keepdim": r.random() < 0.5})
        if op == "topk":
            k = r.randint(1, t.shape[axis])
            return p.apply(r.choice(["topk", "topk", "topkIndices"]), [x],
                           {"k": k, "axis": axis, "largest": r.random() < 0.7})
        return p.apply(op, [x], {"axis": axis})
    if kind < 0.88:
        return shape_op(p, r, x, t)
    return nn_op(p, r, x, t)


def _bcast(a, b):
    try:
        torch.broadcast_shapes(a, b)
        return True
    except RuntimeError:
        return False


def shape_op(p, r, x, t):
    rank = t.dim()
    op = r.choice(["reshape", "permute", "transpose", "slice", "reshape", "permute", "transpose", "slice",
                   "permute", "slice", "narrow", "unsqueeze", "squeeze",
                   "flatten", "expand", "pad", "concat", "stack", "to", "copy", "detach", "matmul", "gather",
                   "indexSelect", "where", "t"])
    if op == "reshape":
        n = t.numel()
        dims = []
        rest = n
        for d in [4, 3, 2]:
            while rest % d == 0 and rest > 1 and r.random() < 0.5:
                dims.append(d)
                rest //= d
        dims.append(rest)
        r.shuffle(dims)
        if r.random() < 0.3:
            dims[r.randrange(len(dims))] = -1
        return p.apply("reshape", [x], {"shape": dims})
    if op == "permute" and rank > 1:
        perm = list(range(rank))
        r.shuffle(perm)
        return p.apply("permute", [x], {"perm": perm})
    if op == "transpose" and rank > 1:
        a, b = r.sample(range(-rank, rank), 2)
        if a % rank == b % rank:
            raise Skip()
        return p.apply("transpose", [x], {"a": a, "b": b})
    if op == "t" and rank == 2:
        return p.apply("t", [x])
    if op == "slice" and rank > 0:
        ranges = []
        for d in t.shape:
            if r.random() < 0.4:
                ranges.append(None)
                continue
            start = r.randint(-d, d - 1)
            stop = r.choice([r.randint(start % d + 1, d + 2), d + 5, d])
            ranges.append([start, stop, r.choice([1, 1, 2, 3])])
        out = p.apply("slice", [x], {"ranges": ranges})
        if out is not None and p.vals[out].numel() == 0:
            raise Skip()
        return out
    if op == "narrow" and rank > 0:
        axis = r.randrange(rank)
        start = r.randrange(t.shape[axis])
        return p.apply("narrow", [x], {"axis": axis, "start": start,
                                       "length": r.randint(1, t.shape[axis] - start)})
    if op == "unsqueeze" and rank < 4:
        return p.apply("unsqueeze", [x], {"axis": r.randint(-rank - 1, rank)})
    if op == "squeeze" and 1 in list(t.shape):
        axes = [i for i, d in enumerate(t.shape) if d == 1]
        return p.apply("squeeze", [x], {"axis": r.choice(axes)})
    if op == "flatten" and rank > 0:
        return p.apply("flatten", [x], {"start": r.randrange(rank)})
    if op == "expand" and rank < 4:
        shape = [r.choice([1, 2, 3])] * r.randint(0, 1) + [d if d != 1 else r.choice([1, 2, 3]) for d in t.shape]
        return p.apply("expand", [x], {"shape": shape})
    if op == "pad" and rank > 0:
        pads = [[r.randint(0, 2), r.randint(0, 2)] for _ in range(rank)]
        return p.apply("pad", [x], {"pads": pads, "value": r.choice([0.0, 1.5]) if is_float(t) else 0.0})
    if op in ("concat", "stack") and rank > 0:
        axis = r.randrange(-rank, rank) if op == "concat" else r.randint(-rank - 1, rank)
        shape = list(t.shape)
        if op == "concat":
            shape[axis] = r.randint(1, 3)
        y = p.leaf(dt(t), shape)
        ins = [x, y] if r.random() < 0.5 else [y, x]
        return p.apply(op, ins, {"axis": axis})
    if op == "to":
        choices = ["float32", "float64"] if is_float(t) else ["float32", "float64"]
        return p.apply("to", [x], {"dtype": r.choice(choices)})
    if op in ("copy", "detach"):
        return p.apply(op, [x])
    if op == "matmul" and is_float(t) and rank > 0:
        k = t.shape[-1]
        kind = r.choice(["vec", "mat", "batch"])
        shape = [k] if kind == "vec" else [k, r.randint(1, 4)] if kind == "mat" else \
            [r.choice([1, 2]), k, r.randint(1, 3)]
        y = p.leaf(dt(t), shape)
        return p.apply("matmul", [x, y])
    if op == "gather" and rank > 0:
        axis = r.randrange(-rank, rank)
        shape = list(t.shape)
        shape[axis] = r.randint(1, 4)
        data = [r.randrange(t.shape[axis]) for _ in range(math.prod(shape))]
        idx = p.leaf("int64", shape, data=data)
        return p.apply("gather", [x, idx], {"axis": axis})
    if op == "indexSelect" and rank > 0:
        axis = r.randrange(-rank, rank)
        n = r.randint(1, 4)
        idx = p.leaf("int64", [n], data=[r.randrange(t.shape[axis]) for _ in range(n)])
        return p.apply("indexSelect", [x, idx], {"axis": axis})
    if op == "where":
        c = p.leaf("float32" if is_float(t) else "int64", partner_shape(r, list(t.shape)), grad=False)
        cond = p.apply("gtScalar", [c], {"s": 0.25})
        if cond is None:
            raise Skip()
        y = p.leaf(dt(t), partner_shape(r, list(t.shape)))
        return p.apply("where", [cond, x, y] if r.random() < 0.5 else [cond, y, x])
    raise Skip()


def nn_op(p, r, x, t):
    if not is_float(t):
        op = r.choice(["oneHot", "to"])
        if op == "oneHot" and t.numel() and int(t.min()) >= 0 and t.dim() < 4:
            return p.apply("oneHot", [x], {"n": int(t.max()) + 1 + r.randint(0, 2)})
        return p.apply("to", [x], {"dtype": r.choice(["float32", "float64"])})
    d = dt(t)
    rank = t.dim()
    op = r.choice(["linear", "layerNorm", "crossEntropy", "crossEntropyLoss", "nllLoss", "mseLoss", "l1Loss",
                   "bceWithLogits", "klDiv", "cosineSimilarity", "conv2d", "avgPool2d", "maxPool2d", "groupNorm"])
    if op == "linear" and rank >= 1:
        out = r.randint(1, 4)
        w = p.leaf(d, [out, t.shape[-1]])
        ins = [x, w] + ([p.leaf(d, [out])] if r.random() < 0.7 else [])
        return p.apply("linear", ins)
    if op == "layerNorm" and rank >= 1:
        k = r.randint(1, rank)
        shape = list(t.shape[rank - k:])
        if math.prod(shape) < 2:
            raise Skip()
        ins = [x]
        if r.random() < 0.6:
            ins += [p.leaf(d, shape), p.leaf(d, shape)]
        return p.apply("layerNorm", ins, {"shape": shape, "eps": 1e-5})
    if op == "groupNorm" and rank >= 3 and t.shape[1] % 2 == 0:
        c = t.shape[1]
        return p.apply("groupNorm", [x, p.leaf(d, [c]), p.leaf(d, [c])], {"groups": r.choice([1, 2]), "eps": 1e-5})
    if op in ("crossEntropy", "crossEntropyLoss", "nllLoss") and rank in (2, 3):
        c = t.shape[1]
        tshape = [t.shape[0]] + list(t.shape[2:])
        ignore = -100
        data = [r.randrange(c) for _ in range(math.prod(tshape))]
        if op != "crossEntropy" and r.random() < 0.5:
            ignore = r.choice([-100, 0])
            data = [ignore if r.random() < 0.3 else v for v in data]
        tgt = p.leaf("int64", tshape, data=data)
        if op == "crossEntropy":
            return p.apply(op, [x, tgt], {"ls": r.choice([0.0, 0.0, 0.1])})
        red = r.choice(["mean", "sum", "none"])
        if op == "nllLoss":
            return p.apply(op, [x, tgt], {"ignore": ignore, "reduction": red})
        return p.apply(op, [x, tgt], {"ignore": ignore, "reduction": red, "ls": r.choice([0.0, 0.2])})
    if op in ("mseLoss", "l1Loss"):
        return p.apply(op, [x, p.leaf(d, list(t.shape))])
    if op == "bceWithLogits":
        y = p.leaf(d, list(t.shape), data=[round(r.random(), 3) for _ in range(t.numel())])
        return p.apply(op, [x, y])
    if op == "klDiv" and rank >= 1:
        lp = p.apply("logSoftmax", [x], {"axis": -1})
        q = torch.softmax(torch.tensor(p.values("float64", shape=list(t.shape))).reshape(t.shape), -1)
        tgt = p.leaf(d, list(t.shape), data=[round(v, 5) for v in q.reshape(-1).tolist()], grad=False)
        return p.apply(op, [lp, tgt])
    if op == "cosineSimilarity" and rank >= 1:
        return p.apply(op, [x, p.leaf(d, list(t.shape))], {"axis": r.randrange(-rank, rank), "eps": 1e-8})
    if op in ("conv2d", "avgPool2d", "maxPool2d"):
        # a fresh image batch: the chain continues from the op's output
        n, c, h, w = r.randint(1, 2), r.randint(1, 3), r.randint(3, 6), r.randint(3, 6)
        img = p.leaf(d, [n, c, h, w])
        if op == "conv2d":
            groups = r.choice([1, c]) if c > 1 else 1
            o = groups * r.randint(1, 2)
            k = r.choice([1, 2, 3])
            wt = p.leaf(d, [o, c // groups, k, k])
            ins = [img, wt] + ([p.leaf(d, [o])] if r.random() < 0.6 else [])
            return p.apply("conv2d", ins, {"stride": [r.choice([1, 2])] * 2, "padding": [r.choice([0, 1])] * 2,
                                           "dilation": [1, 1], "groups": groups})
        k = r.choice([2, 3])
        pad = r.choice([0, 1])
        attrs = {"kernel": [k, k], "stride": [r.choice([1, 2])] * 2, "padding": [pad, pad]}
        if op == "avgPool2d":
            attrs.update({"ceil": False, "countPad": r.random() < 0.5})
        return p.apply(op, [img], attrs)
    raise Skip()


def refusal_step(p, r):
    """One op that must be refused: by PyTorch (and so by Tessera), or by the dtype rules."""
    c = r.choice(["int_mean", "int_var", "int_pow_neg", "mixed", "int_exp", "bool_add", "max_empty"])
    if c == "int_mean":
        x = p.leaf("int64", rand_shape(r), lo=-5, hi=5)
        return p.apply("mean", [x], {"axes": None}, expect_refusal=True)
    if c == "int_var":
        x = p.leaf("int64", [3], lo=-5, hi=5)
        return p.apply(r.choice(["var", "std"]), [x], {"axes": [0], "keepdim": False, "correction": 1},
                       expect_refusal=True)
    if c == "int_pow_neg":
        x = p.leaf("int64", [2, 2], lo=1, hi=4)
        return p.apply("pow", [x], {"s": -1.0}, expect_refusal=True)
    if c == "mixed":
        x = p.leaf("float32", [2])
        y = p.leaf("float64", [2])
        return p.apply(r.choice(["add", "mul"]), [x, y], expect_refusal=True)
    if c == "int_exp":
        x = p.leaf("int64", [3], lo=0, hi=3)
        return p.apply(r.choice(["exp", "sqrt", "sigmoid"]), [x], expect_refusal=True)
    if c == "bool_add":
        x = p.leaf("bool", [3])
        return p.apply("add", [x, p.leaf("bool", [3])], expect_refusal=True)
    x = p.leaf("float32", [0, 3], data=[])
    return p.apply("max", [x], {"axes": [0], "keepdim": False}, expect_refusal=True)


def encode(t):
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype == torch.bool:
        data = [1 if v else 0 for v in flat.tolist()]
    elif t.dtype == torch.int64:
        data = flat.tolist()
    else:
        fmt = "%.9g" if t.dtype == torch.float32 else "%.15g"
        data = [float(fmt % v) if math.isfinite(v) else str(v) for v in flat.tolist()]
    return {"dtype": dt(t), "shape": list(t.shape), "data": data}


def make_program(seed, index):
    r = random.Random(seed * 1000003 + index)
    p = Program(r, "p%04d" % index)
    if r.random() < 0.06:
        refusal_step(p, r)
        return finish(p, r)
    dtype = r.choice(["float32"] * 5 + ["float64"] * 3 + ["int64"] * 2)
    kw = {"lo": -5, "hi": 5} if dtype == "int64" else {}
    p.leaf(dtype, rand_shape(r, empty=EMPTY), **kw)
    target = r.randint(2, 6)
    tries = 0
    while len(p.ops) < target and tries < 200:
        tries += 1
        mark = (dict(p.vals), set(p.leaves), list(p.inputs), list(p.ops), p.n)
        try:
            step(p, r)
        except (Skip, ValueError, IndexError, ZeroDivisionError):  # the draw does not fit (e.g. an axis of size 0)
            p.vals, p.leaves, p.inputs, p.ops, p.n = mark[0], mark[1], mark[2], mark[3], mark[4]
            continue
        if p.refused_at is not None:
            break
    return finish(p, r)


def finish(p, r):
    prog = {"id": p.id, "inputs": p.inputs, "ops": p.ops}
    if p.refused_at is not None:
        prog["outputs"] = []
        prog["backward"] = []
        prog["grads"] = []
        return prog
    produced = [o["out"] for o in p.ops if o["out"] is not None]
    outs = produced[-1:] + r.sample(produced[:-1], min(2, len(produced) - 1))
    prog["outputs"] = [dict(name=n, **encode(p.vals[n])) for n in outs]
    passes = []
    graded = [n for n in produced if p.vals[n].requires_grad and p.vals[n].grad_fn is not None]
    if graded:
        first = graded[-1]
        roots = [first]
        if len(graded) > 1 and r.random() < 0.4:
            roots.append(r.choice(graded[:-1]))
        elif r.random() < 0.2:
            roots.append(first)  # the same graph twice: gradients accumulate
        for n in roots:
            v = p.vals[n]
            g = torch.tensor(p.values(dt(v), shape=list(v.shape), coarse=False), dtype=v.dtype).reshape(v.shape)
            v.backward(g, retain_graph=True)
            passes.append({"from": n, "upstream": encode(g)})
    prog["backward"] = passes
    grads = []
    for inp in p.inputs:
        if inp["grad"]:
            g = p.vals[inp["name"]].grad
            grads.append(dict(wrt=inp["name"], **(encode(g) if g is not None else {"dtype": None})))
    prog["grads"] = grads
    uses32 = any(o["op"] in FLOAT32_KERNELS for o in p.ops)
    wide = not uses32 and not any(v is not None and v.dtype == torch.float32 for v in p.vals.values())
    erf = any(o["op"] == "erf" or (o["op"] == "gelu" and o["attrs"]["approximate"] == "none") for o in p.ops)
    # float64 end to end: tight; the CPU backend's erf is a 1.2e-7 fit (docs/tensor-api.md)
    prog["tolerance"] = ({"rtol": 1e-6, "atol": 1e-7} if erf else {"rtol": 1e-8, "atol": 1e-10}) if wide \
        else {"rtol": 3e-4, "atol": 3e-4}
    return prog


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--out", required=True)
    ap.add_argument("--empty", type=float, default=0.1,
                    help="share of programs that start from a tensor with an axis of size 0")
    args = ap.parse_args()
    global EMPTY
    EMPTY = args.empty
    torch.manual_seed(args.seed)
    programs = [make_program(args.seed, i) for i in range(args.count)]
    corpus = {"format": "tessera-tensor-fuzz/1", "seed": args.seed, "torch": torch.__version__,
              "generator": "testkit/fuzz/tensor_fuzz.py", "programs": programs}
    with open(args.out, "w") as f:
        # one program a line, so that a regenerated corpus diffs program by program
        head = json.dumps({k: v for k, v in corpus.items() if k != "programs"}, separators=(",", ":"))
        f.write(head[:-1] + ',"programs":[\n')
        f.write(",\n".join(json.dumps(p, separators=(",", ":")) for p in programs))
        f.write("\n]}\n")
    ops = {}
    for prog in programs:
        for o in prog["ops"]:
            ops[o["op"]] = ops.get(o["op"], 0) + 1
    refused = sum(1 for prog in programs if any(o.get("refused") for o in prog["ops"]))
    print("%d programs (%d expect a refusal), %d op kinds, seed %d -> %s" % (
        len(programs), refused, len(ops), args.seed, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
