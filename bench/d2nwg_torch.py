#!/usr/bin/env python3
"""Independent PyTorch implementation of the D2NWG CPU variant (written from the method description in
docs/methods/d2nwg.md, not from the Java code), timed at the sizes of examples/pipelines/d2nwg-zoo.yaml.

Prints `name value unit` lines, like io.tessera.plugin.d2nwg.D2nwgBenchmark; bench/d2nwg-bench.sh runs both.

    /usr/bin/python3 bench/d2nwg_torch.py [STEPS] [ZOO_MODELS]
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

D_IN, H, Z, B = 888, 128, 16, 64
WAYS, PER_CLASS, FEAT, COND, TEMB = 5, 5, 49, 16, 32


class MlpVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc_in, self.enc_mom = nn.Linear(D_IN, H), nn.Linear(H, 2 * Z)
        self.dec_hid, self.dec_out = nn.Linear(Z, H), nn.Linear(H, D_IN)

    def encode(self, x):
        m = self.enc_mom(F.leaky_relu(self.enc_in(x), 0.01))
        return m[:, :Z], m[:, Z:].clamp(-30, 20)

    def decode(self, z):
        return self.dec_out(F.silu(self.dec_hid(z)))

    def loss(self, x, eps, kl_weight=1e-6, mse_weight=1000.0):
        mean, logvar = self.encode(x)
        xhat = self.decode(mean + torch.exp(0.5 * logvar) * eps)
        b = x.shape[0]
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).sum() / b
        return (x - xhat).abs().sum() / b + kl_weight * kl + mse_weight * ((x - xhat) ** 2).mean()


class CondEncoder(nn.Module):
    def __init__(self, out_dim=4):
        super().__init__()
        self.dense1 = nn.Linear(WAYS * PER_CLASS, out_dim)
        self.dense2 = nn.Linear(FEAT * out_dim, COND)

    def forward(self, feats):  # (B, C, n, d) -> d (n c)
        b, c, n, d = feats.shape
        x = feats.permute(0, 3, 2, 1).reshape(b, d, n * c)
        h = F.leaky_relu(F.linear(x, self.dense1.weight[:, : n * c], self.dense1.bias), 0.01)
        return self.dense2(h.reshape(b, -1))


def temb(t, dim):
    half = dim // 2
    f = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
    a = t.float()[:, None] * f[None]
    e = torch.cat([torch.cos(a), torch.sin(a)], dim=-1)
    return F.pad(e, (0, 1)) if dim % 2 else e


class Denoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp, self.mid, self.out = nn.Linear(Z + COND + TEMB, H), nn.Linear(H, H), nn.Linear(H, Z)

    def forward(self, x, t, c):
        h = torch.cat([x, c, temb(t, TEMB)], dim=1)
        return self.out(F.silu(self.mid(F.silu(self.inp(h)))))


def schedule(T=1024, start=0.0015, end=0.0155):
    betas = torch.linspace(start ** 0.5, end ** 0.5, T, dtype=torch.float64) ** 2
    alphas = 1 - betas
    ab = torch.cumprod(alphas, 0)
    ab_prev = torch.cat([torch.ones(1, dtype=torch.float64), ab[:-1]])
    post_var = betas * (1 - ab_prev) / (1 - ab)
    s = dict(ab=ab, ab_prev=ab_prev, sqrt_ab=ab.sqrt(), sqrt_1mab=(1 - ab).sqrt(),
             sqrt_recip=(1 / ab).sqrt(), sqrt_recipm1=(1 / ab - 1).sqrt(),
             logvar=torch.log(post_var.clamp(min=1e-20)),
             c1=betas * ab_prev.sqrt() / (1 - ab), c2=(1 - ab_prev) * alphas.sqrt() / (1 - ab))
    return {k: v.float() for k, v in s.items()}, T


def timed(fn, steps, warm=20):
    for _ in range(warm):
        fn()
    t0 = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - t0) * 1000 / steps


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    models = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    torch.manual_seed(0)
    vae = MlpVae()
    opt = torch.optim.Adam(vae.parameters(), 1e-3, betas=(0.5, 0.9))
    data = torch.randn(B, D_IN) * 0.1

    def vae_step():
        opt.zero_grad()
        vae.loss(data, torch.randn(B, Z)).backward()
        opt.step()
    print(f"vae_train_step {timed(vae_step, steps):.4f} ms")

    s, T = schedule()
    enc, den = CondEncoder(), Denoiser()
    opt2 = torch.optim.Adam(list(enc.parameters()) + list(den.parameters()), 1e-3)
    feats, x0 = torch.randn(B, WAYS, PER_CLASS, FEAT), torch.randn(B, Z)

    def den_step():
        t = torch.randint(0, T, (B,))
        noise = torch.randn(B, Z)
        xt = s["sqrt_ab"][t, None] * x0 + s["sqrt_1mab"][t, None] * noise
        loss = ((noise - den(xt, t, enc(feats))) ** 2).mean()
        opt2.zero_grad()
        loss.backward()
        opt2.step()
    print(f"denoiser_train_step {timed(den_step, steps):.4f} ms")

    n = 10
    with torch.no_grad():
        for mode in ("ddpm", "ddim"):
            for rep in range(2):
                t0 = time.perf_counter()
                c = enc(torch.randn(n, WAYS, PER_CLASS, FEAT))
                x = torch.randn(n, Z)
                if mode == "ddpm":
                    for t in range(T - 1, -1, -1):
                        tt = torch.full((n,), t, dtype=torch.long)
                        e = den(x, tt, c)
                        x0h = s["sqrt_recip"][t] * x - s["sqrt_recipm1"][t] * e
                        mean = s["c1"][t] * x0h + s["c2"][t] * x
                        x = mean + (torch.exp(0.5 * s["logvar"][t]) * torch.randn_like(x) if t > 0 else 0)
                else:
                    cstep = T // 50
                    ts = list(range(0, T, cstep))
                    ts = [v + 1 for v in ts]
                    a = s["ab"][ts]
                    a_prev = torch.cat([s["ab"][:1], s["ab"][ts[:-1]]])
                    for i in range(len(ts) - 1, -1, -1):
                        e = den(x, torch.full((n,), ts[i], dtype=torch.long), c)
                        px0 = (x - (1 - a[i]).sqrt() * e) / a[i].sqrt()
                        x = a_prev[i].sqrt() * px0 + (1 - a_prev[i]).sqrt() * e
                vae.decode(x)
                if rep == 1:
                    print(f"{mode}_vectors_per_s {n / (time.perf_counter() - t0):.4f} vectors/s")

    g = torch.Generator().manual_seed(4)
    means = torch.randn(WAYS, FEAT, generator=g)
    y = torch.arange(3000) % WAYS
    xs = means[y] + torch.randn(3000, FEAT, generator=g)
    t0 = time.perf_counter()
    for m in range(models):
        torch.manual_seed(m)
        mlp = nn.Sequential(nn.Linear(FEAT, 16), nn.ReLU(), nn.Linear(16, WAYS))
        o = torch.optim.Adam(mlp.parameters(), 0.01)
        for _ in range(200):
            idx = torch.randint(0, 3000, (64,))
            loss = F.cross_entropy(mlp(xs[idx]), y[idx])
            o.zero_grad()
            loss.backward()
            o.step()
    print(f"zoo_models_per_min_sequential {models / ((time.perf_counter() - t0) / 60):.4f} models/min")


if __name__ == "__main__":
    main()
