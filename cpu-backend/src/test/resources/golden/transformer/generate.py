#!/usr/bin/python3
"""Goldens for the transformer layers of io.tessera.api.nn (MultiheadAttention, TransformerEncoderLayer,
TransformerEncoder), made with PyTorch's own modules.

Each case-<name>/ folder holds manifest.json (kind, config, tolerance, which inputs/masks/outputs exist), the
module's state dict as param.<name>.npy (PyTorch names), the inputs, the masks, the outputs, the upstream gradients
g_<output>.npy, and the gradients grad_<input>.npy / grad_param.<name>.npy of L = sum(out * g_out) [+ sum(weights *
g_weights)]. Inputs and weights are float32 values; the reference is computed in float64 from exactly those values,
and the generator checks that PyTorch's own float32 result passes the manifest tolerance.

Run: /usr/bin/python3 generate.py   (from this folder; rewrites the case folders)
"""
import json
import os
import shutil

import numpy as np
import torch
from torch import nn

TOL = {"rtol": 1e-4, "atol": 2e-5}


def f32(t):
    return t.detach().to(torch.float32).to(torch.float64)


def run(module, kind, fwd_inputs, call, grads_for):
    """call(module, tensors) -> (out, weights or None)."""
    results = {}
    for dtype in (torch.float64, torch.float32):
        m = module.to(dtype)
        m.zero_grad()
        xs = {k: (v.to(dtype).clone().requires_grad_(k in grads_for) if v.dtype.is_floating_point and not k.endswith("mask") else
                  (v.to(dtype) if v.dtype.is_floating_point else v))
              for k, v in fwd_inputs.items()}
        out, w = call(m, xs)
        gen = torch.Generator().manual_seed(99)
        g_out = torch.randn(out.shape, generator=gen, dtype=torch.float32)
        g_w = torch.randn(w.shape, generator=gen, dtype=torch.float32) if w is not None else None
        loss = (out * g_out.to(dtype)).sum()
        if w is not None:
            loss = loss + (w * g_w.to(dtype)).sum()
        loss.backward()
        r = {"out": out.detach().numpy().copy(), "g_out": g_out.numpy()}
        if w is not None:
            r["weights"] = w.detach().numpy().copy()
            r["g_weights"] = g_w.numpy()
        for k in grads_for:
            r["grad_" + k] = xs[k].grad.numpy().copy()
        for n, p in m.named_parameters():
            r["grad_param." + n] = p.grad.numpy().copy()
        results[dtype] = r
    ref, f = results[torch.float64], results[torch.float32]
    worst = 0.0
    for k, v in ref.items():
        a = f[k].astype(np.float64)
        ok = np.abs(a - v) <= TOL["atol"] + TOL["rtol"] * np.abs(v)
        ok |= np.isnan(a) & np.isnan(v)
        assert ok.all(), (kind, k, np.nanmax(np.abs(a - v)))
        worst = max(worst, float(np.nanmax(np.abs(a - v))) if v.size else 0.0)
    return ref, worst


def save_case(name, kind, config, module, inputs, masks, call, grads_for, notes):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "case-" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    # weights rounded to float32 values
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.to(torch.float32).to(p.dtype))
    for n, p in module.state_dict().items():
        np.save(os.path.join(d, "param." + n + ".npy"), p.detach().to(torch.float32).numpy())
    fwd = dict(inputs)
    fwd.update(masks)
    ref, worst = run(module.to(torch.float64), kind, fwd, call, grads_for)
    for k, v in inputs.items():
        np.save(os.path.join(d, k + ".npy"), v.to(torch.float32).numpy())
    for k, v in masks.items():
        np.save(os.path.join(d, k + ".npy"), v.numpy() if v.dtype == torch.bool else v.to(torch.float32).numpy())
    for k, v in ref.items():
        np.save(os.path.join(d, k + ".npy"), v if k.startswith("g_") else v.astype(np.float64))
    manifest = {
        "kind": kind, "config": config, "tolerance": TOL, "notes": notes,
        "inputs": list(inputs.keys()), "masks": {k: str(v.dtype).replace("torch.", "") for k, v in masks.items()},
        "outputs": [k for k in ("out", "weights") if k in ref],
        "grads": sorted(k[len("grad_"):] for k in ref if k.startswith("grad_")),
        "state_dict": list(module.state_dict().keys()),
        "torch_version": torch.__version__, "torch_float32_max_abs_err": worst,
    }
    with open(os.path.join(d, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)


def rnd(gen, *shape):
    return torch.randn(*shape, generator=gen).to(torch.float32).to(torch.float64)


def mha_call(cfg):
    def call(m, xs):
        q = xs["query"]
        k = xs.get("key", q)
        v = xs.get("value", q)
        out, w = m(q, k, v, key_padding_mask=xs.get("key_padding_mask"), attn_mask=xs.get("attn_mask"),
                   need_weights=cfg["need_weights"], average_attn_weights=cfg["average_attn_weights"])
        return out, w
    return call


def mha_case(name, seed, cfg, shapes, masks_fn, notes):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    m = nn.MultiheadAttention(cfg["embed_dim"], cfg["num_heads"], dropout=0.0, bias=cfg["bias"],
                              batch_first=cfg["batch_first"], kdim=cfg["kdim"], vdim=cfg["vdim"]).double()
    with torch.no_grad():  # non-zero biases so that they are tested
        for n, p in m.named_parameters():
            if "bias" in n:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
    inputs = {k: rnd(gen, *s) for k, s in shapes.items()}
    masks = masks_fn(gen)
    m.eval()
    save_case(name, "mha", cfg, m, inputs, masks, mha_call(cfg), list(inputs.keys()), notes)


def enc_layer(cfg, seed):
    torch.manual_seed(seed)
    return nn.TransformerEncoderLayer(cfg["d_model"], cfg["nhead"], dim_feedforward=cfg["dim_feedforward"],
                                      dropout=0.0, activation=cfg["activation"], layer_norm_eps=cfg["layer_norm_eps"],
                                      batch_first=cfg["batch_first"], norm_first=cfg["norm_first"])


def perturb_norms(m, gen):
    with torch.no_grad():
        for n, p in m.named_parameters():
            if "norm" in n or n.endswith("bias"):
                p.add_(0.1 * torch.randn(p.shape, generator=gen, dtype=p.dtype))


def enc_call(m, xs):
    return m(xs["src"], xs.get("src_mask"), src_key_padding_mask=xs.get("src_key_padding_mask")), None


def main():
    E = 8
    base = {"embed_dim": E, "num_heads": 2, "bias": True, "kdim": E, "vdim": E, "need_weights": True,
            "average_attn_weights": True}
    mha_case("mha_self_seq_first", 1, dict(base, batch_first=False, self_attention=True),
             {"query": (5, 3, E)}, lambda g: {}, "self-attention query=key=value, [L, N, E], weights averaged")
    mha_case("mha_cross_batch_first_bool_masks", 2,
             dict(base, batch_first=True, self_attention=False, average_attn_weights=False),
             {"query": (2, 4, E), "key": (2, 6, E), "value": (2, 6, E)},
             lambda g: {"key_padding_mask": torch.tensor([[False] * 5 + [True], [False] * 3 + [True] * 3]),
                        "attn_mask": torch.rand(4, 6, generator=g) < 0.3},
             "cross-attention, bool key padding and attention masks (true = masked), per-head weights")
    def float_masks(g):
        am = 0.5 * torch.randn(2 * 3, 3, 7, generator=g)
        am[:, :, 0] = float("-inf")
        return {"attn_mask": am.to(torch.float32).to(torch.float64)}
    mha_case("mha_kdim_vdim_float_mask", 3,
             {"embed_dim": 6, "num_heads": 3, "bias": True, "kdim": 5, "vdim": 4, "need_weights": True,
              "average_attn_weights": True, "batch_first": False, "self_attention": False},
             {"query": (3, 2, 6), "key": (7, 2, 5), "value": (7, 2, 4)}, float_masks,
             "separate q/k/v projection weights (kdim, vdim differ), float 3-D attention mask with -inf entries")
    mha_case("mha_unbatched_no_bias", 4,
             {"embed_dim": 6, "num_heads": 2, "bias": False, "kdim": 6, "vdim": 6, "need_weights": True,
              "average_attn_weights": True, "batch_first": True, "self_attention": True},
             {"query": (4, 6)}, lambda g: {}, "unbatched [L, E] self-attention without biases")

    gen = torch.Generator().manual_seed(10)
    for name, cfg, src_shape, masks, notes in [
        ("enc_post_relu_seq_first",
         {"d_model": E, "nhead": 2, "dim_feedforward": 16, "activation": "relu", "layer_norm_eps": 1e-5,
          "batch_first": False, "norm_first": False}, (5, 3, E),
         {"src_key_padding_mask": torch.tensor([[False] * 5, [False] * 4 + [True], [False] * 2 + [True] * 3])},
         "post-norm, ReLU, sequence first, key padding mask"),
        ("enc_pre_gelu_batch_first_causal",
         {"d_model": E, "nhead": 4, "dim_feedforward": 12, "activation": "gelu", "layer_norm_eps": 1e-6,
          "batch_first": True, "norm_first": True}, (2, 6, E),
         {"src_mask": torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1)},
         "pre-norm (ViT style), GELU, batch first, causal bool mask"),
    ]:
        m = enc_layer(cfg, 20).double()
        perturb_norms(m, gen)
        m.eval()
        inputs = {"src": rnd(gen, *src_shape)}
        save_case(name, "encoder_layer", cfg, m, inputs, masks, enc_call, ["src"], notes)

    cfg = {"d_model": E, "nhead": 2, "dim_feedforward": 16, "activation": "gelu", "layer_norm_eps": 1e-5,
           "batch_first": True, "norm_first": True, "num_layers": 2, "final_norm": True}
    torch.manual_seed(30)
    layer = nn.TransformerEncoderLayer(E, 2, 16, 0.0, "gelu", 1e-5, batch_first=True, norm_first=True)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(E), enable_nested_tensor=False).double()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    m.eval()
    save_case("encoder_2_layers_pre_gelu", "encoder", cfg, m, {"src": rnd(gen, 3, 5, E)},
              {"src_key_padding_mask": torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])},
              enc_call, ["src"], "TransformerEncoder: 2 pre-norm GELU layers and a final LayerNorm, key padding mask")


if __name__ == "__main__":
    main()
